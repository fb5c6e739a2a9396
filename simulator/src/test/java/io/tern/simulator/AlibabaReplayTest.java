package io.tern.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.tern.simulator.report.PolicyResult;
import io.tern.simulator.report.SavingsSplit;
import io.tern.simulator.report.SimulationSummary;
import io.tern.simulator.trace.AlibabaTraceImporter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The Alibaba GPU trace replayed with the shipped spot traces, as {@code tern simulate --format
 * alibaba-v2023 ... --spot ../shared/traces/cant-be-late-spot} does it: Tern, run by the production
 * core, is cheaper than spot with periodic checkpoints and keeps every deadline of the seeded share
 * of pods that has one; the saving is split like with like.
 */
class AlibabaReplayTest {
  @Test
  void ternIsCheaperThanSpotCheckpointAndMissesNoDeadline() {
    Path traces = TestPaths.sharedTraces();
    SimulationSummary summary =
        Simulation.run(
            SimulationRequest.of(
                    traces.resolve("alibaba-gpu-v2023/openb_pod_list_default.csv"),
                    AlibabaTraceImporter.FORMAT)
                .withSpotDir(traces.resolve("cant-be-late-spot"))
                .withPolicies(List.of("spot-checkpoint", "tern")),
            ProgressListener.NONE);

    PolicyResult onDemand = summary.policy("on-demand");
    PolicyResult checkpoint = summary.policy("spot-checkpoint");
    PolicyResult tern = summary.policy("tern");
    System.out.printf(
        "alibaba replay: on-demand $%.2f; spot-checkpoint $%.2f (%d misses); tern $%.2f = spot"
            + " $%.2f + on-demand $%.2f, spot share %.4f, %d/%d misses, split %s%n",
        onDemand.costUsd(),
        checkpoint.costUsd(),
        checkpoint.deadlineMisses(),
        tern.costUsd(),
        tern.spotCostUsd(),
        tern.onDemandCostUsd(),
        tern.spotShareOfGpuHours(),
        tern.deadlineMisses(),
        tern.deadlineJobs(),
        tern.savingsSplit());
    assertThat(tern.deadlineJobs()).isGreaterThan(1000);
    assertThat(tern.deadlineMisses()).isZero();
    assertThat(tern.jobsUnfinished()).isZero();
    assertThat(tern.costUsd()).isLessThan(checkpoint.costUsd());
    // Deadline jobs whose spot starts cost them their allowance finish on the cheapest on-demand
    // pool (the core's cost bound), so a good share of tern's GPU-hours is on-demand; still, spot
    // carries a large part of it.
    assertThat(tern.spotShareOfGpuHours()).isGreaterThan(0.4);
    SavingsSplit split = tern.savingsSplit();
    assertThat(split.fromSpotPricesUsd() + split.fromGpuModelsUsd() + split.fromLostWorkUsd())
        .isCloseTo(tern.savingsVsOnDemandUsd(), within(0.031));
    // Most of the saving comes from spot prices, not from running on other GPU models.
    assertThat(split.fromSpotPricesUsd()).isGreaterThan(0.5 * tern.savingsVsOnDemandUsd());
  }
}
