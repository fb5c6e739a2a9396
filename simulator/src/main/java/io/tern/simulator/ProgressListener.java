package io.tern.simulator;

/**
 * Receives progress of long simulator work (a CLI shows it as a bar). Called on the simulating
 * thread; implementations must be cheap. Calls for one phase have non-decreasing {@code done}.
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
