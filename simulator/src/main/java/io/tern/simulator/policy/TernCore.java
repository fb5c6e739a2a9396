package io.tern.simulator.policy;

import io.tern.scheduler.core.EngineConfig;
import io.tern.scheduler.core.PlacementEngine;
import io.tern.scheduler.core.model.Allocation;
import io.tern.scheduler.core.model.CapacityPreference;
import io.tern.scheduler.core.model.CapacityType;
import io.tern.scheduler.core.model.Checkpointing;
import io.tern.scheduler.core.model.ClusterSnapshot;
import io.tern.scheduler.core.model.Job;
import io.tern.scheduler.core.model.Node;
import io.tern.scheduler.core.model.NodeAssignment;
import io.tern.scheduler.core.model.QueueSnapshot;
import io.tern.scheduler.core.plan.CheckpointRequest;
import io.tern.scheduler.core.plan.Placement;
import io.tern.scheduler.core.plan.Plan;
import io.tern.scheduler.core.policy.OffPeakStatus;
import io.tern.scheduler.core.policy.PolicySnapshot;
import io.tern.scheduler.core.policy.PoolOffer;
import io.tern.scheduler.core.policy.SpotPolicy;
import io.tern.scheduler.core.policy.SpotPoolHistory;
import io.tern.simulator.spot.SpotTrace;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.TreeMap;

/**
 * Tern in the single-job study: the production core ({@link PlacementEngine#plan}) decides every
 * slot, and this driver only carries its plan out, the way the live scheduler does. The cluster is
 * what the trace says: an on-demand node always, a spot node of the trace's pool in the slots that
 * have spot capacity; the policy carries what a scheduler watching the pool has seen of it up to
 * now (its reclaims, since when its capacity is back). The job is a checkpointable spot-ok job with
 * a deadline and known work. At each slot start, a spot instance whose capacity is gone is
 * reclaimed (the job checkpoints on the notice and is queued again); then the core plans, and its
 * plan is applied: a placement starts an attempt on that node, a checkpoint request ({@code
 * DEADLINE_MIGRATION}, {@code RETURN_TO_SPOT}) requeues the job, after which the core plans again
 * at the same instant, and a job left pending idles for the slot. The engine is configured with the
 * study's restart overhead, and a safety margin of one slot (the time between two plans here).
 */
public final class TernCore implements SingleJobPolicy {
  private static final String JOB = "job";
  private static final String ON_DEMAND_NODE = "on-demand-1";
  private static final String SPOT_NODE = "spot-1";
  private static final String ON_DEMAND_POOL = "on-demand";

  private final SpotTrace trace;
  private final int startSlot;
  private final long unitSeconds;
  private final PlacementEngine engine;
  private final Node onDemandNode;
  private final Node spotNode;
  private final List<Node> withSpot;
  private final List<Node> withoutSpot;
  private final List<PoolOffer> pools;
  private final Instant submitted;
  private final Instant deadline;
  private final Duration work;

  // Per slot of the trace: reclaims seen up to it, the slot of the latest one (-1: none), and the
  // first slot of the spot run it is in (-1: no spot in it).
  private final int[] reclaimsBy;
  private final int[] lastLossBy;
  private final int[] upSince;

  private SlotMode running = SlotMode.IDLE;
  private Job attemptJob;
  private Instant attemptStart;
  private int attempts;
  private String lastReclaimedPool;
  private boolean resuming;
  private Instant queuedAt;
  private Instant spotPreferredUntil;
  private double spent;
  private final double spotPerHour;
  private final double onDemandPerHour;
  private int returnsToSpot;
  private int deadlineMigrations;

  /**
   * @param trace the spot trace
   * @param startSlot the job's submit slot
   * @param setting the job
   * @param spotPerHour the spot node's price
   * @param onDemandPerHour the on-demand node's price
   */
  public TernCore(
      SpotTrace trace,
      int startSlot,
      SingleJobSetting setting,
      double spotPerHour,
      double onDemandPerHour) {
    this.trace = trace;
    this.startSlot = startSlot;
    this.spotPerHour = spotPerHour;
    this.onDemandPerHour = onDemandPerHour;
    this.unitSeconds = setting.unitSeconds(trace.slotSeconds());
    EngineConfig config =
        EngineConfig.builder()
            .deadlineRule(
                Duration.ofSeconds(SingleJobSetting.seconds(setting.restartOverheadHours())),
                Duration.ofSeconds(trace.slotSeconds()))
            .build();
    this.engine = new PlacementEngine(config);
    this.onDemandNode =
        Node.of(
            ON_DEMAND_NODE,
            CapacityType.ON_DEMAND,
            ON_DEMAND_POOL,
            onDemandPerHour,
            1,
            "GPU",
            16_384,
            8,
            65_536);
    this.spotNode =
        Node.of(
            SPOT_NODE, CapacityType.SPOT, trace.pool(), spotPerHour, 1, "GPU", 16_384, 8, 65_536);
    this.withSpot = List.of(onDemandNode, spotNode);
    this.withoutSpot = List.of(onDemandNode);
    // The pools as a live cluster configures them, so the core knows both prices even while the
    // trace has no spot; none can launch a node (the trace is the pool's whole capacity).
    this.pools =
        List.of(
            new PoolOffer(
                trace.pool(),
                CapacityType.SPOT,
                "spot",
                "",
                1,
                "GPU",
                16_384,
                8,
                65_536,
                spotPerHour,
                0),
            new PoolOffer(
                ON_DEMAND_POOL,
                CapacityType.ON_DEMAND,
                "on-demand",
                "",
                1,
                "GPU",
                16_384,
                8,
                65_536,
                onDemandPerHour,
                0));
    this.submitted = slotStart(startSlot);
    this.deadline = submitted.plusSeconds(SingleJobSetting.seconds(setting.deadlineHours()));
    this.work = Duration.ofSeconds(SingleJobSetting.seconds(setting.jobHours()));
    this.queuedAt = submitted;
    int n = trace.slots();
    reclaimsBy = new int[n];
    lastLossBy = new int[n];
    upSince = new int[n];
    int reclaims = 0;
    int lastLoss = -1;
    for (int i = 0; i < n; i++) {
      boolean up = trace.available(i);
      if (i > 0 && trace.available(i - 1) && !up) {
        reclaims++;
        lastLoss = i;
      }
      reclaimsBy[i] = reclaims;
      lastLossBy[i] = lastLoss;
      upSince[i] = !up ? -1 : i > 0 && upSince[i - 1] >= 0 ? upSince[i - 1] : i;
    }
  }

