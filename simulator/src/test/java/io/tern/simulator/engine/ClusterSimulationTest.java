package io.tern.simulator.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.tern.simulator.ProgressListener;
import io.tern.simulator.TestPaths;
import io.tern.simulator.policy.ClusterPolicy;
import io.tern.simulator.report.PolicyResult;
import io.tern.simulator.report.SavingsSplit;
import io.tern.simulator.spot.PriceTable;
import io.tern.simulator.spot.SpotFleetModel;
import io.tern.simulator.spot.SpotTraceReader;
import io.tern.simulator.trace.NativeTraceReader;
import io.tern.simulator.trace.NodeListReader;
import io.tern.simulator.trace.TraceJob;
import io.tern.simulator.trace.TraceNode;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * One spot-only 2 h job (checkpoint every 700 s) on one V100 node whose spot capacity is gone from
 * 1800 s to 3000 s. Node up again at 3180 s (180 s launch); resume restores for 120 s. Spot V100 is
 * $0.9731/h, on-demand $3.06/h.
 */
class ClusterSimulationTest {
  private static final double SPOT_PER_SECOND = 0.9731 / 3600;

  private static RunOutcome replay(ClusterPolicy policy) {
    return replay(policy, "traces/one-job.csv");
  }

  private static RunOutcome replay(ClusterPolicy policy, String trace) {
    return replay(
        policy, NativeTraceReader.read(TestPaths.resource(trace)), SimulationSettings.defaults());
  }

  private static RunOutcome replay(
      ClusterPolicy policy, List<TraceJob> jobs, SimulationSettings settings) {
    List<TraceNode> nodes = NodeListReader.read(TestPaths.resource("traces/one-node.csv"));
    SpotFleetModel spot =
        SpotFleetModel.build(
            nodes,
            List.of(SpotTraceReader.read(TestPaths.resource("spot/us-west-2a_v100_1.txt"))),
            7,
            false);
    return new ClusterSimulation(
            jobs, nodes, policy, settings, PriceTable.defaults(), spot, ProgressListener.NONE)
        .run();
  }

  @Test
  void anInterruptedReplayStops() {
    Thread.currentThread().interrupt();
    try {
      assertThatThrownBy(() -> replay(ClusterPolicy.TERN))
          .isInstanceOf(java.util.concurrent.CancellationException.class)
          .hasMessageContaining("tern");
    } finally {
      Thread.interrupted();
    }
  }

  @Test
  void onDemandRunsStraightThrough() {
    RunOutcome run = replay(ClusterPolicy.ON_DEMAND);

    assertThat(run.finishOf("solo")).isEqualTo(7200);
    assertThat(run.costOf("solo")).isCloseTo(7200 * 3.06 / 3600, within(1e-9));
    assertThat(run.attemptsOf("solo")).isEqualTo(1);
  }

  @Test
  void greedyLosesEverythingAndStartsOver() {
    RunOutcome run = replay(ClusterPolicy.SPOT_GREEDY);

    assertThat(run.lostGpuSecondsOf("solo")).isEqualTo(1800);
    assertThat(run.finishOf("solo")).isEqualTo(3180 + 7200);
    assertThat(run.costOf("solo")).isCloseTo((1800 + 7200) * SPOT_PER_SECOND, within(1e-9));
    assertThat(run.attemptsOf("solo")).isEqualTo(2);
  }

  @Test
  void periodicCheckpointsKeepWorkUpToTheLastCheckpoint() {
    RunOutcome run = replay(ClusterPolicy.SPOT_CHECKPOINT);

    // checkpoints at 700 and 1400 s of work; reclaim at 1800 loses 400 s
    assertThat(run.lostGpuSecondsOf("solo")).isEqualTo(400);
    assertThat(run.finishOf("solo")).isEqualTo(3180 + 120 + (7200 - 1400));
    assertThat(run.costOf("solo"))
        .isCloseTo((1800 + (9100 - 3180)) * SPOT_PER_SECOND, within(1e-9));
  }

