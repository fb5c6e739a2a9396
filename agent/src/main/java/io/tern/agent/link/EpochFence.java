package io.tern.agent.link;

/**
 * The newest leader epoch this agent has seen. A message from an older epoch comes from a deposed
 * leader and is refused. Survives reconnects (one per agent). Not thread-safe.
 */
public final class EpochFence {
  private long newest;

  /** True, and remembers {@code epoch}, unless it is older than the newest seen. */
  public boolean admit(long epoch) {
    if (epoch < newest) {
      return false;
    }
    newest = epoch;
    return true;
  }

  public long newest() {
    return newest;
  }
}
