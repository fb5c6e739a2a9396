package io.tern.scheduler.core;

import io.tern.scheduler.core.explain.Explanation;
import io.tern.scheduler.core.explain.PendingReason;
import io.tern.scheduler.core.explain.ReasonKind;
import io.tern.scheduler.core.model.Allocation;
import io.tern.scheduler.core.model.ClusterSnapshot;
import io.tern.scheduler.core.model.Job;
import io.tern.scheduler.core.model.PriorityClass;
import io.tern.scheduler.core.model.QueueSnapshot;
import io.tern.scheduler.core.placement.AllocationTable;
import io.tern.scheduler.core.placement.CandidateSearch;
import io.tern.scheduler.core.placement.ClusterIndex;
import io.tern.scheduler.core.placement.FilterChain;
import io.tern.scheduler.core.placement.NodeTable;
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
import io.tern.scheduler.core.plan.SpotActivity;
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
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

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
  private static final int CLASSES = PriorityClass.values().length;
  private final EngineConfig config;
  private final ClusterSnapshot cluster;
  private final AllocationTable allocationTable;
  private final JobTable jobTable;
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

  private JobFacts facts;
  // Per shape id: the node-level reasons once it failed to fit in this plan (capacity only shrinks
  // during a call, so every later job of that shape fails too).
  private List<PendingReason>[] failedShapes;
  // Per shape id: bit (slot * 3 + class) set once no victims could be found for it (the search
  // depends on the class, whom it outranks, and for teams within their guarantee on the team).
  private BitSet[] noVictims;
  private boolean[] unreservable;
  // Per team index: the last quota reason built for it.
  private QuotaNote[] quotaReasons;
  private int reservationsLeft;
  private int detailedLeft;
  private int waitingForSpot;
  private int deadlineOnDemand;

  private final List<Placement> placements = new ArrayList<>();
  private final List<Preemption> preemptions = new ArrayList<>();
  private final List<CheckpointRequest> checkpoints = new ArrayList<>();
  private final List<Explanation> pending;
  private final List<Integer> waitingForCapacity = new ArrayList<>();
  private final List<PlacementRequest> waitingRequests = new ArrayList<>();

  PlanningRound(
      EngineConfig config,
      ClusterSnapshot cluster,
      NodeTable nodeTable,
      AllocationTable allocationTable,
      QueueSnapshot queue,
      JobTable jobTable,
      PolicySnapshot policy,
      Instant now) {
    this.config = config;
    this.cluster = cluster;
    this.allocationTable = allocationTable;
    this.jobTable = jobTable;
    this.queue = queue;
    this.policy = policy;
    this.now = now;
    this.index = ClusterIndex.of(cluster, nodeTable, allocationTable);
    this.filters = FilterChain.standard(config);
    this.search =
        new CandidateSearch(
            index, filters, ScorerChain.standard(config), config.candidatesPerJob());
    this.explainer = new ShapeExplainer(index, filters, config.explainNodesPerShape());
    this.usage = new TeamUsage(policy, index.totalGpus(), index.totalCpu(), index.totalMemoryMiB());
    for (int k = 0, n = allocationTable.size(); k < n; k++) {
      usage.addRunning(
          allocationTable.team(k),
          allocationTable.teamGpus(k),
          allocationTable.teamCpu(k),
          allocationTable.teamMemoryMiB(k));
    }
    this.deadlines =
        new DeadlineRule(
            config.restartOverhead(), config.deadlineSafetyMargin(), config.slackReserve());
    this.spot = spotPolicy(jobTable, allocationTable, deadlines, index, policy);
    this.reservations = new ReservationPlanner(index);
    this.pending = new ArrayList<>(queue.jobs().size());
    this.reservationsLeft = config.reservations();
    this.detailedLeft = config.detailedExplanations();
  }

  /**
   * The spot policy of this plan, with the cheapest on-demand and spot prices per GPU-hour in the
   * cluster (nodes and pools) when a deadline job could need them (one pass over the nodes).
   */
  private static SpotPolicy spotPolicy(
      JobTable jobs,
      AllocationTable allocations,
      DeadlineRule deadlines,
      ClusterIndex index,
      PolicySnapshot policy) {
    boolean deadlineJobs = !allocations.withDeadline().isEmpty();
    for (int i = 0, n = jobs.size(); i < n && !deadlineJobs; i++) {
      deadlineJobs = jobs.hasDeadline[i];
    }
    if (!deadlineJobs) {
      return new SpotPolicy(deadlines);
    }
    double onDemand = Double.NaN;
    double spot = Double.NaN;
    for (NodeView v : index.nodes()) {
      double price = v.node().pricePerGpuHourUsd();
      if (v.node().capacityType() == io.tern.scheduler.core.model.CapacityType.SPOT) {
        spot = Double.isNaN(spot) ? price : Math.min(spot, price);
      } else {
        onDemand = Double.isNaN(onDemand) ? price : Math.min(onDemand, price);
      }
    }
    for (PoolOffer p : policy.pools()) {
      double price = p.pricePerHourUsd() / Math.max(1, p.gpusPerNode());
      if (p.capacityType() == io.tern.scheduler.core.model.CapacityType.SPOT) {
        spot = Double.isNaN(spot) ? price : Math.min(spot, price);
      } else {
        onDemand = Double.isNaN(onDemand) ? price : Math.min(onDemand, price);
      }
    }
    return new SpotPolicy(deadlines, onDemand, spot);
  }

  @SuppressWarnings("unchecked")
  Plan run() {
    List<Job> jobs = queue.jobs();
    facts = new JobFacts(jobs, jobTable, usage, spot, policy.offPeak(), config.agingStep(), now);
    quotaReasons = new QuotaNote[usage.teamCount()];
    failedShapes = (List<PendingReason>[]) new List<?>[facts.shapeCount()];
    noVictims = new BitSet[facts.shapeCount()];
    unreservable = new boolean[facts.shapeCount()];
    FairShareQueue order = new FairShareQueue(facts.queueKeys, usage);
    for (int i = order.next(); i >= 0; i = order.next()) {
      consider(i);
    }
    List<CapacityRequest> capacity = planCapacity();
    List<CheckpointRequest> migrations = deadlines.migrations(allocationTable.withDeadline(), now);
    checkpoints.addAll(migrations);
    int returns = 0;
    java.util.Map<String, String> staysOnDemand = java.util.Map.of();
    if (!allocationTable.withDeadline().isEmpty()) {
      SpotReturns spotReturns = new SpotReturns(index, search, policy, deadlines, settle(), now);
      List<CheckpointRequest> moves = spotReturns.plan(allocationTable.withDeadline());
      checkpoints.addAll(moves);
      returns = moves.size();
      staysOnDemand = spotReturns.stays();
    }
    List<NodeRelease> releases =
        NodeReleasePlanner.releases(index.nodes(), policy, config.nodeIdleGrace(), now);
    return new Plan(
        placements,
        preemptions,
        checkpoints,
        capacity,
        releases,
        pending,
        new SpotActivity(waitingForSpot, deadlineOnDemand, migrations.size(), returns),
        staysOnDemand);
  }

  /**
   * How long a spot pool's capacity must have been back before an on-demand job moves to it: the
   * configured settle time, and at least two changeovers (what a move there and back would cost).
   */
  private java.time.Duration settle() {
    java.time.Duration twice = config.restartOverhead().multipliedBy(2);
    return twice.compareTo(config.spotSettle()) > 0 ? twice : config.spotSettle();
  }

  /**
   * Explains a job left pending: a job waiting for spot by choice says so first (and until when);
   * any other gets {@code why} as it is.
   */
  private void explain(int i, List<PendingReason> why) {
    CapacityDecision decision = facts.decisions[i];
    if (decision.waitsForSpot()) {
      waitingForSpot++;
      List<PendingReason> reasons = new ArrayList<>(why.size() + 1);
      reasons.add(decision.spotWait());
      for (PendingReason r : why) {
        // The wait says why on-demand is not taken, and until when: not "not allowed for this job".
        if (r.kind() != ReasonKind.CAPACITY_TYPE) {
          reasons.add(r);
        }
      }
      pending.add(new Explanation(facts.ids[i], reasons, decision.holdUntil()));
    } else if (decision.deadlineForced()) {
      // Spot is not allowed for this job now, and the deadline is why.
      List<PendingReason> reasons = new ArrayList<>(why.size());
      for (PendingReason r : why) {
        reasons.add(
            r.kind() == ReasonKind.CAPACITY_TYPE
                ? PendingReason.nodes(r.kind(), r.nodes(), DEADLINE_KEEPS_OFF_SPOT)
                : r);
      }
      pending.add(new Explanation(facts.ids[i], reasons));
    } else {
      pending.add(new Explanation(facts.ids[i], why));
    }
  }

  /** Why a job the deadline rule sends to on-demand takes no spot node. */
  static final String DEADLINE_KEEPS_OFF_SPOT =
      "spot not allowed now: its deadline is too close to risk a reclaim";

  /** Job {@code i} of the queue list: hold, quota, memoised failure, or a real search. */
  private void consider(int i) {
    CapacityDecision decision = facts.decisions[i];
    if (decision.deadlineForced()) {
      deadlineOnDemand++;
    }
    if (decision.isHeld()) {
      pending.add(new Explanation(facts.ids[i], List.of(decision.hold()), decision.holdUntil()));
      return;
    }
    int team = facts.teamIndex[i];
    if (usage.wouldExceedCap(team, facts.totalGpus[i])) {
      pending.add(new Explanation(facts.ids[i], List.of(quotaReason(team))));
      return;
    }
    int shape = facts.shapes[i];
    List<PendingReason> known = failedShapes[shape];
    if (known != null) {
      blocked(i, null, known);
      return;
    }
    // First job of this shape in this plan (or all earlier ones fitted): search for real.
    Job job = facts.jobs.get(i);
    PlacementRequest request = facts.request(i);
    CandidateSearch.Choice choice = search.find(request);
    if (choice != null) {
      search.commit(request, choice);
      usage.add(facts.teamIndex[i], job.resources());
      placements.add(choice.toPlacement(job));
      return;
    }
    known = explainer.explain(request, detailedLeft > 0);
    detailedLeft--;
    failedShapes[shape] = known;
    blocked(i, request, known);
  }

  /**
   * A job that fits nowhere now: try victims, then a reservation, else explain. {@code request} may
   * be null (a memoised shape); it is built only if a step below needs it.
   */
  private void blocked(int i, PlacementRequest request, List<PendingReason> why) {
    int shape = facts.shapes[i];
    if (facts.decisions[i].waitsForSpot()) {
      // It chose to wait for spot: it neither preempts nor reserves, but a spot pool may launch.
      waitForCapacity(i, request);
      explain(i, why);
      return;
    }
    if (config.preemptionEnabled()) {
      // The team matters only where it could reclaim its guarantee; otherwise all teams share the
      // memo slot of their class.
      int team = facts.teamIndex[i];
      int slot = usage.withinGuarantee(team, facts.totalGpus[i]) ? team + 1 : 0;
      int bit = slot * CLASSES + facts.priorities[i].ordinal();
      BitSet failed = noVictims[shape];
      if (failed == null || !failed.get(bit)) {
        if (preemption == null) {
          preemption = new PreemptionPlanner(index, usage, now, config.preemptionCandidateNodes());
        }
        if (request == null) {
          request = facts.request(i);
        }
        PreemptionProposal proposal = preemption.propose(request);
        if (proposal != null) {
          claim(i, request, proposal);
          return;
        }
        if (failed == null) {
          failed = noVictims[shape] = new BitSet();
        }
        failed.set(bit);
      }
    }
    if (reservationsLeft > 0 && !unreservable[shape]) {
      if (request == null) {
        request = facts.request(i);
      }
      List<NodeView> held = reservations.reserve(request);
      if (held.isEmpty()) {
        // No node could ever host this shape by waiting; do not scan for it again.
        unreservable[shape] = true;
      } else {
        reservationsLeft--;
        List<PendingReason> reasons = new ArrayList<>();
        reasons.add(
            PendingReason.of(ReasonKind.RESERVATION_HOLDER, ReservationPlanner.describe(held)));
        reasons.addAll(why);
        waitForCapacity(i, request);
        pending.add(new Explanation(facts.ids[i], reasons));
        return;
      }
    }
    waitForCapacity(i, request);
    explain(i, why);
  }

  /** Remembers a blocked job for capacity requests (only when there are pools to ask). */
  private void waitForCapacity(int i, PlacementRequest request) {
    if (!policy.pools().isEmpty()) {
      waitingForCapacity.add(pending.size());
      waitingRequests.add(request != null ? request : facts.request(i));
    }
  }

  private void claim(int queued, PlacementRequest request, PreemptionProposal proposal) {
    Job job = request.job();
    for (int i = 0; i < proposal.nodes().size(); i++) {
      index.take(proposal.nodes().get(i), proposal.gpus().get(i), request);
    }
    usage.add(facts.teamIndex[queued], job.resources());
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
    pending.add(
        new Explanation(
            job.id(),
            List.of(PendingReason.of(ReasonKind.WAITING_FOR_PREEMPTION, proposal.describe()))));
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
      if (!reasons.isEmpty() && old.reasons().get(0).kind() == ReasonKind.WAITING_FOR_SPOT) {
        // Its own choice stays first: "waiting for spot: ...; waiting for new spot capacity ...".
        reasons.set(0, old.reasons().get(0));
        reasons.set(
            1,
            PendingReason.of(
                ReasonKind.WAITING_FOR_CAPACITY,
                "waiting for new "
                    + pool.capacityType().label()
                    + " capacity in pool "
                    + pool.id()));
      }
      pending.set(at, new Explanation(old.jobId(), reasons, old.holdUntil()));
    }
    return planner.requests();
  }

  /** The quota reason for a team at its current usage; one string per team and usage level. */
  private PendingReason quotaReason(int team) {
    long used = usage.gpus(team);
    QuotaNote note = quotaReasons[team];
    if (note == null || note.used != used) {
      String text =
          "quota: team "
              + usage.name(team)
              + " at "
              + used
              + " of "
              + usage.policy(team).gpuCap()
              + " GPUs";
      note = new QuotaNote(used, PendingReason.of(ReasonKind.QUOTA, text));
      quotaReasons[team] = note;
    }
    return note.reason;
  }

  private record QuotaNote(long used, PendingReason reason) {}
}
