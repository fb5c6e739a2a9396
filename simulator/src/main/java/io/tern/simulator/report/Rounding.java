package io.tern.simulator.report;

/** Rounds figures for reports, so JSON stays readable and free of float noise. */
public final class Rounding {
  private Rounding() {}

  /** {@code value} rounded to 4 decimals; non-finite values become 0. */
  public static double round4(double value) {
    if (!Double.isFinite(value)) {
      return 0;
    }
    return Math.round(value * 10_000.0) / 10_000.0;
  }

  /** {@code value} rounded to 2 decimals (money). */
  public static double round2(double value) {
    if (!Double.isFinite(value)) {
      return 0;
    }
    return Math.round(value * 100.0) / 100.0;
  }
}
