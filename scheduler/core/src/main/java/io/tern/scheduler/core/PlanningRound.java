package io.tern.scheduler.core;

import io.tern.scheduler.core.explain.Explanation;
import io.tern.scheduler.core.explain.PendingReason;
import io.tern.scheduler.core.explain.ReasonKind;
import io.tern.scheduler.core.model.Allocation;
import io.tern.scheduler.core.model.ClusterSnapshot;
import io.tern.scheduler.core.model.Job;
import io.tern.scheduler.core.model.NodeAssignment;
import io.tern.scheduler.core.model.PriorityClass;
import io.tern.scheduler.core.model.QueueSnapshot;
import io.tern.scheduler.core.placement.CandidateSearch;
import io.tern.scheduler.core.placement.ClusterIndex;
import io.tern.scheduler.core.placement.FilterChain;
import io.tern.scheduler.core.placement.NodeView;
import io.tern.scheduler.core.placement.PlacementRequest;
import io.tern.scheduler.core.placement.ReservationPlanner;
import io.tern.scheduler.core.placement.ScorerChain;
import io.tern.scheduler.core.placement.ShapeExplainer;
import io.tern.scheduler.core.plan.CapacityRequest;
import io.tern.scheduler.core.plan.CheckpointRequest;
import io.tern.scheduler.core.plan.NodeRelease;
import io.tern.scheduler.core.plan.Placement;
import io.tern.scheduler.core.plan.Plan;
import io.tern.scheduler.core.plan.Preemption;
import io.tern.scheduler.core.policy.CapacityDecision;
import io.tern.scheduler.core.policy.CapacityPlanner;
import io.tern.scheduler.core.policy.DeadlineRule;
import io.tern.scheduler.core.policy.NodeReleasePlanner;
import io.tern.scheduler.core.policy.PolicySnapshot;
import io.tern.scheduler.core.policy.PoolOffer;
import io.tern.scheduler.core.policy.SpotPolicy;
import io.tern.scheduler.core.preemption.PreemptionPlanner;
import io.tern.scheduler.core.preemption.PreemptionProposal;
import io.tern.scheduler.core.preemption.VictimOrder;
import io.tern.scheduler.core.queue.FairShareQueue;
import io.tern.scheduler.core.queue.TeamUsage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One plan call: walks the queue in fair-share order and, per job, holds it, places it, has victims
 * preempted for it, reserves room for it, or explains why not; then capacity requests, deadline
 * migrations and node releases. Not thread-safe; used once.
 *
 * <p>Speed comes from two memos: a shape that failed to fit fails again for every later job of the
 * same shape (capacity only shrinks during a call), and so does a shape for which no victims could
 * be found at a given priority.
 */
final class PlanningRound {
  private final EngineConfig config;
  private final ClusterSnapshot cluster;
  private final QueueSnapshot queue;
  private final PolicySnapshot policy;
  private final Instant now;
  private final ClusterIndex index;
  private final FilterChain filters;
  private final CandidateSearch search;
  private final ShapeExplainer explainer;
  private final TeamUsage usage;
  private final DeadlineRule deadlines;
  private final SpotPolicy spot;
  private final ReservationPlanner reservations;
  private PreemptionPlanner preemption;

  private final Map<PlacementRequest.Shape, List<PendingReason>> failedShapes = new HashMap<>();
  // shape -> team -> classes for which no victims exist (depends on class: whom it outranks, and
  // on team: quota reclaim).
  private final Map<PlacementRequest.Shape, Map<String, EnumSet<PriorityClass>>> noVictimsFor =
      new HashMap<>();
  private final Set<PlacementRequest.Shape> unreservable = new HashSet<>();
  private final Map<String, PendingReason> quotaReasons = new HashMap<>();
  private int reservationsLeft;
  private int detailedLeft;

  private final List<Placement> placements = new ArrayList<>();
  private final List<Preemption> preemptions = new ArrayList<>();
  private final List<CheckpointRequest> checkpoints = new ArrayList<>();
  private final List<Explanation> pending = new ArrayList<>();
  private final List<Integer> waitingForCapacity = new ArrayList<>();
  private final List<PlacementRequest> waitingRequests = new ArrayList<>();

  PlanningRound(
      EngineConfig config,
      ClusterSnapshot cluster,
      QueueSnapshot queue,
      PolicySnapshot policy,
      Instant now) {
    this.config = config;
    this.cluster = cluster;
    this.queue = queue;
    this.policy = policy;
    this.now = now;
    this.index = ClusterIndex.of(cluster);
    this.filters = FilterChain.standard(config);
    this.search =
        new CandidateSearch(
            index, filters, ScorerChain.standard(config), config.candidatesPerJob());
    this.explainer = new ShapeExplainer(index, filters, config.explainNodesPerShape());
    this.usage =
        new TeamUsage(
            policy,
            cluster.allocations(),
            index.totalGpus(),
            index.totalCpu(),
            index.totalMemoryMiB());
    this.deadlines = new DeadlineRule(config.restartOverhead(), config.deadlineSafetyMargin());
    this.spot = new SpotPolicy(deadlines);
    this.reservations = new ReservationPlanner(index);
    this.reservationsLeft = config.reservations();
    this.detailedLeft = config.detailedExplanations();
  }

