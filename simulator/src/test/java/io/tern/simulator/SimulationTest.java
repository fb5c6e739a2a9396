package io.tern.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tern.simulator.report.HtmlReport;
import io.tern.simulator.report.SimulationSummary;
import io.tern.simulator.report.SummaryJson;
import io.tern.simulator.trace.TraceFormatException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SimulationTest {
  private static SimulationRequest request(long seed) {
    return SimulationRequest.of(TestPaths.resource("traces/small.csv"), "native")
        .withSpotDir(TestPaths.resource("spot/us-west-2a_v100_1.txt").getParent())
        .withSeed(seed);
  }

  @Test
  void sameSeedGivesByteIdenticalJson() {
    String first = SummaryJson.toJson(Simulation.run(request(42), ProgressListener.NONE));
    String second = SummaryJson.toJson(Simulation.run(request(42), ProgressListener.NONE));

    assertThat(first).isEqualTo(second);
    assertThat(first).contains("\"policy\" : \"tern\"").contains("\"savingsVsOnDemandUsd\"");
  }

  @Test
  void summaryHasEveryPolicyAndRoundTripsThroughJson() {
    SimulationSummary summary = Simulation.run(request(1), ProgressListener.NONE);

    assertThat(summary.policies())
        .extracting(p -> p.policy())
        .containsExactly("on-demand", "spot-greedy", "spot-checkpoint", "tern");
    assertThat(summary.jobs()).isEqualTo(3);
    assertThat(SummaryJson.readSummary(SummaryJson.toJson(summary))).isEqualTo(summary);
  }

  @Test
  void policiesCanBeChosenAndTheBaselineStays() {
    SimulationSummary summary =
        Simulation.run(request(1).withPolicies(List.of("tern")), ProgressListener.NONE);

    assertThat(summary.policies()).extracting(p -> p.policy()).containsExactly("on-demand", "tern");
  }

  @Test
  void htmlReportIsSelfContained(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("report.html");
    HtmlReport.write(Simulation.run(request(1), ProgressListener.NONE), file);

    String html = Files.readString(file);
    assertThat(html).contains("<svg").contains("Cost over time").contains("Queue length");
    assertThat(html).contains("Utilization").contains("Savings by policy");
    assertThat(html.replace("http://www.w3.org/2000/svg", "")).doesNotContain("http");
    assertThat(html).doesNotContain("<script src").doesNotContain("<link");
  }

  @Test
  void badInputIsATraceFormatException() {
    assertThatThrownBy(
            () ->
                Simulation.run(
                    SimulationRequest.of(TestPaths.resource("traces/missing-gpus.csv"), "native"),
                    ProgressListener.NONE))
        .isInstanceOf(TraceFormatException.class)
        .hasMessageContaining("gpus");
    assertThatThrownBy(
            () ->
                Simulation.run(
                    SimulationRequest.of(TestPaths.resource("traces/small.csv"), "parquet"),
                    ProgressListener.NONE))
        .isInstanceOf(TraceFormatException.class)
        .hasMessageContaining("unknown trace format");
  }
}
