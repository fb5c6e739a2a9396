package io.tern.simulator.engine;

import io.tern.scheduler.core.PlacementEngine;
import io.tern.scheduler.core.model.Allocation;
import io.tern.scheduler.core.model.CapacityType;
import io.tern.scheduler.core.model.ClusterSnapshot;
import io.tern.scheduler.core.model.Job;
import io.tern.scheduler.core.model.NodeAssignment;
import io.tern.scheduler.core.model.NodeState;
import io.tern.scheduler.core.model.QueueSnapshot;
import io.tern.scheduler.core.plan.CapacityRequest;
import io.tern.scheduler.core.plan.CheckpointRequest;
import io.tern.scheduler.core.plan.NodeRelease;
import io.tern.scheduler.core.plan.Placement;
import io.tern.scheduler.core.plan.Plan;
import io.tern.scheduler.core.plan.Preemption;
import io.tern.scheduler.core.policy.Budget;
import io.tern.scheduler.core.policy.OffPeakStatus;
import io.tern.scheduler.core.policy.PolicySnapshot;
import io.tern.scheduler.core.policy.SpotPolicy;
import io.tern.scheduler.core.policy.SpotPoolWatch;
import io.tern.scheduler.core.policy.TeamPolicy;
import io.tern.scheduler.core.state.Effect;
import io.tern.scheduler.core.state.JobEvent;
import io.tern.scheduler.core.state.JobState;
import io.tern.scheduler.core.state.JobStateMachine;
import io.tern.scheduler.core.state.Transition;
import io.tern.simulator.ProgressListener;
import io.tern.simulator.policy.ClusterPolicy;
import io.tern.simulator.spot.PriceTable;
import io.tern.simulator.spot.SpotFleetModel;
import io.tern.simulator.trace.TraceJob;
import io.tern.simulator.trace.TraceNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CancellationException;

/**
 * Replays one workload under one policy: a discrete-event loop over a virtual clock that, in each
 * scheduling round, snapshots the simulated cluster and queue, calls the production {@link
 * PlacementEngine#plan} unchanged, and applies the returned {@link Plan} (placements, preemptions,
 * checkpoint requests, capacity requests, node releases). Spot notices, reclaims, capacity returns,
 * launches, checkpoint saves and restores, off-peak windows and budgets are events. Deterministic:
 * no wall clock, no unseeded randomness, ordered collections only. Single-use, single-threaded.
 */
public final class ClusterSimulation {
  private final ClusterPolicy policy;
  private final SimulationSettings settings;
  private final PlacementEngine engine;
  private final JobStateMachine lifecycle = new JobStateMachine();
  private final CoreMapping mapping;
  private final Fleet fleet;
  private final List<SimJob> jobs = new ArrayList<>();
  private final Map<String, SimJob> jobsById = new HashMap<>();
  private final TreeSet<Integer> pending = new TreeSet<>();
  private final EventQueue events = new EventQueue();
  private final RunMetrics metrics;
  private final Map<String, Double> teamSpent = new TreeMap<>();
  // The reclaims and returns seen per spot pool, fed as the live scheduler feeds its own (a reclaim
  // per node notice, a return per spot node that comes up).
  private final SpotPoolWatch spotPools = new SpotPoolWatch(VirtualClock.at(0));
  // Per GPU price class: spot GPU-seconds, on-demand GPU-seconds, spot $, on-demand $.
  private final Map<String, double[]> usageByPriceClass = new TreeMap<>();
  private final ProgressListener progress;
  private final long horizon;
  private long lastPlan = Long.MIN_VALUE / 2;
  private long planScheduledAt = Long.MAX_VALUE;
  private boolean dirty;
  private int nextArrival;
  private int done;
  private long plans;
  private long coreCalls;
  // Jobs in id order, and which of them hold an allocation (RUNNING or STOPPING), so a round lists
  // allocations in the order the core sorts them in without sorting.
  private final SimJob[] jobsByIdRank;
  private final BitSet allocatedByIdRank = new BitSet();
  // Per rank: the core allocation handed to the last round and the time its checkpoint count next
  // changes (null: rebuild it), so a round reads the job objects of changed allocations only.
  private final Allocation[] roundAllocationByIdRank;
  private final long[] roundAllocationValidUntil;
  // Allocated deadline jobs the core may move (on spot, or checkpointable on on-demand); the Tern
  // policy replans while there are any.
  private final BitSet deadlineRunningByIdRank = new BitSet();
  private int reclaims;
  private int preemptions;
  private boolean offPeakOpen;