  Plan run() {
    FairShareQueue order = new FairShareQueue(queue.jobs(), usage, config.agingStep(), now);
    for (Job job = order.next(); job != null; job = order.next()) {
      consider(job);
    }
    List<CapacityRequest> capacity = planCapacity();
    planMigrations();
    List<NodeRelease> releases =
        NodeReleasePlanner.releases(index.nodes(), policy, config.nodeIdleGrace(), now);
    return new Plan(placements, preemptions, checkpoints, capacity, releases, pending);
  }

  private void consider(Job job) {
    CapacityDecision decision = spot.decide(job, usage.policy(job.team()), policy.offPeak(), now);
    if (decision.isHeld()) {
      pending.add(new Explanation(job.id(), List.of(decision.hold()), decision.holdUntil()));
      return;
    }
    long gpus = job.resources().totalGpus();
    if (usage.wouldExceedCap(job.team(), gpus)) {
      pending.add(new Explanation(job.id(), List.of(quotaReason(job.team()))));
      return;
    }
    double priceCap = priceCap(job);
    PlacementRequest.Shape shape = PlacementRequest.shapeOf(job, decision.tiers(), priceCap);
    List<PendingReason> known = failedShapes.get(shape);
    if (known != null) {
      blocked(job, null, decision, priceCap, shape, known);
      return;
    }
    // First job of this shape in this plan (or all earlier ones fitted): search for real.
    PlacementRequest request = new PlacementRequest(job, decision.tiers(), priceCap);
    CandidateSearch.Choice choice = search.find(request);
    if (choice != null) {
      search.commit(request, choice);
      usage.add(job);
      placements.add(toPlacement(job, choice));
      return;
    }
    known = explainer.explain(request, detailedLeft > 0);
    detailedLeft--;
    failedShapes.put(shape, known);
    blocked(job, request, decision, priceCap, shape, known);
  }

  /**
   * A job that fits nowhere now: try victims, then a reservation, else explain. {@code request} may
   * be null (a memoised shape); it is built only if a step below needs it.
   */
  private void blocked(
      Job job,
      PlacementRequest request,
      CapacityDecision decision,
      double priceCap,
      PlacementRequest.Shape shape,
      List<PendingReason> why) {
    if (config.preemptionEnabled()) {
      Map<String, EnumSet<PriorityClass>> failedTeams =
          noVictimsFor.computeIfAbsent(shape, k -> new HashMap<>());
      EnumSet<PriorityClass> failedClasses =
          failedTeams.computeIfAbsent(job.team(), k -> EnumSet.noneOf(PriorityClass.class));
      if (!failedClasses.contains(job.priority())) {
        if (preemption == null) {
          preemption = new PreemptionPlanner(index, usage, now, config.preemptionCandidateNodes());
        }
        if (request == null) {
          request = new PlacementRequest(job, decision.tiers(), priceCap);
        }
        PreemptionProposal proposal = preemption.propose(request);
        if (proposal != null) {
          claim(job, request, proposal);
          return;
        }
        failedClasses.add(job.priority());
      }
    }
    if (reservationsLeft > 0 && !unreservable.contains(shape)) {
      if (request == null) {
        request = new PlacementRequest(job, decision.tiers(), priceCap);
      }
      List<NodeView> held = reservations.reserve(request);
      if (held.isEmpty()) {
        // No node could ever host this shape by waiting; do not scan for it again.
        unreservable.add(shape);
      } else {
        reservationsLeft--;
        List<PendingReason> reasons = new ArrayList<>();
        reasons.add(PendingReason.of(ReasonKind.RESERVATION_HOLDER, reservationText(held)));
        reasons.addAll(why);
        waitForCapacity(job, request, decision, priceCap);
        pending.add(new Explanation(job.id(), reasons));
        return;
      }
    }
    waitForCapacity(job, request, decision, priceCap);
    pending.add(new Explanation(job.id(), why));
  }

  /** Remembers a blocked job for capacity requests (only when there are pools to ask). */
  private void waitForCapacity(
      Job job, PlacementRequest request, CapacityDecision decision, double priceCap) {
    if (!policy.pools().isEmpty()) {
      waitingForCapacity.add(pending.size());
      waitingRequests.add(
          request != null ? request : new PlacementRequest(job, decision.tiers(), priceCap));
    }
  }