  @Test
  void ternCheckpointsInTheNoticeAndLosesNothing() {
    RunOutcome run = replay(ClusterPolicy.TERN);

    // notice at 1680 s: checkpoint of 1680 s of work, saved by 1740 s
    assertThat(run.lostGpuSecondsOf("solo")).isZero();
    assertThat(run.finishOf("solo")).isEqualTo(3180 + 120 + (7200 - 1680));
    assertThat(run.costOf("solo"))
        .isCloseTo((1740 + (8820 - 3180)) * SPOT_PER_SECOND, within(1e-9));
  }

  /** The solo job with {@code seconds} of work, checkpointing every 700 s. */
  private static List<TraceJob> solo(long seconds) {
    return List.of(
        new TraceJob(
            "solo",
            0,
            seconds,
            1,
            1000,
            1,
            "vision",
            io.tern.scheduler.core.model.PriorityClass.NORMAL,
            io.tern.scheduler.core.model.CapacityPreference.SPOT_ONLY,
            700,
            TraceJob.NO_DEADLINE,
            List.of(),
            0));
  }

  @Test
  void aJobWhoseWorkEndsAsItsCapacityGoesHasFinished() {
    // 1,800 s of work on spot that is reclaimed at 1,800 s: done, nothing lost or rerun.
    RunOutcome run = replay(ClusterPolicy.SPOT_GREEDY, solo(1800), SimulationSettings.defaults());

    assertThat(run.finishOf("solo")).isEqualTo(1800);
    assertThat(run.attemptsOf("solo")).isEqualTo(1);
    assertThat(run.lostGpuSecondsOf("solo")).isZero();
  }

  @Test
  void aSaveThatEndsAsTheCapacityGoesIsKept() {
    // Notice 60 s before the reclaim at 1,800 s, a 60 s save: the checkpoint of 1,740 s of work is
    // written as the node goes, so nothing is lost (not the 340 s since the periodic one at 1,400).
    RunOutcome run =
        replay(
            ClusterPolicy.TERN,
            solo(7200),
            SimulationSettings.defaults().withCloud(60, 60, 120, 0, 180));

    assertThat(run.lostGpuSecondsOf("solo")).isZero();
    assertThat(run.finishOf("solo")).isEqualTo(3180 + 120 + (7200 - 1740));
  }

  @Test
  void everyAttemptPaysItsStartTimeTheFirstToo() {
    RunOutcome run =
        replay(
            ClusterPolicy.ON_DEMAND,
            solo(7200),
            SimulationSettings.defaults().withCloud(120, 60, 120, 300, 180));

    assertThat(run.finishOf("solo")).isEqualTo(300 + 7200);
    assertThat(run.costOf("solo")).isCloseTo((300 + 7200) * 3.06 / 3600, within(1e-9));
  }

  /**
   * A spot-ok deadline job submitted while spot is gone (reclaimed at 1680 s, back at 3180 s), with
   * 4,300 s of slack for 7,200 s of work: past the reserve of 15 % of its work (1,080 s) it may
   * wait for spot 3,220 s before its uniform line starts, so it does not take on-demand at submit
   * (1900 s) but starts on spot once the node is back, as the live scheduler would run it. (A job
   * that starts on on-demand and moves back to spot: {@code CantBeLateTest}.)
   */
  @Test
  void aDeadlineJobWithSlackToSpareWaitsForSpotRatherThanStartOnOnDemand() {
    RunOutcome run = replay(ClusterPolicy.TERN, "traces/deadline-job-spot-returns.csv");
    PolicyResult result = run.toResult();

    assertThat(run.attemptsOf("back")).isEqualTo(1);
    assertThat(result.onDemandCostUsd()).isZero();
    assertThat(result.spotCostUsd()).isPositive();
    assertThat(result.deadlineMisses()).isZero();
    assertThat(run.finishOf("back")).as("started as the node came back").isEqualTo(3180 + 7200);
  }