  /**
   * @param jobs the workload, sorted by submit time
   * @param nodes the cluster's node shapes
   * @param spot spot pools of the nodes (ignored by the on-demand policy)
   */
  public ClusterSimulation(
      List<TraceJob> jobs,
      List<TraceNode> nodes,
      ClusterPolicy policy,
      SimulationSettings settings,
      PriceTable prices,
      SpotFleetModel spot,
      ProgressListener progress) {
    this.policy = policy;
    this.settings = settings;
    this.mapping = new CoreMapping(policy, settings);
    this.engine = new PlacementEngine(mapping.engineConfig());
    this.fleet = new Fleet(nodes, policy, prices, spot);
    this.progress = progress;
    long lastEnd = 0;
    Map<String, String> teams = new HashMap<>();
    for (TraceJob t : jobs) {
      String team = teams.computeIfAbsent(t.team(), name -> name);
      SimJob job = new SimJob(this.jobs.size(), t, team, mapping.checkpointInterval(t));
      this.jobs.add(job);
      jobsById.put(t.id(), job);
      lastEnd = Math.max(lastEnd, t.submitSeconds() + t.durationSeconds());
    }
    this.jobsByIdRank = this.jobs.toArray(new SimJob[0]);
    this.roundAllocationByIdRank = new Allocation[jobsByIdRank.length];
    this.roundAllocationValidUntil = new long[jobsByIdRank.length];
    Arrays.sort(jobsByIdRank, Comparator.comparing((SimJob j) -> j.trace.id()));
    for (int rank = 0; rank < jobsByIdRank.length; rank++) {
      jobsByIdRank[rank].idRank = rank;
    }
    this.horizon = lastEnd + settings.horizonSlackSeconds();
    this.metrics = new RunMetrics(Math.max(3600, (lastEnd + 199) / 200));
  }

  /** Runs to completion (every job done) or to the horizon, and returns what happened. */
  public RunOutcome run() {
    for (SimNode node : fleet.nodes) {
      if (node.up) {
        metrics.availableGpus += node.shape.gpus();
      }
    }
    for (int p = 0; p < fleet.spotPools.size(); p++) {
      schedulePoolChange(p, 0);
    }
    if (!settings.offPeak().isEmpty() && policy == ClusterPolicy.TERN) {
      offPeakOpen = offPeakOpen(0);
      events.schedule(nextOffPeakBoundary(0), EventType.OFF_PEAK_CHANGE, 0, 0);
    }
    scheduleNextArrival();
    long reportEvery = Math.max(1, jobs.size() / 200);
    while (!events.isEmpty() && done < jobs.size() && events.peekTime() <= horizon) {
      Event e = events.next();
      metrics.advance(e.time());
      handle(e);
      if (dirty) {
        dirty = false;
        requestPlan(Math.max(events.now(), lastPlan + settings.schedulingQuantumSeconds()));
      }
      if (e.type() == EventType.ATTEMPT_FINISHED && done % reportEvery == 0) {
        // A replay running beside one that failed is interrupted: it stops here.
        if (Thread.currentThread().isInterrupted()) {
          throw new CancellationException("replay " + policy.label() + " interrupted");
        }
        progress.onProgress("replay " + policy.label(), done, jobs.size());
      }
    }
    long end = done < jobs.size() ? Math.max(events.now(), horizon) : events.now();
    metrics.advance(end);
    for (SimJob job : jobs) {
      if (job.allocated()) {
        bill(job, end);
      }
    }
    metrics.finish();
    progress.onProgress("replay " + policy.label(), jobs.size(), jobs.size());
    return new RunOutcome(
        policy,
        jobs,
        metrics,
        usageByPriceClass,
        plans,
        coreCalls,
        events.processed(),
        reclaims,
        preemptions,
        end);
  }

