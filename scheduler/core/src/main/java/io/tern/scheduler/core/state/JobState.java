package io.tern.scheduler.core.state;

/**
 * A job's lifecycle state. {@code PENDING → STARTING → RUNNING → SUCCEEDED | FAILED | CANCELLED};
 * {@code RUNNING → CHECKPOINTING → PENDING} (preempted or reclaimed); {@code STARTING | RUNNING |
 * CHECKPOINTING → PENDING} when the attempt is lost (it resumes from its last committed
 * checkpoint); {@code PENDING ⇄ HELD} (by policy, or by a user until a user releases it).
 */
public enum JobState {
  PENDING,
  HELD,
  STARTING,
  RUNNING,
  /** Asked to checkpoint (or stop) and exit; it goes back to the queue once it has. */
  CHECKPOINTING,
  SUCCEEDED,
  FAILED,
  CANCELLED;

  public boolean terminal() {
    return this == SUCCEEDED || this == FAILED || this == CANCELLED;
  }

  /** Waiting in the queue: PENDING or HELD. */
  public boolean queued() {
    return this == PENDING || this == HELD;
  }

  /** True while an attempt holds resources on some node. */
  public boolean holdsResources() {
    return this == STARTING || this == RUNNING || this == CHECKPOINTING;
  }
}
