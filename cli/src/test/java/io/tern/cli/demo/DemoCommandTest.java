package io.tern.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Runs {@code tern demo} for real (child JVMs for ZooKeeper, two schedulers and two agents, from
 * this test's class path) and checks that every step passed and nothing it started is left.
 */
class DemoCommandTest {
  @TempDir Path dir;

  @Test
  @Timeout(value = 4, unit = java.util.concurrent.TimeUnit.MINUTES)
  void everyStepPassesAndEveryProcessIsStopped() {
    StringWriter out = new StringWriter();
    CommandLine cli = new CommandLine(new DemoCommand());
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(out, true));
    long before = ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).count();
    long started = System.nanoTime();

    int exit = cli.execute("--dir", dir.toString());

    Duration took = Duration.ofNanos(System.nanoTime() - started);
    String text = out.toString();
    System.out.println(text);
    System.out.println("demo wall time: " + took.toMillis() + " ms");
    assertThat(exit).as(text).isZero();
    List<String> verdicts =
        text.lines()
            .filter(l -> l.contains(StepPrinter.PASS) || l.contains(StepPrinter.FAIL))
            .toList();
    assertThat(verdicts).hasSize(DemoScenario.STEPS).allMatch(l -> l.contains(StepPrinter.PASS));
    assertThat(text)
        .contains("Summary")
        .contains("runs on the spot node")
        .contains("checkpointed and requeued: returning to spot")
        .contains("(RETURN_TO_SPOT); running on spot from it")
        .contains("saved after 1 changeover back to spot")
        .contains("back to spot     spot node READY")
        .contains("preempted")
        .contains("0 steps lost")
        .contains("leads")
        .contains("printed the same last line as uninterrupted runs")
        .contains("open_now=true")
        .contains("spot capacity is preferred while it is open")
        .contains("jobs add up to their teams and teams to the total")
        .contains("budget research:")
        .contains("HTML report      " + dir.resolve("report.html"))
        .containsPattern(
            "Web console: https://127\\.0\\.0\\.1:\\d+/  or  https://127\\.0\\.0\\.1:\\d+/")
        .contains("sign in with the demo's admin token: tern_");
    assertThat(dir.resolve("report.html")).isNotEmptyFile();
    assertThat(dir.resolve("demo-trace.csv")).isNotEmptyFile();
    // A bound against a demo that hangs, not a speed target (it takes about a minute on a quiet
    // machine; a loaded 2-core one has taken over two).
    assertThat(took).as("demo wall time").isLessThan(Duration.ofMinutes(4));
    assertThat(ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).count())
        .as("processes left behind")
        .isLessThanOrEqualTo(before);
  }
}
