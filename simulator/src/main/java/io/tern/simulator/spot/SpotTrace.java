package io.tern.simulator.spot;

import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;

/**
 * Spot availability of one pool over time, in fixed slots (10 minutes in the Can't Be Late traces):
 * {@code available(i)} is false when spot capacity was not available in slot {@code i}. Immutable.
 *
 * @param pool the pool name, e.g. {@code us-west-2a_v100_1}
 * @param start start of slot 0
 * @param slotSeconds length of a slot
 */
public record SpotTrace(String pool, Instant start, int slotSeconds, boolean[] availability) {
  /** Copies the availability array so the trace stays immutable. */
  public SpotTrace {
    Objects.requireNonNull(pool, "pool");
    Objects.requireNonNull(start, "start");
    availability = availability.clone();
    if (slotSeconds < 1 || availability.length == 0) {
      throw new IllegalArgumentException("empty spot trace " + pool);
    }
  }

  /** Number of slots. */
  public int slots() {
    return availability.length;
  }

  /** Whether spot capacity was available in slot {@code i}. */
  public boolean available(int slot) {
    return availability[slot];
  }

  /** Fraction of slots with capacity. */
  public double availabilityRatio() {
    int up = 0;
    for (boolean a : availability) {
      up += a ? 1 : 0;
    }
    return (double) up / availability.length;
  }

  /** Trace length in hours. */
  public double hours() {
    return availability.length * (double) slotSeconds / 3600.0;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof SpotTrace that
        && pool.equals(that.pool)
        && start.equals(that.start)
        && slotSeconds == that.slotSeconds
        && Arrays.equals(availability, that.availability);
  }

  @Override
  public int hashCode() {
    return Objects.hash(pool, start, slotSeconds, Arrays.hashCode(availability));
  }

  @Override
  public String toString() {
    return "SpotTrace[" + pool + ", " + start + ", " + slots() + " slots]";
  }
}
