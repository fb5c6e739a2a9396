package io.tern.simulator.engine;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A {@link Clock} reading simulated time: trace second {@code s} is {@code Instant.EPOCH + s}. The
 * simulator hands {@link #instant()} to the core as its {@code now}; it never reads the wall clock.
 */
public final class VirtualClock extends Clock {
  private long seconds;

  /** Moves the clock; time never goes backwards. */
  public void set(long traceSeconds) {
    if (traceSeconds < seconds) {
      throw new IllegalArgumentException("time goes backwards: " + traceSeconds + " < " + seconds);
    }
    seconds = traceSeconds;
  }

  /** The current trace second. */
  public long seconds() {
    return seconds;
  }

  /** The instant of a trace second. */
  public static Instant at(long traceSeconds) {
    return Instant.ofEpochSecond(traceSeconds);
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    throw new UnsupportedOperationException("the virtual clock is always UTC");
  }

  @Override
  public Instant instant() {
    return at(seconds);
  }
}
