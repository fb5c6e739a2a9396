package io.tern.scheduler.core.preemption;

import io.tern.scheduler.core.model.Allocation;
import java.time.Instant;
import java.util.Comparator;

/**
 * The order in which victims are taken on a node: those already going away first (free), then the
 * lowest priority class, then checkpointable ones (they lose nothing but a restart), then least
 * work lost (GPU-seconds since their last checkpoint), then job id.
 */
public final class VictimOrder {
  private VictimOrder() {}

  public static Comparator<Allocation> at(Instant now, java.util.Set<String> alreadyStopping) {
    return Comparator.<Allocation>comparingInt(
            a -> a.stopping() || alreadyStopping.contains(a.jobId()) ? 0 : 1)
        .thenComparingInt(a -> -a.job().priority().ordinal())
        .thenComparingInt(a -> a.job().checkpointable() ? 0 : 1)
        .thenComparingLong(a -> a.gpuSecondsAtRisk(now))
        .thenComparing(Allocation::jobId);
  }

  /** Work a preemption of {@code a} throws away: none when it checkpoints first. */
  public static long workLost(Allocation a, Instant now) {
    return a.job().checkpointable() ? 0 : a.gpuSecondsAtRisk(now);
  }
}