  private void handle(Event e) {
    long now = e.time();
    switch (e.type()) {
      case ARRIVAL -> {
        SimJob job = jobs.get(e.subject());
        enqueue(job);
        scheduleNextArrival();
      }
      case ATTEMPT_FINISHED ->
          apply(jobs.get(e.subject()), new JobEvent.Exited(e.attempt(), 0), now);
      case ATTEMPT_STOPPED ->
          apply(jobs.get(e.subject()), new JobEvent.Checkpointed(e.attempt()), now);
      case SPOT_NOTICE -> notice(e.subject(), now);
      case SPOT_RECLAIM -> reclaim(e.subject(), now);
      case SPOT_RETURN -> {
        for (SimNode node : fleet.spotPoolNodes.get(e.subject())) {
          node.generation++;
          events.schedule(
              now + settings.launchDelaySeconds(), EventType.NODE_UP, node.index, node.generation);
        }
        schedulePoolChange(e.subject(), now);
      }
      case NODE_UP -> {
        SimNode node = fleet.nodes.get(e.subject());
        if (node.generation == e.attempt() && !node.up && !node.released) {
          boolean spotOk =
              node.type != CapacityType.SPOT || fleet.timelines.get(node.spotPool).availableAt(now);
          if (spotOk) {
            fleet.up(node);
            if (node.type == CapacityType.SPOT) {
              spotPools.returned(node.pool, VirtualClock.at(now));
            }
            metrics.availableGpus += node.shape.gpus();
            if (node.type == CapacityType.ON_DEMAND) {
              fleet.launching.merge(node.pool, -1, Integer::sum);
            }
            dirty = true;
          }
        }
      }
      case OFF_PEAK_CHANGE -> {
        offPeakOpen = offPeakOpen(now);
        events.schedule(nextOffPeakBoundary(now), EventType.OFF_PEAK_CHANGE, 0, 0);
        dirty = true;
      }
      case PLAN -> {
        if (now == planScheduledAt) {
          planScheduledAt = Long.MAX_VALUE;
          plan(now);
        }
      }
    }
  }

  private void scheduleNextArrival() {
    if (nextArrival < jobs.size()) {
      SimJob job = jobs.get(nextArrival++);
      events.schedule(
          Math.max(events.now(), job.trace.submitSeconds()), EventType.ARRIVAL, job.index, 0);
    }
  }

  /**
   * Feeds {@code event} about {@code job} to the state machine and executes the effects it returns:
   * the one way a simulated job's lifecycle moves. A simulated agent starts and stops an attempt at
   * once, so a start is followed by {@code Started} and a stop by {@code Stopped}.
   */
  Transition apply(SimJob job, JobEvent event, long now) {
    Transition t = on(job, event);
    boolean stop = false;
    for (Effect effect : t.effects()) {
      switch (effect) {
        case Effect.SendStart start -> begin(job, start.placement(), now);
        case Effect.SendCheckpoint checkpoint -> saveThenStop(job, now);
        case Effect.SendStop s -> stop = true;
        case Effect.ReleaseResources release -> end(job, event, now);
        case Effect.Requeue requeue -> enqueue(job);
      }
    }
    if (t.ignored()) {
      return t;
    }
    if (t.state().terminal()) {
      pending.remove(job.index);
      metrics.queued = pending.size();
      if (t.state() == JobState.SUCCEEDED) {
        job.finish = now;
      }
      done++;
      dirty = true;
    } else if (t.state() == JobState.STARTING) {
      apply(job, new JobEvent.Started(job.attempt()), now);
    } else if (stop) {
      apply(job, new JobEvent.Stopped(job.attempt()), now);
    }
    return t;
  }

  /** The simulated job with trace id {@code id}, or null. */
  SimJob job(String id) {
    return jobsById.get(id);
  }

  /** Feeds {@code event} to the state machine: the job's status follows the transition. */
  private Transition on(SimJob job, JobEvent event) {
    Transition t = lifecycle.on(job.status, event);
    job.status = t.status();
    return t;
  }

