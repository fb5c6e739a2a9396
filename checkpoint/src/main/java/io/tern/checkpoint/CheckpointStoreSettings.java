package io.tern.checkpoint;

import java.time.Clock;
import java.util.Objects;

/**
 * What every store implementation is configured with.
 *
 * @param keepLast how many committed checkpoints of a job to keep after each commit (at least 1)
 * @param clock the source of {@code committedAt}; never the wall clock in tests
 * @param limits bounds on files, sizes and manifests
 * @param sourceOpener how local files are read on commit
 */
public record CheckpointStoreSettings(
    int keepLast, Clock clock, CheckpointLimits limits, SourceOpener sourceOpener) {

  public static final int DEFAULT_KEEP_LAST = 3;

  public CheckpointStoreSettings {
    if (keepLast < 1) {
      throw new IllegalArgumentException("keepLast must be at least 1, got " + keepLast);
    }
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(limits, "limits");
    Objects.requireNonNull(sourceOpener, "sourceOpener");
  }

  /**
   * Keep the last {@code keepLast}, default limits, files read with {@link SourceOpener#DEFAULT}.
   */
  public static CheckpointStoreSettings of(int keepLast, Clock clock) {
    return new CheckpointStoreSettings(
        keepLast, clock, CheckpointLimits.DEFAULT, SourceOpener.DEFAULT);
  }

  public CheckpointStoreSettings withLimits(CheckpointLimits newLimits) {
    return new CheckpointStoreSettings(keepLast, clock, newLimits, sourceOpener);
  }

  public CheckpointStoreSettings withSourceOpener(SourceOpener opener) {
    return new CheckpointStoreSettings(keepLast, clock, limits, opener);
  }
}
