package io.tern.scheduler.server.loop;

import java.time.Duration;

/**
 * What a helper of the scheduler loop may ask of it: to run work on the loop thread, now or later,
 * and the leader's term. {@link SchedulerLoop} provides it; tests provide one they run by hand.
 */
interface LoopThread {
  /** Runs {@code task} on the loop. */
  void execute(Runnable task);

  /** Runs {@code task} on the loop after {@code delay}. */
  void schedule(Runnable task, Duration delay);

  /** The current term; throws {@link NotLeaderException} when this replica does not lead. */
  LeaderTerm requireLeader();

  /** The current term, or null when this replica does not lead. Loop thread only. */
  LeaderTerm term();
}