  /**
   * The attempt ended ({@code event} ended it): bills it, books its work (all of it done, saved by
   * the checkpoint it was asked for, or lost since its last periodic checkpoint) and frees its
   * GPUs.
   */
  private void end(SimJob job, JobEvent event, long now) {
    bill(job, now);
    if (event instanceof JobEvent.Exited exited && exited.exitCode() == 0) {
      job.remaining = 0;
    } else if (event instanceof JobEvent.Checkpointed) {
      job.overheadGpuSeconds += settings.checkpointSaveSeconds() * job.gpuEquivalents;
      job.onDemandPricedWaste += settings.checkpointSaveSeconds() * job.onDemandPricedPerSecond;
      job.remaining -= job.stopWorkDone;
      job.lastCheckpointAt = now;
    } else {
      long committed = job.committedWork(now);
      job.lostGpuSeconds += (job.workDone(now) - committed) * job.gpuEquivalents;
      job.onDemandPricedWaste += (job.workDone(now) - committed) * job.onDemandPricedPerSecond;
      if (committed > 0) {
        job.lastCheckpointAt = job.workStart + committed;
      }
      job.remaining -= committed;
    }
    release(job);
  }

  /** Puts a job that arrived or was requeued into the queue. */
  private void enqueue(SimJob job) {
    job.queuedAt = events.now();
    job.allocation = null;
    roundAllocationByIdRank[job.idRank] = null;
    job.nodes = List.of();
    job.queued = null;
    pending.add(job.index);
    metrics.queued = pending.size();
    dirty = true;
  }

  private void requestPlan(long at) {
    if (at < planScheduledAt) {
      planScheduledAt = at;
      events.schedule(at, EventType.PLAN, 0, 0);
    }
  }

  /**
   * One scheduling round. With nothing queued and no deadline job on spot, the core's plan is known
   * to be empty (nothing to place, ask capacity for or migrate, and simulated nodes never report an
   * idle time to release them by), so the round skips the call.
   */
  private void plan(long now) {
    plans++;
    lastPlan = now;
    boolean deadlineRunning = !deadlineRunningByIdRank.isEmpty();
    if (pending.isEmpty() && !deadlineRunning) {
      return;
    }
    coreCalls++;
    // Both lists go in sorted by id, and the simulation keeps them consistent (it only applies the
    // core's own plans), so the snapshot is built without re-checking.
    List<Allocation> allocations = new ArrayList<>(allocatedByIdRank.cardinality());
    for (int rank = allocatedByIdRank.nextSetBit(0);
        rank >= 0;
        rank = allocatedByIdRank.nextSetBit(rank + 1)) {
      Allocation a = roundAllocationByIdRank[rank];
      if (a == null || now >= roundAllocationValidUntil[rank]) {
        SimJob job = jobsByIdRank[rank];
        a = allocation(job, now);
        roundAllocationByIdRank[rank] = a;
        roundAllocationValidUntil[rank] = nextCheckpointChange(job);
      }
      allocations.add(a);
    }
    List<Job> queue = new ArrayList<>(pending.size());
    for (int index : pending) {
      SimJob job = jobs.get(index);
      if (job.queued == null) {
        job.queued = mapping.queuedJob(job);
      }
      queue.add(job.queued);
    }
    Plan plan =
        engine.plan(
            ClusterSnapshot.trusted(fleet.upNodesById(), allocations),
            QueueSnapshot.of(queue),
            policySnapshot(now),
            VirtualClock.at(now));
    apply(plan, now);
    // After the plan: a deadline job it just started is re-decided at the next round too.
    if (!pending.isEmpty()
        || (!deadlineRunningByIdRank.isEmpty() && policy == ClusterPolicy.TERN)) {
      requestPlan(now + settings.replanIntervalSeconds());
    }
  }

  /**
   * When the job's committed checkpoint count (what {@link #allocation} depends on besides the
   * attempt) next changes: at the next interval boundary of its work, unless the work ends first.
   */
  static long nextCheckpointChange(SimJob job) {
    if (job.checkpointInterval <= 0) {
      return Long.MAX_VALUE;
    }
    long next = (job.allocationCheckpoints + 1) * job.checkpointInterval;
    return next <= job.remaining ? job.workStart + next : Long.MAX_VALUE;
  }

