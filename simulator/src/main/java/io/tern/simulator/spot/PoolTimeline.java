package io.tern.simulator.spot;

/**
 * Spot availability of one simulated pool as a cyclic sequence of slots read from an offset: trace
 * second {@code t} falls in slot {@code (t / slotSeconds + offset) mod slots}. Immutable.
 */
public final class PoolTimeline {
  private final String pool;
  private final String source;
  private final boolean[] slots;
  private final int slotSeconds;
  private final int offset;

  /**
   * @param pool the simulated pool id
   * @param source where the availability comes from (for the report)
   * @param slots availability per slot (not copied: callers hand over ownership)
   * @param slotSeconds slot length
   * @param offset slot of the timeline that trace second 0 falls in
   */
  public PoolTimeline(String pool, String source, boolean[] slots, int slotSeconds, int offset) {
    if (slots.length == 0 || slotSeconds < 1) {
      throw new IllegalArgumentException("empty timeline for " + pool);
    }
    this.pool = pool;
    this.source = source;
    this.slots = slots;
    this.slotSeconds = slotSeconds;
    this.offset = Math.floorMod(offset, slots.length);
  }

  public String pool() {
    return pool;
  }

  public String source() {
    return source;
  }

  /** Whether spot capacity exists at trace second {@code t}. */
  public boolean availableAt(long t) {
    return slots[slotIndex(t)];
  }

  /**
   * The first trace second after {@code t} at which availability differs from {@code
   * availableAt(t)}, or {@code Long.MAX_VALUE} if it never changes.
   */
  public long nextChangeAfter(long t) {
    boolean now = availableAt(t);
    long slotStart = Math.floorDiv(t, slotSeconds) * slotSeconds;
    for (int k = 1; k <= slots.length; k++) {
      long start = slotStart + (long) k * slotSeconds;
      if (slots[slotIndex(start)] != now) {
        return start;
      }
    }
    return Long.MAX_VALUE;
  }

  /** Fraction of slots with capacity. */
  public double availability() {
    int up = 0;
    for (boolean s : slots) {
      up += s ? 1 : 0;
    }
    return (double) up / slots.length;
  }

  private int slotIndex(long t) {
    return (int) Math.floorMod(Math.floorDiv(t, slotSeconds) + offset, (long) slots.length);
  }
}
