package io.tern.scheduler.core.model;

import java.time.Duration;
import java.util.Objects;

/**
 * Whether and how a job checkpoints.
 *
 * @param enabled false for a job that cannot checkpoint (a stop loses all its work)
 * @param interval how often the job checkpoints by itself
 * @param grace the time it needs to write a checkpoint and exit on request
 */
public record Checkpointing(boolean enabled, Duration interval, Duration grace) {

  /** A job that cannot checkpoint. */
  public static final Checkpointing NONE = new Checkpointing(false, Duration.ZERO, Duration.ZERO);

  public Checkpointing {
    Objects.requireNonNull(interval, "interval");
    Objects.requireNonNull(grace, "grace");
  }

  public static Checkpointing every(Duration interval, Duration grace) {
    return new Checkpointing(true, interval, grace);
  }
}