  private Allocation allocation(SimJob job, long now) {
    long checkpoints =
        job.checkpointInterval > 0 ? job.committedWork(now) / job.checkpointInterval : 0;
    if (job.allocation == null || checkpoints != job.allocationCheckpoints) {
      job.allocationCheckpoints = checkpoints;
      Job core = job.queued != null ? job.queued : mapping.queuedJob(job);
      job.queued = core;
      List<NodeAssignment> assignments =
          job.allocation != null ? job.allocation.assignments() : null;
      Long at = checkpoints > 0 ? job.workStart + checkpoints * job.checkpointInterval : null;
      job.allocation =
          new Allocation(
              core,
              job.attempt(),
              job.capacityType,
              assignments,
              VirtualClock.at(job.attemptStart),
              at == null ? null : VirtualClock.at(at),
              job.status.state() == JobState.CHECKPOINTING);
    }
    return job.allocation;
  }

  private PolicySnapshot policySnapshot(long now) {
    OffPeakStatus offPeak = OffPeakStatus.NO_WINDOWS;
    if (policy == ClusterPolicy.TERN && !settings.offPeak().isEmpty()) {
      long boundary = nextOffPeakBoundary(now);
      offPeak =
          offPeakOpen
              ? OffPeakStatus.openUntil(VirtualClock.at(boundary))
              : OffPeakStatus.closedUntil(VirtualClock.at(boundary));
    }
    List<TeamPolicy> teams = new ArrayList<>();
    settings
        .teamBudgetsUsd()
        .forEach(
            (team, limit) ->
                teams.add(
                    TeamPolicy.defaultFor(team)
                        .withBudget(
                            new Budget(teamSpent.getOrDefault(team, 0.0), 0.8 * limit, limit))));
    return PolicySnapshot.of(offPeak, teams, List.copyOf(fleet.offers.values()))
        .withLaunchingNodes(fleet.launching)
        .withSpotHistory(spotPools.history(VirtualClock.at(now)));
  }

  private void apply(Plan plan, long now) {
    for (Preemption p : plan.preemptions()) {
      SimJob victim = jobsById.get(p.victimJobId());
      if (victim != null
          && interrupt(victim, p.victimAttempt(), p.checkpointFirst(), "preempted", now)) {
        preemptions++;
      }
    }
    for (CheckpointRequest c : plan.checkpointRequests()) {
      SimJob job = jobsById.get(c.jobId());
      if (job != null && interrupt(job, c.attempt(), true, c.reason().name(), now)) {
        preemptions++;
        if (c.reason() == CheckpointRequest.Reason.RETURN_TO_SPOT) {
          // As the live scheduler does: the requeued job waits a while for spot before it takes
          // on-demand again.
          job.spotPreferredUntil = now + SpotPolicy.RETURN_TO_SPOT_WAIT.toSeconds();
        }
      }
    }
    for (Placement p : plan.placements()) {
      start(p, now);
    }
    for (CapacityRequest request : plan.capacityRequests()) {
      for (int i = 0; i < request.count(); i++) {
        SimNode node = fleet.launch(request.poolId());
        if (node == null) {
          break;
        }
        events.schedule(
            now + settings.launchDelaySeconds(), EventType.NODE_UP, node.index, node.generation);
      }
    }
    for (NodeRelease release : plan.nodeReleases()) {
      SimNode node = fleet.byId.get(release.nodeId());
      if (node != null
          && node.up
          && node.jobs.isEmpty()
          && node.type == CapacityType.ON_DEMAND
          && fleet.offers.containsKey(node.pool)) {
        fleet.release(node);
        metrics.availableGpus -= node.shape.gpus();
      }
    }
  }

  private void start(Placement p, long now) {
    SimJob job = jobsById.get(p.jobId());
    if (job != null) {
      apply(job, new JobEvent.Placed(p), now);
    }
  }

