package io.tern.cli.demo;

import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Waits for a condition with a deadline (never sleep-and-hope): polls {@code probe} until {@code
 * done} holds, treating a failed gRPC call as "not yet", and fails with what it last saw.
 */
final class Poll {
  private Poll() {}

  /** A step's outcome was not what it should be; the message says what was expected and seen. */
  static final class StepFailed extends RuntimeException {
    private static final long serialVersionUID = 1L;

    StepFailed(String message) {
      super(message);
    }
  }

  static <T> T until(
      String what, Duration atMost, Duration every, Supplier<T> probe, Predicate<T> done) {
    long deadline = System.nanoTime() + atMost.toNanos();
    T last = null;
    StatusRuntimeException lastError = null;
    while (true) {
      try {
        last = probe.get();
        lastError = null;
        if (last != null && done.test(last)) {
          return last;
        }
      } catch (StatusRuntimeException e) {
        lastError = e;
      }
      if (System.nanoTime() > deadline) {
        throw new StepFailed(
            what
                + ": not within "
                + atMost.toSeconds()
                + " s"
                + (lastError != null
                    ? " (last error: " + lastError.getStatus() + ")"
                    : last != null ? " (last seen: " + oneLine(last) + ")" : ""));
      }
      sleep(every);
    }
  }

  static <T> T until(String what, Duration atMost, Supplier<T> probe, Predicate<T> done) {
    return until(what, atMost, Duration.ofMillis(100), probe, done);
  }

  static void check(boolean condition, String message) {
    if (!condition) {
      throw new StepFailed(message);
    }
  }

  static void sleep(Duration d) {
    try {
      Thread.sleep(d);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StepFailed("interrupted");
    }
  }

  private static String oneLine(Object o) {
    String s = o.toString().replaceAll("\\s+", " ").strip();
    return s.length() > 200 ? s.substring(0, 200) + "..." : s;
  }
}
