package io.tern.simulator.report;

import java.util.Arrays;

/**
 * p50, p95 and p99 of a sample (nearest-rank), in the unit of the sample; all 0 for an empty
 * sample.
 */
public record Percentiles(double p50, double p95, double p99) {
  /** Percentiles of {@code values} (not modified). */
  public static Percentiles of(double[] values) {
    if (values.length == 0) {
      return new Percentiles(0, 0, 0);
    }
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return new Percentiles(rank(sorted, 0.50), rank(sorted, 0.95), rank(sorted, 0.99));
  }

  private static double rank(double[] sorted, double q) {
    int index = (int) Math.ceil(q * sorted.length) - 1;
    return Rounding.round4(sorted[Math.max(0, Math.min(sorted.length - 1, index))]);
  }
}