  /** Takes the placed attempt's GPUs and schedules its end. */
  private void begin(SimJob job, Placement p, long now) {
    List<SimNode> nodes = new ArrayList<>(p.assignments().size());
    double rate = 0;
    double onDemandRate = 0;
    int classes = 0;
    String[] priceClasses = new String[p.assignments().size()];
    double[] classGpus = new double[priceClasses.length];
    double[] classRates = new double[priceClasses.length];
    for (NodeAssignment a : p.assignments()) {
      SimNode node = fleet.byId.get(a.nodeId());
      if (node == null || !node.up || node.state() != NodeState.READY) {
        throw new IllegalStateException(
            "plan placed " + p.jobId() + " on unavailable node " + a.nodeId());
      }
      nodes.add(node);
      double gpus = a.gpuIndices().size() * (job.trace.gpuMilli() / 1000.0);
      rate += gpus * node.pricePerGpuSecond;
      onDemandRate += gpus * node.onDemandPricePerGpuSecond;
      int c = 0;
      while (c < classes && !priceClasses[c].equals(node.priceClass)) {
        c++;
      }
      if (c == classes) {
        priceClasses[classes++] = node.priceClass;
      }
      classGpus[c] += gpus;
      classRates[c] += gpus * node.pricePerGpuSecond;
    }
    pending.remove(job.index);
    metrics.queued = pending.size();
    job.nodes = nodes;
    job.capacityType = p.capacityType();
    job.attemptStart = now;
    // Billed time before the attempt works: its start, and the restore of a job with progress.
    long startUp =
        settings.startSeconds()
            + (job.remaining < job.trace.durationSeconds() ? settings.restoreSeconds() : 0);
    job.workStart = now + startUp;
    job.costPerSecond = rate;
    job.onDemandPricedPerSecond = onDemandRate;
    job.attemptPriceClasses = Arrays.copyOf(priceClasses, classes);
    job.attemptClassGpus = Arrays.copyOf(classGpus, classes);
    job.attemptClassCostPerSecond = Arrays.copyOf(classRates, classes);
    job.overheadGpuSeconds += startUp * job.gpuEquivalents;
    job.onDemandPricedWaste += startUp * onDemandRate;
    if (job.firstStart < 0) {
      job.firstStart = now;
    }
    Job core = mapping.queuedJob(job);
    job.queued = core;
    job.allocationCheckpoints = 0;
    job.allocation =
        new Allocation(
            core,
            job.attempt(),
            job.capacityType,
            p.assignments(),
            VirtualClock.at(now),
            null,
            false);
    for (SimNode node : nodes) {
      node.jobs.add(job);
    }
    allocatedByIdRank.set(job.idRank);
    roundAllocationByIdRank[job.idRank] = null;
    // The core re-decides running deadline jobs at every replan: one on spot moves to on-demand
    // when its slack runs out, a checkpointable one on on-demand moves back when spot returns.
    if (job.trace.hasDeadline()
        && (job.capacityType == CapacityType.SPOT || job.checkpointInterval > 0)) {
      deadlineRunningByIdRank.set(job.idRank);
    }
    metrics.costRate += rate;
    metrics.allocatedGpus += job.gpuEquivalents;
    events.schedule(
        job.workStart + job.remaining, EventType.ATTEMPT_FINISHED, job.index, job.attempt());
  }

  /**
   * Interrupts a running attempt as the live scheduler does: a checkpointable job asked to
   * checkpoint saves and stops ({@link EventType#ATTEMPT_STOPPED} follows), any other is stopped at
   * once and loses its work since its last periodic checkpoint.
   *
   * @return false when the state machine ignored it (not running, another attempt, already asked)
   */
  private boolean interrupt(SimJob job, int attempt, boolean checkpoint, String reason, long now) {
    return !apply(job, new JobEvent.Interrupt(attempt, checkpoint, reason), now).ignored();
  }

  /** The attempt saves a checkpoint; {@link EventType#ATTEMPT_STOPPED} follows when it has. */
  private void saveThenStop(SimJob job, long now) {
    job.stopWorkDone = job.workDone(now);
    job.allocation = job.allocation.asStopping();
    roundAllocationByIdRank[job.idRank] = null;
    events.schedule(
        now + settings.checkpointSaveSeconds(),
        EventType.ATTEMPT_STOPPED,
        job.index,
        job.attempt());
  }

