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
    // Outside off-peak windows (the replay sets none) a job that may use either capacity takes the
    // cheapest free GPU, which on this trace is mostly an on-demand pool of a cheaper model than a
    // free spot one; deadline jobs take spot first. Spot carries part of the work, and the split
    // says where the saving comes from rather than crediting it all to spot.
    assertThat(tern.spotShareOfGpuHours()).isBetween(0.05, 0.95);
    SavingsSplit split = tern.savingsSplit();
    assertThat(split.fromSpotPricesUsd() + split.fromGpuModelsUsd() + split.fromLostWorkUsd())
        .isCloseTo(tern.savingsVsOnDemandUsd(), within(0.031));
    assertThat(split.fromSpotPricesUsd()).isPositive();
    assertThat(split.fromGpuModelsUsd()).isPositive();
  }
}
