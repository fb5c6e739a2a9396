package io.tern.simulator.policy;

import io.tern.scheduler.core.model.CapacityPreference;
import io.tern.scheduler.core.model.PriorityClass;
import io.tern.simulator.ProgressListener;
import io.tern.simulator.engine.ClusterSimulation;
import io.tern.simulator.engine.RunOutcome;
import io.tern.simulator.engine.SimulationSettings;
import io.tern.simulator.spot.GpuPrice;
import io.tern.simulator.spot.PoolTimeline;
import io.tern.simulator.spot.PriceTable;
import io.tern.simulator.spot.SpotFleetModel;
import io.tern.simulator.spot.SpotTrace;
import io.tern.simulator.trace.TraceJob;
import io.tern.simulator.trace.TraceNode;
import java.util.List;

/**
 * Tern in the single-job study: one job replayed through the cluster simulation ({@link
 * ClusterSimulation}: the production core, the shared job lifecycle and a simulated cloud), the
 * driver {@code tern simulate --jobs ... --spot DIR} runs, set up as the study's model:
 *
 * <ul>
 *   <li>one spot node whose pool follows the trace from slot 0 (trace second 0), so the reclaims
 *       and returns the core has seen of it by the job's submit are the trace's; its notice comes
 *       at the reclaim and the save takes no time, so a reclaimed job keeps its progress to the end
 *       of its last spot slot, as every policy of the study does;
 *   <li>an elastic on-demand pool of one node that is ready at once (no launch delay);
 *   <li>every attempt, the first too, spends the changeover starting before it works, billed on the
 *       node it starts on; nothing else is spent on a restart;
 *   <li>the core counts the changeover per restart and a safety margin of one slot, and plans at
 *       every slot start and at the instant of every change (a move it asks for is carried out at
 *       once, as in the live scheduler).
 * </ul>
 *
 * The job is checkpointable (every 30 min), spot-ok, with the setting's work and deadline.
 */
public final class SingleJobReplay {
  private static final String JOB = "job";
  // A price class of its own, priced with the run's spot and on-demand prices.
  private static final String MODEL = "STUDY";
  private static final long CHECKPOINT_INTERVAL_SECONDS = 1800;

  private SingleJobReplay() {}

  /**
   * Replays the job submitted at {@code startSlot} of {@code trace}.
   *
   * @param spotPerHour the spot node's price
   * @param onDemandPerHour the on-demand node's price
   */
  public static SingleJobOutcome run(
      SpotTrace trace,
      int startSlot,
      SingleJobSetting setting,
      double spotPerHour,
      double onDemandPerHour) {
    long slot = trace.slotSeconds();
    long submit = startSlot * slot;
    long changeover = SingleJobSetting.seconds(setting.restartOverheadHours());
    TraceJob job =
        new TraceJob(
            JOB,
            submit,
            SingleJobSetting.seconds(setting.jobHours()),
            1,
            1000,
            1,
            "study",
            PriorityClass.NORMAL,
            CapacityPreference.SPOT_OK,
            CHECKPOINT_INTERVAL_SECONDS,
            submit + SingleJobSetting.seconds(setting.deadlineHours()),
            List.of(),
            0);
    TraceNode node = new TraceNode("spot-1", 1, MODEL, 16);
    PoolTimeline timeline =
        new PoolTimeline(
            trace.pool(), trace.pool(), trace.availability().clone(), trace.slotSeconds(), 0);
    SimulationSettings settings =
        SimulationSettings.defaults()
            .withCloud(0, 0, 0, changeover, 0)
            .withScheduling(0, slot)
            .withDeadlineRule(changeover, slot);
    PriceTable prices =
        PriceTable.defaults()
            .with(MODEL, new GpuPrice(onDemandPerHour, spotPerHour, "the study's instance prices"));
    RunOutcome run =
        new ClusterSimulation(
                List.of(job),
                List.of(node),
                ClusterPolicy.TERN,
                settings,
                prices,
                SpotFleetModel.onePool(timeline, 1),
                ProgressListener.NONE)
            .run();
    long finish = run.finishOf(JOB);
    return new SingleJobOutcome(
        "tern",
        run.costOf(JOB),
        finish < 0 ? Double.POSITIVE_INFINITY : (finish - submit) / 3600.0,
        run.deadlineMetOf(JOB),
        run.spotGpuSecondsOf(JOB) / 3600,
        run.onDemandGpuSecondsOf(JOB) / 3600,
        run.attemptsOf(JOB));
  }
}
