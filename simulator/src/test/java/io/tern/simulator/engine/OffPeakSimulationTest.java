package io.tern.simulator.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.tern.offpeak.WindowSpec;
import io.tern.scheduler.core.model.CapacityPreference;
import io.tern.scheduler.core.model.PriorityClass;
import io.tern.simulator.ProgressListener;
import io.tern.simulator.policy.ClusterPolicy;
import io.tern.simulator.spot.PriceTable;
import io.tern.simulator.spot.SpotFleetModel;
import io.tern.simulator.trace.TraceJob;
import io.tern.simulator.trace.TraceNode;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A FinOps window replayed: low-priority jobs without a deadline wait for it under the Tern policy,
 * and the window opens at the trace's local hours in its zone. The trace starts on Monday
 * 2026-07-06 at 00:00 UTC; jobs are on-demand so spot capacity plays no part.
 */
class OffPeakSimulationTest {
  private static final long H = 3600;
  private static final Instant MONDAY = Instant.parse("2026-07-06T00:00:00Z");

  private static TraceJob job(String id, PriorityClass priority) {
    return new TraceJob(
        id,
        0,
        H,
        1,
        1000,
        1,
        "vision",
        priority,
        CapacityPreference.ON_DEMAND,
        0,
        TraceJob.NO_DEADLINE,
        List.of(),
        16);
  }

  private static RunOutcome replay(ClusterPolicy policy, String zone) {
    List<TraceNode> nodes = List.of(new TraceNode("n1", 1, "V100", 16));
    OffPeakReplay offPeak =
        new OffPeakReplay(
            List.of(
                new WindowSpec(
                    "weeknights", "0 0 20 ? * MON-FRI", Duration.ofHours(10), ZoneId.of(zone))),
            MONDAY);
    return new ClusterSimulation(
            List.of(job("low", PriorityClass.LOW), job("normal", PriorityClass.NORMAL)),
            nodes,
            policy,
            SimulationSettings.defaults().withOffPeak(offPeak),
            PriceTable.defaults(),
            SpotFleetModel.build(nodes, List.of(), 7, false),
            ProgressListener.NONE)
        .run();
  }

  @Test
  void aLowPriorityJobWaitsForTheWindowInItsZone() {
    RunOutcome utc = replay(ClusterPolicy.TERN, "UTC");
    RunOutcome berlin = replay(ClusterPolicy.TERN, "Europe/Berlin");

    assertThat(utc.finishOf("normal")).as("not deferrable: runs at once").isLessThan(2 * H);
    assertThat(utc.finishOf("low")).isBetween(20 * H + H, 20 * H + H + 900);
    assertThat(utc.finishOf("low") - berlin.finishOf("low"))
        .as("20:00 in Berlin (CEST) is 18:00 UTC")
        .isEqualTo(2 * H);
    assertThat(utc.attemptsOf("low")).isEqualTo(1);
  }

  @Test
  void otherPoliciesDoNotWait() {
    RunOutcome onDemand = replay(ClusterPolicy.ON_DEMAND, "UTC");

    assertThat(onDemand.finishOf("low")).isLessThan(3 * H);
  }
}
