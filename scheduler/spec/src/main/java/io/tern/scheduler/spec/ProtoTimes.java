package io.tern.scheduler.spec;

import com.google.protobuf.Duration;
import com.google.protobuf.Timestamp;
import java.util.Optional;

/**
 * What protobuf allows in a {@code google.protobuf.Duration} and {@code Timestamp}, and what to say
 * about one it does not: the scheduler, the CLI and the spec's validation name the field and append
 * these.
 */
public final class ProtoTimes {
  /** The first second of 0001-01-01, where protobuf Timestamps begin. */
  public static final long TIMESTAMP_MIN_SECONDS = -62_135_596_800L;

  /** The first second of 10000-01-01, where protobuf Timestamps end. */
  public static final long TIMESTAMP_END_SECONDS = 253_402_300_800L;

  /** The longest protobuf Duration: 10,000 years. */
  public static final long DURATION_MAX_SECONDS = 315_576_000_000L;

  private static final int MAX_NANOS = 999_999_999;

  private ProtoTimes() {}

  /**
   * What is wrong with {@code d} as a protobuf Duration, e.g. {@code is not a valid duration
   * (seconds 5, nanos -5): nanos must lie within one second, with the sign of seconds}; empty when
   * it is one.
   */
  public static Optional<String> durationProblem(Duration d) {
    long seconds = d.getSeconds();
    int nanos = d.getNanos();
    if (seconds > DURATION_MAX_SECONDS || seconds < -DURATION_MAX_SECONDS) {
      return Optional.of(
          "is too large: "
              + seconds
              + "s is beyond the longest duration, "
              + DURATION_MAX_SECONDS
              + "s (10,000 years)");
    }
    if (nanos > MAX_NANOS
        || nanos < -MAX_NANOS
        || (seconds > 0 && nanos < 0)
        || (seconds < 0 && nanos > 0)) {
      return Optional.of(
          "is not a valid duration (seconds "
              + seconds
              + ", nanos "
              + nanos
              + "): nanos must lie within one second, with the sign of seconds");
    }
    return Optional.empty();
  }

  /**
   * What is wrong with {@code t} as a protobuf Timestamp (0001-01-01 to 9999-12-31, nanos from 0 to
   * 999,999,999); empty when it is one.
   */
  public static Optional<String> timestampProblem(Timestamp t) {
    if (t.getSeconds() < TIMESTAMP_MIN_SECONDS || t.getSeconds() >= TIMESTAMP_END_SECONDS) {
      return Optional.of(
          "is not a valid time: seconds "
              + t.getSeconds()
              + " lies outside 0001-01-01 to 9999-12-31");
    }
    if (t.getNanos() < 0 || t.getNanos() > MAX_NANOS) {
      return Optional.of(
          "is not a valid time (seconds "
              + t.getSeconds()
              + ", nanos "
              + t.getNanos()
              + "): nanos must lie between 0 and 999999999");
    }
    return Optional.empty();
  }
}
