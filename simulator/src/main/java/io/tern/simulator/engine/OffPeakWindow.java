package io.tern.simulator.engine;

/**
 * A daily off-peak window in UTC hours of trace time (trace second 0 is midnight UTC). A window
 * whose end is before its start wraps past midnight, e.g. 22 → 6.
 */
public record OffPeakWindow(int startHourUtc, int endHourUtc) {
  /** Checks hours are 0..23 and differ. */
  public OffPeakWindow {
    if (startHourUtc < 0
        || startHourUtc > 23
        || endHourUtc < 0
        || endHourUtc > 23
        || startHourUtc == endHourUtc) {
      throw new IllegalArgumentException("off-peak hours must be 0..23 and differ");
    }
  }

  /** Whether trace second {@code t} is inside the window. */
  public boolean contains(long t) {
    long hour = Math.floorMod(t, 86_400L) / 3600;
    return startHourUtc < endHourUtc
        ? hour >= startHourUtc && hour < endHourUtc
        : hour >= startHourUtc || hour < endHourUtc;
  }

  /** The next trace second after {@code t} at which the window opens or closes. */
  public long nextBoundaryAfter(long t) {
    long day = Math.floorDiv(t, 86_400L) * 86_400L;
    long best = Long.MAX_VALUE;
    for (long d = day; d <= day + 86_400L; d += 86_400L) {
      for (long boundary : new long[] {d + startHourUtc * 3600L, d + endHourUtc * 3600L}) {
        if (boundary > t && boundary < best) {
          best = boundary;
        }
      }
    }
    return best;
  }
}