  private void claim(Job job, PlacementRequest request, PreemptionProposal proposal) {
    for (int i = 0; i < proposal.nodes().size(); i++) {
      index.take(proposal.nodes().get(i), proposal.gpus().get(i), request);
    }
    usage.add(job);
    for (int i = 0; i < proposal.victims().size(); i++) {
      Allocation victim = proposal.victims().get(i);
      boolean checkpoint = victim.job().checkpointable();
      preemptions.add(
          new Preemption(
              victim.jobId(),
              victim.attempt(),
              job.id(),
              proposal.reasons().get(i),
              checkpoint,
              VictimOrder.workLost(victim, now)));
      if (checkpoint) {
        checkpoints.add(
            new CheckpointRequest(
                victim.jobId(), victim.attempt(), CheckpointRequest.Reason.PREEMPTION));
      }
    }
    StringBuilder text = new StringBuilder("waiting for ");
    text.append(
        proposal.victims().isEmpty()
            ? "stopping jobs"
            : proposal.victims().size() + " preempted job(s)");
    text.append(" to free ");
    for (int i = 0; i < proposal.nodes().size(); i++) {
      text.append(i == 0 ? "" : ", ").append(proposal.nodes().get(i).node().id());
    }
    pending.add(
        new Explanation(
            job.id(),
            List.of(PendingReason.of(ReasonKind.WAITING_FOR_PREEMPTION, text.toString()))));
  }

  private List<CapacityRequest> planCapacity() {
    if (policy.pools().isEmpty() || waitingForCapacity.isEmpty()) {
      return List.of();
    }
    CapacityPlanner planner =
        new CapacityPlanner(policy, cluster.nodes(), config.capacityRequestNodesPerPlan());
    for (int k = 0; k < waitingForCapacity.size(); k++) {
      PlacementRequest request = waitingRequests.get(k);
      PoolOffer pool = planner.offer(request);
      if (pool == null) {
        continue;
      }
      int at = waitingForCapacity.get(k);
      Explanation old = pending.get(at);
      List<PendingReason> reasons = new ArrayList<>();
      reasons.add(
          PendingReason.of(
              ReasonKind.WAITING_FOR_CAPACITY,
              "waiting for new " + pool.capacityType().label() + " capacity in pool " + pool.id()));
      reasons.addAll(old.reasons());
      pending.set(at, new Explanation(old.jobId(), reasons, old.holdUntil()));
    }
    return planner.requests();
  }

  private void planMigrations() {
    for (Allocation a : cluster.allocations()) {
      if (deadlines.shouldMigrate(a, now)) {
        checkpoints.add(
            new CheckpointRequest(
                a.jobId(), a.attempt(), CheckpointRequest.Reason.DEADLINE_MIGRATION));
      }
    }
  }

  private PendingReason quotaReason(String team) {
    long used = usage.gpus(team);
    String key = team + "#" + used;
    return quotaReasons.computeIfAbsent(
        key,
        k ->
            PendingReason.of(
                ReasonKind.QUOTA,
                "quota: team "
                    + team
                    + " at "
                    + used
                    + " of "
                    + usage.policy(team).gpuCap()
                    + " GPUs"));
  }

  /** Most the job may pay per hour and still finish its known work under its cost cap. */
  private static double priceCap(Job job) {
    Duration work = job.workLeft();
    if (!job.hasCostCap() || work == null || work.isZero() || work.isNegative()) {
      return Double.POSITIVE_INFINITY;
    }
    return job.maxCostUsd() / (work.toMillis() / 3_600_000.0);
  }

  private static String reservationText(List<NodeView> held) {
    StringBuilder b = new StringBuilder("holds a reservation on ");
    for (int i = 0; i < held.size(); i++) {
      NodeView v = held.get(i);
      b.append(i == 0 ? "" : ", ")
          .append(v.node().id())
          .append(" (")
          .append(v.freeGpuCount())
          .append(" of ")
          .append(v.gpuCount())
          .append(" GPUs free)");
    }
    return b.append("; waiting for running jobs to finish").toString();
  }

  private static Placement toPlacement(Job job, CandidateSearch.Choice choice) {
    List<NodeAssignment> assignments = new ArrayList<>(choice.nodes().length);
    for (int i = 0; i < choice.nodes().length; i++) {
      List<Integer> gpus = new ArrayList<>(Long.bitCount(choice.gpus()[i]));
      for (long m = choice.gpus()[i]; m != 0; m &= m - 1) {
        gpus.add(Long.numberOfTrailingZeros(m));
      }
      assignments.add(new NodeAssignment(choice.nodes()[i].node().id(), gpus));
    }
    return new Placement(
        job.id(), job.attempt() + 1, assignments, choice.capacityType(), choice.shared());
  }
}