  @Test
  void costsAreSplitBySpotAndOnDemandAndTheSavingByWhereItComesFrom() {
    double onDemandPerSecond = 3.06 / 3600;
    PolicyResult baseline = replay(ClusterPolicy.ON_DEMAND).toResult();
    PolicyResult checkpoint =
        replay(ClusterPolicy.SPOT_CHECKPOINT).toResult().withSavingsAgainst(baseline);
    PolicyResult tern = replay(ClusterPolicy.TERN).toResult().withSavingsAgainst(baseline);

    assertThat(baseline.onDemandCostUsd()).isEqualTo(baseline.costUsd()).isEqualTo(6.12);
    assertThat(baseline.spotShareOfGpuHours()).isZero();
    assertThat(baseline.costAtOnDemandPricesUsd()).isEqualTo(baseline.costUsd());
    assertThat(baseline.withSavingsAgainst(baseline).savingsSplit())
        .isEqualTo(new SavingsSplit(0, 0, 0));

    // Billed 1,800 + 5,920 s on spot, of which 400 s lost and 120 s restoring.
    assertThat(checkpoint.spotCostUsd()).isEqualTo(checkpoint.costUsd());
    assertThat(checkpoint.onDemandCostUsd()).isZero();
    assertThat(checkpoint.spotShareOfGpuHours()).isEqualTo(1.0);
    assertThat(checkpoint.costAtOnDemandPricesUsd())
        .isCloseTo(7720 * onDemandPerSecond, within(0.005));
    assertThat(checkpoint.wasteAtOnDemandPricesUsd())
        .isCloseTo(520 * onDemandPerSecond, within(0.005));
    SavingsSplit split = checkpoint.savingsSplit();
    // The same model and the same 7,200 s of useful work: nothing comes from GPU models.
    assertThat(split.fromGpuModelsUsd()).isCloseTo(0, within(0.011));
    assertThat(split.fromLostWorkUsd()).isCloseTo(-520 * onDemandPerSecond, within(0.011));
    assertThat(split.fromSpotPricesUsd())
        .isCloseTo(7720 * (onDemandPerSecond - SPOT_PER_SECOND), within(0.011));
    assertThat(split.fromSpotPricesUsd() + split.fromGpuModelsUsd() + split.fromLostWorkUsd())
        .isCloseTo(checkpoint.savingsVsOnDemandUsd(), within(0.021));

    // Tern saves in the notice: 60 s saving and 120 s restoring, nothing lost.
    assertThat(tern.wasteAtOnDemandPricesUsd()).isCloseTo(180 * onDemandPerSecond, within(0.005));
    assertThat(tern.savingsSplit().fromGpuModelsUsd()).isCloseTo(0, within(0.011));
    assertThat(tern.gpuModels()).containsOnlyKeys("V100");
    assertThat(tern.gpuModels().get("V100").spotGpuHours()).isEqualTo(tern.spotGpuHours());
    assertThat(tern.gpuModels().get("V100").spotUsd()).isEqualTo(tern.spotCostUsd());
  }

  /**
   * A round reuses a job's core allocation until {@code nextCheckpointChange}: the checkpoint count
   * it was built with must hold until then and change right then (checked second by second).
   */
  @Test
  void aRoundAllocationIsValidExactlyUntilTheNextCheckpointCountChange() {
    TraceJob trace = solo(1000).get(0);
    for (long interval : new long[] {0, 1, 7, 300, 1000, 5000}) {
      for (long remaining : new long[] {0, 299, 300, 1000}) {
        SimJob job = new SimJob(0, trace, "t", interval);
        job.workStart = 500;
        job.remaining = remaining;
        for (long t = 400; t < 2600; t++) {
          job.allocationCheckpoints = checkpoints(job, t);
          long until = ClusterSimulation.nextCheckpointChange(job);
          assertThat(until)
              .as("interval %d remaining %d at %d", interval, remaining, t)
              .isGreaterThan(t);
          long end = Math.min(until, 2600);
          for (long u = t; u < end; u += Math.max(1, (end - t) / 50)) {
            assertThat(checkpoints(job, u)).isEqualTo(job.allocationCheckpoints);
          }
          if (until != Long.MAX_VALUE) {
            assertThat(checkpoints(job, until)).isEqualTo(job.allocationCheckpoints + 1);
          } else {
            assertThat(checkpoints(job, 1_000_000)).isEqualTo(job.allocationCheckpoints);
          }
        }
      }
    }
  }

  private static long checkpoints(SimJob job, long t) {
    return job.checkpointInterval > 0 ? job.committedWork(t) / job.checkpointInterval : 0;
  }
}
