package io.tern.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * A clock that moves only when a test moves it. Always in UTC ({@link #withZone} returns this
 * clock). Thread-safe: code under test may read it from its own threads.
 */
public final class TestClock extends Clock {
  private volatile Instant now;

  public TestClock(Instant now) {
    this.now = now;
  }

  /** A clock at an ISO-8601 instant, e.g. {@code 2026-05-04T06:00:00Z}. */
  public static TestClock at(String instant) {
    return new TestClock(Instant.parse(instant));
  }

  public void advance(Duration d) {
    now = now.plus(d);
  }

  public void set(Instant t) {
    now = t;
  }

  @Override
  public Instant instant() {
    return now;
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }
}
