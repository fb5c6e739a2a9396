package io.tern.scheduler.server.loop;

import io.tern.scheduler.core.plan.SpotActivity;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the leader's spot and deadline policy did, for metrics: jobs waiting for spot and jobs
 * forced onto on-demand by their deadline (as of the last plan), and the moves it carried out
 * (since this replica started). Written by the scheduler loop, read from any thread.
 */
public final class SpotCounters {
  private volatile int waitingForSpot;
  private volatile int deadlineOnDemand;
  private final AtomicLong returnsToSpot = new AtomicLong();
  private final AtomicLong deadlineMigrations = new AtomicLong();

  /** The last plan's counts of queued jobs. */
  void planned(SpotActivity activity) {
    waitingForSpot = activity.waitingForSpot();
    deadlineOnDemand = activity.deadlineOnDemand();
  }

  /** A running on-demand attempt was asked to checkpoint and move back to spot. */
  void returnToSpot() {
    returnsToSpot.incrementAndGet();
  }

  /** A running spot attempt was asked to checkpoint and move to on-demand for its deadline. */
  void deadlineMigration() {
    deadlineMigrations.incrementAndGet();
  }

  /** Queued jobs the last plan left waiting for spot by choice. */
  public int waitingForSpot() {
    return waitingForSpot;
  }

  /** Queued jobs the last plan sent to on-demand because their deadline slack was gone. */
  public int deadlineOnDemand() {
    return deadlineOnDemand;
  }

  /** Attempts asked to move back to spot (RETURN_TO_SPOT) since this replica started. */
  public long returnsToSpot() {
    return returnsToSpot.get();
  }

  /**
   * Attempts asked to move from spot to on-demand for their deadline since this replica started.
   */
  public long deadlineMigrations() {
    return deadlineMigrations.get();
  }
}