  @Override
  public String name() {
    return "tern";
  }

  /** Times the core moved the job from on-demand back to spot. */
  public int returnsToSpot() {
    return returnsToSpot;
  }

  /** Times the core moved the job from spot to on-demand for its deadline. */
  public int deadlineMigrations() {
    return deadlineMigrations;
  }

  @Override
  public SlotMode decide(SlotState state) {
    Instant now = submitted.plusSeconds(state.elapsed() * unitSeconds);
    int index = (startSlot + state.slot()) % trace.slots();
    Duration left = Duration.ofSeconds(state.remaining() * unitSeconds);
    if (running == SlotMode.SPOT && state.previous() != SlotMode.SPOT) {
      // Reclaimed at this slot start: checkpointed on the notice, queued again.
      lastReclaimedPool = trace.pool();
      requeue(now, null);
    }
    List<Node> nodes = state.spotAvailable() ? withSpot : withoutSpot;
    PolicySnapshot policy =
        new PolicySnapshot(
            OffPeakStatus.NO_WINDOWS, new TreeMap<>(), pools, new TreeMap<>(), history(index));
    for (int round = 0; round < 4; round++) {
      Plan plan;
      if (running == SlotMode.IDLE) {
        Job job = job(left);
        plan =
            engine.plan(
                ClusterSnapshot.of(nodes, List.of()), QueueSnapshot.of(List.of(job)), policy, now);
        Placement placement = plan.placements().isEmpty() ? null : plan.placements().get(0);
        if (placement == null) {
          return SlotMode.IDLE;
        }
        attempts = placement.attempt();
        attemptJob = job;
        attemptStart = now;
        running =
            placement.capacityType() == CapacityType.SPOT ? SlotMode.SPOT : SlotMode.ON_DEMAND;
        return running;
      }
      Allocation allocation =
          new Allocation(
              attemptJob,
              attempts,
              running == SlotMode.SPOT ? CapacityType.SPOT : CapacityType.ON_DEMAND,
              List.of(
                  new NodeAssignment(
                      running == SlotMode.SPOT ? SPOT_NODE : ON_DEMAND_NODE, List.of(0))),
              attemptStart,
              null,
              false);
      plan =
          engine.plan(
              ClusterSnapshot.of(nodes, List.of(allocation)),
              QueueSnapshot.of(List.of()),
              policy,
              now);
      CheckpointRequest request =
          plan.checkpointRequests().isEmpty() ? null : plan.checkpointRequests().get(0);
      if (request == null) {
        return running;
      }
      if (request.reason() == CheckpointRequest.Reason.RETURN_TO_SPOT) {
        returnsToSpot++;
      } else if (request.reason() == CheckpointRequest.Reason.DEADLINE_MIGRATION) {
        deadlineMigrations++;
      }
      requeue(now, request.reason());
    }
    throw new IllegalStateException("the core kept asking the job to move at " + now);
  }

  private void requeue(Instant now, CheckpointRequest.Reason reason) {
    spent +=
        Duration.between(attemptStart, now).toMillis()
            / 3_600_000.0
            * (running == SlotMode.SPOT ? spotPerHour : onDemandPerHour);
    running = SlotMode.IDLE;
    resuming = true;
    queuedAt = now;
    spotPreferredUntil =
        reason == CheckpointRequest.Reason.RETURN_TO_SPOT
            ? now.plus(SpotPolicy.RETURN_TO_SPOT_WAIT)
            : null;
    if (reason != null) {
      lastReclaimedPool = null;
    }
  }

  private Job job(Duration left) {
    return Job.builder(JOB, "study")
        .capacity(CapacityPreference.SPOT_OK)
        .checkpointing(Checkpointing.every(Duration.ofMinutes(30), Duration.ofMinutes(2)))
        .deadline(deadline)
        .expectedDuration(work)
        .remainingDuration(left)
        .submittedAt(submitted)
        .attempt(attempts)
        .lastReclaimedPool(lastReclaimedPool)
        .resuming(resuming)
        .queuedAt(queuedAt)
        .spotPreferredUntil(spotPreferredUntil)
        .spentUsd(spent)
        .build();
  }

  /** What a scheduler watching the pool since the trace began has seen by slot {@code index}. */
  private TreeMap<String, SpotPoolHistory> history(int index) {
    TreeMap<String, SpotPoolHistory> out = new TreeMap<>();
    out.put(
        trace.pool(),
        new SpotPoolHistory(
            trace.pool(),
            reclaimsBy[index],
            Duration.ofSeconds((long) index * trace.slotSeconds()),
            lastLossBy[index] < 0 ? null : slotStart(lastLossBy[index]),
            upSince[index] < 0 ? null : slotStart(upSince[index])));
    return out;
  }

  private Instant slotStart(int index) {
    return trace.start().plusSeconds((long) index * trace.slotSeconds());
  }
}
