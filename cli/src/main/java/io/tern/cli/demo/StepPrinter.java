package io.tern.cli.demo;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;

/**
 * The demo's progress output: numbered steps, each announced when it starts, a few indented detail
 * lines, and one verdict line with ✓ or ✗, a one-line explanation and how long the step took.
 *
 * <p>Not thread-safe: the demo's main thread prints.
 */
final class StepPrinter {
  static final String PASS = "✓";
  static final String FAIL = "✗";

  private final PrintWriter out;
  private final int total;
  private int number;
  private long startedNanos;

  StepPrinter(PrintWriter out, int total) {
    this.out = out;
    this.total = total;
  }

  void begin(String title) {
    number++;
    startedNanos = System.nanoTime();
    out.printf(Locale.ROOT, "%n%2d/%d  %s%n", number, total, title);
    out.flush();
  }

  void detail(String line) {
    out.println("       " + line);
    out.flush();
  }

  void pass(String explanation) {
    verdict(PASS, explanation);
  }

  void fail(String explanation) {
    verdict(FAIL, explanation);
  }

  private void verdict(String mark, String explanation) {
    Duration took = Duration.ofNanos(System.nanoTime() - startedNanos);
    out.printf(Locale.ROOT, "     %s %s  (%.1f s)%n", mark, explanation, took.toMillis() / 1000.0);
    out.flush();
  }

  void line(String text) {
    out.println(text);
    out.flush();
  }

  int stepsBegun() {
    return number;
  }
}
