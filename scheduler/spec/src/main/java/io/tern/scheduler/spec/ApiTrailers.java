package io.tern.scheduler.spec;

/** Names of the gRPC trailers that the scheduler sends and its clients read. */
public final class ApiTrailers {
  /** Names the leader's address (host:port) on a follower's FAILED_PRECONDITION. */
  public static final String LEADER = "tern-leader";

  /**
   * Set on an UNAVAILABLE answer when the scheduler did not take the call, so that it may be sent
   * again as it is: {@code no-leader} (no replica leads) or {@code leader-changed} (the replica a
   * standby relayed it to had stopped leading). Without it, an UNAVAILABLE answer may come after
   * the call took effect.
   */
  public static final String NOT_TAKEN = "tern-not-taken";

  private ApiTrailers() {}
}
