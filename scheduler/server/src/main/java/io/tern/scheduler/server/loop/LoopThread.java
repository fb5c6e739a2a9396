package io.tern.scheduler.server.loop;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

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

  /**
   * Runs {@code task} on the loop as the leader; fails with {@link NotLeaderException} otherwise.
   */
  default <T> CompletableFuture<T> call(Function<LeaderTerm, T> task) {
    CompletableFuture<T> result = new CompletableFuture<>();
    execute(
        () -> {
          try {
            result.complete(task.apply(requireLeader()));
          } catch (RuntimeException e) {
            result.completeExceptionally(e);
          }
        });
    return result;
  }

  /** Like {@link #call} for tasks that complete their result later (after a commit). */
  default <T> CompletableFuture<T> callAsync(Function<LeaderTerm, CompletableFuture<T>> task) {
    CompletableFuture<T> result = new CompletableFuture<>();
    execute(
        () -> {
          try {
            task.apply(requireLeader())
                .whenComplete(
                    (v, e) -> {
                      if (e != null) {
                        result.completeExceptionally(e);
                      } else {
                        result.complete(v);
                      }
                    });
          } catch (RuntimeException e) {
            result.completeExceptionally(e);
          }
        });
    return result;
  }
}