  private void bill(SimJob job, long now) {
    long seconds = Math.max(0, now - job.attemptStart);
    double cost = seconds * job.costPerSecond;
    job.cost += cost;
    teamSpent.merge(job.team, cost, Double::sum);
    job.onDemandPricedCost += seconds * job.onDemandPricedPerSecond;
    double gpuSeconds = seconds * job.gpuEquivalents;
    boolean spot = job.capacityType == CapacityType.SPOT;
    if (spot) {
      job.spotGpuSeconds += gpuSeconds;
      job.spotCost += cost;
    } else {
      job.onDemandGpuSeconds += gpuSeconds;
      job.onDemandCost += cost;
    }
    for (int c = 0; c < job.attemptPriceClasses.length; c++) {
      double[] usage =
          usageByPriceClass.computeIfAbsent(job.attemptPriceClasses[c], k -> new double[4]);
      int at = spot ? 0 : 1;
      usage[at] += seconds * job.attemptClassGpus[c];
      usage[at + 2] += seconds * job.attemptClassCostPerSecond[c];
    }
    job.attemptStart = now;
  }

  private void release(SimJob job) {
    for (SimNode node : job.nodes) {
      node.jobs.remove(job);
    }
    allocatedByIdRank.clear(job.idRank);
    deadlineRunningByIdRank.clear(job.idRank);
    roundAllocationByIdRank[job.idRank] = null;
    metrics.costRate -= job.costPerSecond;
    metrics.allocatedGpus -= job.gpuEquivalents;
    job.costPerSecond = 0;
    job.onDemandPricedPerSecond = 0;
    job.nodes = List.of();
    job.allocation = null;
    dirty = true;
  }

  private void notice(int pool, long now) {
    for (SimNode node : fleet.spotPoolNodes.get(pool)) {
      if (!node.up) {
        continue;
      }
      fleet.setState(node, NodeState.DRAINING);
      spotPools.reclaimed(node.pool, VirtualClock.at(now));
      if (policy.checkpointOnNotice()) {
        for (SimJob job : List.copyOf(node.jobs)) {
          // A job that cannot save in time keeps running until the reclaim.
          if (job.checkpointInterval > 0
              && settings.checkpointSaveSeconds() <= settings.noticeSeconds()
              && interrupt(job, job.attempt(), true, "spot reclaim", now)) {
            job.lastReclaimedPool = node.pool;
            reclaims++; // ended by the reclaim, saved inside its notice
          }
        }
      }
    }
    dirty = true;
  }

  private void reclaim(int pool, long now) {
    for (SimNode node : fleet.spotPoolNodes.get(pool)) {
      node.generation++;
      if (!node.up) {
        continue;
      }
      for (SimJob job : List.copyOf(node.jobs)) {
        // Lost with its node, whether or not a save was under way. (Saves asked for at the notice
        // are done by now: they are asked only when they fit in it, and counted then.)
        job.lastReclaimedPool = node.pool;
        reclaims++;
        apply(job, new JobEvent.Lost(job.attempt()), now);
      }
      fleet.down(node);
      metrics.availableGpus -= node.shape.gpus();
    }
    schedulePoolChange(pool, now);
    dirty = true;
  }

  /** Schedules the pool's next notice+reclaim, or its return, after {@code now}. */
  private void schedulePoolChange(int pool, long now) {
    long change = fleet.timelines.get(pool).nextChangeAfter(now);
    if (change == Long.MAX_VALUE || change > horizon) {
      return;
    }
    if (fleet.timelines.get(pool).availableAt(now)) {
      events.schedule(
          Math.max(now, change - settings.noticeSeconds()), EventType.SPOT_NOTICE, pool, 0);
      events.schedule(change, EventType.SPOT_RECLAIM, pool, 0);
    } else {
      events.schedule(change, EventType.SPOT_RETURN, pool, 0);
    }
  }

  private boolean offPeakOpen(long t) {
    return settings.offPeak().openAt(t);
  }

  private long nextOffPeakBoundary(long t) {
    return settings.offPeak().nextChangeAfter(t);
  }
}
