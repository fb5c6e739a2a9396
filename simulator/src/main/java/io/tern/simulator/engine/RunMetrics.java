package io.tern.simulator.engine;

import io.tern.simulator.report.Rounding;
import java.util.ArrayList;
import java.util.List;

/**
 * Integrates step functions of simulated time (cost rate, GPUs allocated, GPUs available, queue
 * length) into fixed-width buckets for the report's charts, and over the whole run.
 */
final class RunMetrics {
  private final long bucketSeconds;
  private final List<Double> cumulativeCost = new ArrayList<>();
  private final List<Integer> queueLength = new ArrayList<>();
  private final List<Double> utilization = new ArrayList<>();
  private long last;
  private double costSoFar;
  private double bucketAllocated;
  private double bucketAvailable;
  private double totalAllocated;
  private double totalAvailable;
  double costRate;
  double allocatedGpus;
  double availableGpus;
  int queued;

  RunMetrics(long bucketSeconds) {
    this.bucketSeconds = Math.max(1, bucketSeconds);
  }

  long bucketSeconds() {
    return bucketSeconds;
  }

  /** Integrates the current rates from the last call up to {@code t}. */
  void advance(long t) {
    while (last < t) {
      long bucketEnd = (last / bucketSeconds + 1) * bucketSeconds;
      long until = Math.min(t, bucketEnd);
      long dt = until - last;
      costSoFar += costRate * dt;
      bucketAllocated += allocatedGpus * dt;
      bucketAvailable += availableGpus * dt;
      totalAllocated += allocatedGpus * dt;
      totalAvailable += availableGpus * dt;
      last = until;
      if (until == bucketEnd) {
        cumulativeCost.add(Rounding.round2(costSoFar));
        queueLength.add(queued);
        utilization.add(
            Rounding.round4(bucketAvailable > 0 ? bucketAllocated / bucketAvailable : 0));
        bucketAllocated = 0;
        bucketAvailable = 0;
      }
    }
  }

  /** Closes a partly filled last bucket. */
  void finish() {
    if (last % bucketSeconds != 0) {
      long partial = last % bucketSeconds;
      cumulativeCost.add(Rounding.round2(costSoFar));
      queueLength.add(queued);
      utilization.add(Rounding.round4(bucketAvailable > 0 ? bucketAllocated / bucketAvailable : 0));
      bucketAllocated = 0;
      bucketAvailable = 0;
      last += bucketSeconds - partial;
    }
  }

  double utilization() {
    return totalAvailable > 0 ? totalAllocated / totalAvailable : 0;
  }

  List<Double> cumulativeCost() {
    return cumulativeCost;
  }

  List<Integer> queueLength() {
    return queueLength;
  }

  List<Double> utilizationSeries() {
    return utilization;
  }
}
