package io.tern.scheduler.spec;

import java.time.Duration;
import java.time.Instant;

/**
 * When a checkpoint asked of a running job is due, the same for the leader that asks and for a spot
 * agent that asks on its own at a reclaim notice: after the job's grace ({@code
 * checkpoint.graceSeconds}), or by a cap (a reclaim's time less {@link #RECLAIM_MARGIN}) if that is
 * sooner, but never less than {@link #LEAST} (its grace if shorter) from now.
 */
public final class CheckpointDeadline {
  /** How long before a reclaim the checkpoint is due, so that it commits before the node goes. */
  public static final Duration RECLAIM_MARGIN = Duration.ofSeconds(10);

  /**
   * The least time a job is given to checkpoint, however close the cap (a notice that came late or
   * says "now"): killing it sooner saves nothing, and its checkpoint may still commit.
   */
  public static final Duration LEAST = Duration.ofSeconds(10);

  private CheckpointDeadline() {}

  /**
   * When the checkpoint is due.
   *
   * @param notAfter the cap; null for none
   */
  public static Instant due(Instant now, Duration grace, Instant notAfter) {
    Instant deadline = now.plus(grace);
    if (notAfter == null || !notAfter.isBefore(deadline)) {
      return deadline;
    }
    Instant least = now.plus(grace.compareTo(LEAST) < 0 ? grace : LEAST);
    return notAfter.isBefore(least) ? least : notAfter;
  }

  /** When the checkpoint is due on a node reclaimed at {@code reclaimAt}. */
  public static Instant beforeReclaim(Instant now, Duration grace, Instant reclaimAt) {
    return due(now, grace, reclaimAt.minus(RECLAIM_MARGIN));
  }
}
