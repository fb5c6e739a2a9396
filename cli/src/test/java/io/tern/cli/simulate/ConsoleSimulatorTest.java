package io.tern.cli.simulate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tern.cli.TernCommand;
import io.tern.cli.testing.TernInProcess;
import io.tern.scheduler.server.console.ConsoleSimulations;
import io.tern.scheduler.server.console.ConsoleSimulations.Choice;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The simulator the web console's Simulations page runs: what it offers from a traces directory,
 * figures byte-identical to {@code tern simulate}'s for the same trace, spot set and seed, and
 * errors that name the field.
 */
class ConsoleSimulatorTest {
  @TempDir Path dir;

  @BeforeEach
  void traces() throws Exception {
    Files.writeString(
        dir.resolve("week.csv"),
        """
        id,submit,duration,gpus,team,capacity,checkpoint_interval,deadline
        a,0,3600,1,vision,spot-ok,600,
        b,60,7200,8,nlp,spot-ok,1800,36000
        c,120,1800,1,vision,on-demand,,
        d,900,5400,2,nlp,spot-ok,600,
        """);
    Path alibaba = Files.createDirectories(dir.resolve("alibaba"));
    Files.writeString(alibaba.resolve("openb_pod_list_default.csv"), "name\n");
    Files.writeString(alibaba.resolve("openb_node_list_gpu_node.csv"), "sn\n");
    Path spot = Files.createDirectories(dir.resolve("spot").resolve("2026-01"));
    spotTrace(spot.resolve("us-east-1a_v100_1.txt"), 3);
    spotTrace(spot.resolve("us-east-1b_v100_1.txt"), 5);
  }

  /** 200 ten-minute slots, spot capacity gone every {@code downEvery}-th slot. */
  private static void spotTrace(Path file, int downEvery) throws Exception {
    StringBuilder out = new StringBuilder();
    Instant t = Instant.parse("2026-01-05T00:00:00Z");
    for (int slot = 0; slot < 200; slot++) {
      out.append(slot)
          .append(',')
          .append(t.plusSeconds(600L * slot))
          .append(',')
          .append(slot % downEvery == 0 ? 0 : 1)
          .append('\n');
    }
    Files.writeString(file, out);
  }

  @Test
  void offersTheTracesAndSpotSetsOfItsDirectoryBesideTheSyntheticOnes() {
    ConsoleSimulations.Catalog catalog = new ConsoleSimulator(dir).catalog();

    assertThat(ids(catalog.traces()))
        .containsExactly(
            "synthetic-2000",
            "synthetic-20000",
            "file:alibaba/openb_pod_list_default.csv",
            "file:week.csv");
    assertThat(catalog.traces().get(2).label()).endsWith("(Alibaba GPU trace)");
    assertThat(ids(catalog.spotSets()))
        .containsExactly("dir:spot", "dir:spot/2026-01", "synthetic");
    assertThat(ids(catalog.policies())).contains("tern", "spot-greedy").doesNotContain("on-demand");
    assertThat(ids(new ConsoleSimulator(null).catalog().traces()))
        .containsExactly("synthetic-2000", "synthetic-20000");
  }

  @Test
  void givesTheSameFiguresAsTernSimulateForTheSameTraceSpotSetAndSeed() throws Exception {
    ConsoleSimulations.Report report =
        new ConsoleSimulator(dir)
            .run(
                new ConsoleSimulations.Request(
                    "file:week.csv", null, null, "dir:spot", List.of(), 3),
                (phase, done, total) -> {});
    TernInProcess cli =
        TernInProcess.run(
            "simulate",
            "--jobs",
            dir.resolve("week.csv").toString(),
            "--spot",
            dir.resolve("spot").toString(),
            "--seed",
            "3",
            "-o",
            "json");

    assertThat(cli.exit()).as(cli.err()).isZero();
    assertThat(report.summaryJson().strip()).isEqualTo(cli.out().strip());
    assertThat(report.html()).startsWithIgnoringCase("<!doctype html>").contains("tern");
  }

  @Test
  void aSyntheticWorkloadReportsItsProgressAndHonoursThePolicies() {
    List<String> phases = new ArrayList<>();
    ConsoleSimulations.Report report =
        new ConsoleSimulator(null)
            .run(
                new ConsoleSimulations.Request(
                    "synthetic-2000", null, null, "synthetic", List.of("tern"), 1),
                (phase, done, total) -> {
                  synchronized (phases) {
                    phases.add(phase);
                  }
                });

    assertThat(report.summaryJson()).contains("\"policy\" : \"tern\"").contains("on-demand");
    assertThat(report.summaryJson()).doesNotContain("spot-greedy");
    assertThat(phases).isNotEmpty();
  }

  @Test
  void badInputNamesTheField() throws Exception {
    ConsoleSimulator simulator = new ConsoleSimulator(dir);
    Path upload = Files.writeString(dir.resolve("upload.csv"), "this is not a trace\n1,2\n");

    assertThatThrownBy(
            () ->
                simulator.run(
                    new ConsoleSimulations.Request(
                        null, upload, "u.csv", "synthetic", List.of(), 1),
                    (p, d, t) -> {}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("trace: ");
    assertThatThrownBy(
            () ->
                simulator.run(
                    new ConsoleSimulations.Request(
                        "file:week.csv", null, null, "dir:moon", List.of(), 1),
                    (p, d, t) -> {}))
        .hasMessage("spot: no spot set named dir:moon");
    Path binary =
        Files.write(dir.resolve("binary.csv"), new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1});
    assertThatThrownBy(
            () ->
                simulator.run(
                    new ConsoleSimulations.Request(
                        null, binary, "b.csv", "synthetic", List.of(), 1),
                    (p, d, t) -> {}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("trace: ");
    assertThatThrownBy(() -> new ConsoleSimulator(dir.resolve("missing")))
        .hasMessageStartingWith("--simulation-traces: ");

    TernInProcess scheduler =
        TernInProcess.run(
            "scheduler",
            "--zk",
            "127.0.0.1:1",
            "--simulation-traces",
            dir.resolve("missing").toString());
    assertThat(scheduler.exit()).isEqualTo(TernCommand.EXIT_BAD_INPUT);
    assertThat(scheduler.err()).contains("--simulation-traces: ").contains("missing");
  }

  private static List<String> ids(List<Choice> choices) {
    return choices.stream().map(Choice::id).toList();
  }
}
