package io.tern.simulator;

/**
 * Receives progress of long simulator work (a CLI shows it as a bar). Called on the threads doing
 * the work: {@link Simulation} replays its policies concurrently, so calls for different phases may
 * come from different threads at the same time and interleave. Implementations must be thread-safe
 * and cheap. Calls for one phase come from one thread and have non-decreasing {@code done}.
 */
@FunctionalInterface
public interface ProgressListener {
  /** A listener that ignores everything. */
  ProgressListener NONE = (phase, done, total) -> {};

  /**
   * @param phase what is being done, e.g. {@code "replay tern"}
   * @param done units done so far
   * @param total units in this phase (at least {@code done})
   */
  void onProgress(String phase, long done, long total);
}
