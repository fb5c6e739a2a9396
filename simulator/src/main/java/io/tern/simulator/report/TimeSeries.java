package io.tern.simulator.report;

import java.util.List;

/**
 * Samples over the simulated time for the report's charts, one value per bucket.
 *
 * @param bucketHours bucket width in hours
 * @param cumulativeCostUsd money spent up to the end of each bucket
 * @param queueLength jobs waiting to run at the end of each bucket
 * @param utilization GPU-time allocated ÷ GPU-time available in each bucket (0..1)
 */
public record TimeSeries(
    double bucketHours,
    List<Double> cumulativeCostUsd,
    List<Integer> queueLength,
    List<Double> utilization) {
  /** Copies the lists. */
  public TimeSeries {
    cumulativeCostUsd = List.copyOf(cumulativeCostUsd);
    queueLength = List.copyOf(queueLength);
    utilization = List.copyOf(utilization);
  }
}
