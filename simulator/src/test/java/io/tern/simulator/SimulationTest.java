package io.tern.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.tern.simulator.bench.SyntheticWorkload;
import io.tern.simulator.engine.SimulationSettings;
import io.tern.simulator.policy.ClusterPolicy;
import io.tern.simulator.report.HtmlReport;
import io.tern.simulator.report.PolicyResult;
import io.tern.simulator.report.SavingsSplit;
import io.tern.simulator.report.SimulationSummary;
import io.tern.simulator.report.SummaryJson;
import io.tern.simulator.spot.PriceTable;
import io.tern.simulator.trace.TraceFormatException;
import io.tern.simulator.trace.Workload;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
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
  void everyPolicyShowsSpotAndOnDemandDollarsAndASplitThatAddsUpToItsSaving() {
    SimulationSummary summary =
        replay(
            SyntheticWorkload.generate(100, 8, 7),
            ClusterPolicy.all(),
            SimulationSettings.defaults().withScheduling(60, 600),
            ProgressListener.NONE);

    for (PolicyResult p : summary.policies()) {
      assertThat(p.spotCostUsd() + p.onDemandCostUsd())
          .as(p.policy())
          .isCloseTo(p.costUsd(), within(0.011));
      assertThat(p.spotShareOfGpuHours())
          .as(p.policy())
          .isCloseTo(p.spotGpuHours() / (p.spotGpuHours() + p.onDemandGpuHours()), within(0.0002));
      assertThat(
              p.gpuModels().values().stream().mapToDouble(m -> m.spotUsd() + m.onDemandUsd()).sum())
          .as(p.policy())
          .isCloseTo(p.costUsd(), within(0.05));
      SavingsSplit split = p.savingsSplit();
      assertThat(split.fromSpotPricesUsd() + split.fromGpuModelsUsd() + split.fromLostWorkUsd())
          .as(p.policy())
          .isCloseTo(p.savingsVsOnDemandUsd(), within(0.031));
      assertThat(split.fromSpotPricesUsd())
          .as(p.policy())
          .isCloseTo(p.costAtOnDemandPricesUsd() - p.costUsd(), within(0.011));
    }
    PolicyResult baseline = summary.policy("on-demand");
    assertThat(baseline.savingsSplit()).isEqualTo(new SavingsSplit(0, 0, 0));
    assertThat(baseline.spotCostUsd()).isZero();
    assertThat(summary.policy("spot-checkpoint").spotShareOfGpuHours()).isEqualTo(1.0);
    assertThat(summary.policy("spot-checkpoint").savingsSplit().fromSpotPricesUsd()).isPositive();
    assertThat(summary.policy("spot-greedy").savingsSplit().fromLostWorkUsd()).isNegative();
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
    assertThat(html)
        .contains("<th>spot $</th><th>on-demand $</th><th>spot share of GPU-h</th>")
        .contains("Where the saving comes from")
        .contains("<th>from spot prices $</th><th>from GPU models $</th><th>from lost work $</th>")
        .contains("<h2>GPU models</h2>");
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

  @Test
  void concurrentReplaysGiveTheResultsOfReplaysOneByOne() {
    Workload workload = SyntheticWorkload.generate(100, 8, 7);
    SimulationSettings settings = SimulationSettings.defaults().withScheduling(60, 600);
    List<ClusterPolicy> policies = ClusterPolicy.all();

    SimulationSummary together = replay(workload, policies, settings, ProgressListener.NONE);
    SimulationSummary again = replay(workload, policies, settings, ProgressListener.NONE);

    assertThat(SummaryJson.toJson(again)).isEqualTo(SummaryJson.toJson(together));
    assertThat(together.policies()).allSatisfy(p -> assertThat(p.jobsFinished()).isEqualTo(100));
    assertThat(together.policies().get(1).reclaims()).isPositive();
    // Tern saves on the notice: its jobs are reclaimed as often, and lose nothing to it.
    PolicyResult tern =
        together.policies().stream()
            .filter(p -> p.policy().equals("tern"))
            .findFirst()
            .orElseThrow();
    assertThat(tern.reclaims()).isPositive();
    for (int i = 0; i < policies.size(); i++) {
      // One policy replays on the calling thread, alone.
      PolicyResult alone =
          replay(workload, List.of(policies.get(i)), settings, ProgressListener.NONE)
              .policies()
              .get(0)
              .withSavingsAgainst(together.policies().get(0));
      assertThat(SummaryJson.toJson(alone))
          .isEqualTo(SummaryJson.toJson(together.policies().get(i)));
    }
  }

  @Test
  void aFailingReplayThrowsItsOwnExceptionAndTheFirstPolicysFailureWins() {
    Workload workload = SyntheticWorkload.generate(100, 8, 3);
    SimulationSettings settings = SimulationSettings.defaults().withScheduling(60, 600);
    IllegalArgumentException greedy = new IllegalArgumentException("spot-greedy failed");
    IllegalStateException tern = new IllegalStateException("tern failed");
    ProgressListener failing =
        (phase, done, total) -> {
          if (phase.equals("replay tern")) {
            throw tern;
          }
          if (phase.equals("replay spot-greedy") && done == total) {
            throw greedy;
          }
        };

    assertThatThrownBy(
            () ->
                replay(
                    workload,
                    List.of(ClusterPolicy.ON_DEMAND, ClusterPolicy.TERN),
                    settings,
                    failing))
        .isSameAs(tern);
    assertThatThrownBy(() -> replay(workload, ClusterPolicy.all(), settings, failing))
        .isSameAs(greedy);
  }

  @Test
  void progressOfConcurrentReplaysReachesTheEndOfEveryPhase() {
    Map<String, Long> last = new ConcurrentHashMap<>();
    replay(
        SyntheticWorkload.generate(100, 8, 5),
        ClusterPolicy.all(),
        SimulationSettings.defaults().withScheduling(60, 600),
        (phase, done, total) ->
            last.merge(
                phase,
                done,
                (before, now) -> {
                  assertThat(now).isGreaterThanOrEqualTo(before);
                  return now;
                }));

    assertThat(last)
        .containsOnlyKeys(
            "replay on-demand", "replay spot-greedy", "replay spot-checkpoint", "replay tern")
        .allSatisfy((phase, done) -> assertThat(done).isEqualTo(100L));
  }

  private static SimulationSummary replay(
      Workload workload,
      List<ClusterPolicy> policies,
      SimulationSettings settings,
      ProgressListener progress) {
    return Simulation.replay(
        workload, "synthetic", policies, settings, PriceTable.defaults(), List.of(), 11, progress);
  }
}
