package io.tern.scheduler.server.loop;

import io.tern.api.v1.Attempt;
import io.tern.api.v1.GpuIndices;
import io.tern.api.v1.JobState;
import io.tern.api.v1.NodeState;
import io.tern.api.v1.StartJob;
import io.tern.scheduler.core.PlacementEngine;
import io.tern.scheduler.core.explain.PendingReason;
import io.tern.scheduler.core.model.Allocation;
import io.tern.scheduler.core.model.ClusterSnapshot;
import io.tern.scheduler.core.model.Job;
import io.tern.scheduler.core.model.Node;
import io.tern.scheduler.core.model.NodeAssignment;
import io.tern.scheduler.core.model.QueueSnapshot;
import io.tern.scheduler.core.plan.CheckpointRequest;
import io.tern.scheduler.core.plan.Placement;
import io.tern.scheduler.core.plan.Plan;
import io.tern.scheduler.core.plan.Preemption;
import io.tern.scheduler.core.policy.PolicySnapshot;
import io.tern.scheduler.core.state.JobEvent;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs scheduler/core on the leader's state and applies the plan: the committer's half of "plan,
 * then apply". Each placement is re-checked against the state as it is now, written to ZooKeeper,
 * and only then sent to agents.
 */
final class Planner {
  private static final Logger log = LoggerFactory.getLogger(Planner.class);

  private final LoopThread loop;
  private final Clock clock;
  private final PlacementEngine engine;
  private final Executor planThread;
  private final Heartbeats telemetry;
  private final Fleet fleet;
  private final CurrentPolicy policies;
  private final StateWrites writes;
  private final JobCommands commands;
  private final PlanTrigger plans;
  private final Supplier<LoopEvents> events;
  private volatile long lastPlanNanos;
  private final SpotCounters spot = new SpotCounters();
  private final DependencyGate dependencies;
  private final ArrayGate arrays = new ArrayGate();

  /** Loop-confined: the loop's share of the last plan (snapshot and apply), for pacing. */
  private long loopNanos;

  /** Loop-confined: when the last plan was applied (or failed), by {@link System#nanoTime}. */
  private long lastPlanEndedNanos;

  /** Distinct lists of reasons seen in plans, each its own canonical instance. Loop-confined. */
  private final Map<List<PendingReason>, List<PendingReason>> reasonLists = new HashMap<>();

  private static final int MAX_REASON_LISTS = 10_000;

  /** Loop-confined: a plan is being computed, and whether another was asked for meanwhile. */
  private boolean planning;

  private boolean again;

  /**
   * @param planThread where the core runs, so that the loop keeps serving while it plans
   * @param events what the loop reports, read at each use (metrics are attached after start)
   */
  Planner(
      LoopThread loop,
      Clock clock,
      PlacementEngine engine,
      Executor planThread,
      Heartbeats telemetry,
      Fleet fleet,
      CurrentPolicy policies,
      StateWrites writes,
      JobCommands commands,
      PlanTrigger plans,
      Supplier<LoopEvents> events) {
    this.loop = loop;
    this.clock = clock;
    this.engine = engine;
    this.planThread = planThread;
    this.telemetry = telemetry;
    this.fleet = fleet;
    this.policies = policies;
    this.writes = writes;
    this.commands = commands;
    this.plans = plans;
    this.events = events;
    this.dependencies = new DependencyGate(writes, plans);
  }

  long lastPlanNanos() {
    return lastPlanNanos;
  }

  SpotCounters spot() {
    return spot;
  }

  /**
   * How long the next plan should wait, at least, so that planning takes at most a fifth of the
   * time: four times what the last plan cost (on the planning thread and on the loop), counted from
   * its end; 0 when that has passed.
   */
  long paceNanos() {
    long sinceLast = System.nanoTime() - lastPlanEndedNanos;
    return Math.max(0, 4 * (lastPlanNanos + loopNanos) - sinceLast);
  }

  /** Plans on the current term's state and applies the plan; a request meanwhile comes after. */
  void planAndApply() {
    if (planning) {
      again = true;
      return;
    }
    long snapshotStart = System.nanoTime();
    LeaderTerm term = loop.term();
    telemetry.absorbTelemetry(term);
    Instant now = clock.instant();
    List<Node> nodes = new ArrayList<>();
    Set<String> busyNodes = new java.util.HashSet<>();
    List<Allocation> allocations = new ArrayList<>();
    List<Job> queue = new ArrayList<>();
    arrays.beginPlan();
    for (JobEntry entry : term.unfinishedJobs()) {
      if (entry.holdsGpus() || entry.queued()) {
        entry.refreshSpent(term.costs.ledger());
      }
      if (entry.holdsGpus()) {
        Attempt a = entry.currentAttempt().orElseThrow();
        if (term.nodes.keySet().containsAll(a.getNodeIdsList())) {
          boolean stopping =
              entry.state() == JobState.JOB_STATE_CHECKPOINTING
                  || term.stopping.contains(entry.id());
          allocations.add(entry.coreAllocation(stopping));
          busyNodes.addAll(a.getNodeIdsList());
        }
      } else if (entry.plannable()
          && !entry.waitsForStore(now)
          && !JobLimits.pastCap(term, entry, now)
          && !dependencies.holdsBack(term, entry)
          && !arrays.holdsBack(term, entry)) {
        queue.add(entry.coreJob());
      } else if (entry.queued() && !entry.plannable()) {
        dependencies.checkHeld(term, entry); // held by a user
      }
    }
    dependencies.cancelDoomed(term);
    if (queue.isEmpty() && allocations.isEmpty()) {
      term.explanations.none(++term.plans); // nothing pending: forget the last explanations
      term.staysOnDemand = Map.of();
      return;
    }
    for (NodeSession session : term.nodes.values()) {
      nodes.add(
          CoreSnapshots.node(
              session,
              !session.shuttingDown && !fleet.releasing(session.id()),
              now,
              busyNodes.contains(session.id()) ? null : now));
    }
    PolicySnapshot policy = policies.at(term, now);
    long snapshotNanos = System.nanoTime() - snapshotStart;
    // The core runs on its own thread so that submits and agent messages never wait for a plan;
    // the plan is then applied here, on the loop, re-checked against the state as it is by then.
    planning = true;
    planThread.execute(
        () -> {
          long start = System.nanoTime();
          Plan plan;
          try {
            plan =
                engine.plan(
                    ClusterSnapshot.of(nodes, allocations), QueueSnapshot.of(queue), policy, now);
          } catch (RuntimeException e) {
            log.error("planning failed", e);
            loop.execute(this::planDone);
            return;
          }
          lastPlanNanos = System.nanoTime() - start;
          events.get().planned(lastPlanNanos);
          loop.execute(
              () -> {
                long applyStart = System.nanoTime();
                if (loop.term() == term) {
                  apply(term, plan, now);
                  fleet.afterPlan(term, plan, policy);
                }
                loopNanos = snapshotNanos + System.nanoTime() - applyStart;
                planDone();
              });
        });
  }

  /** Whether a plan is being computed; a request meanwhile is served right after it. */
  boolean planning() {
    return planning;
  }

  private void planDone() {
    planning = false;
    lastPlanEndedNanos = System.nanoTime();
    if (again) {
      again = false;
      plans.requestPlan();
    }
  }

  private void apply(LeaderTerm term, Plan plan, Instant now) {
    Map<String, Set<Integer>> held = term.heldGpus();
    for (Placement placement : plan.placements()) {
      JobEntry entry = term.entry(placement.jobId());
      if (entry == null
          || !stillFree(term, held, placement)
          || JobLifecycle.on(term, entry, new JobEvent.Placed(placement)).ignored()) {
        log.debug("dropping stale placement of {}", placement.jobId());
        continue;
      }
      place(term, entry, placement, held, now);
    }
    for (Preemption preemption : plan.preemptions()) {
      commands.interrupt(
          term,
          preemption.victimJobId(),
          preemption.victimAttempt(),
          preemption.checkpointFirst(),
          "preempted by " + preemption.forJobId(),
          now);
    }
    spot.planned(plan.spot());
    term.staysOnDemand = plan.staysOnDemand();
    for (CheckpointRequest request : plan.checkpointRequests()) {
      JobEntry asked = term.entry(request.jobId());
      if (asked != null
          && asked.attemptNumber() == request.attempt()
          && asked.state() == JobState.JOB_STATE_RUNNING) {
        if (request.reason() == CheckpointRequest.Reason.RETURN_TO_SPOT) {
          term.returningToSpot.add(request.jobId());
          spot.returnToSpot();
        } else if (request.reason() == CheckpointRequest.Reason.DEADLINE_MIGRATION) {
          spot.deadlineMigration();
        }
      }
      commands.interrupt(
          term,
          request.jobId(),
          request.attempt(),
          true,
          switch (request.reason()) {
            case DEADLINE_MIGRATION -> "moving to on-demand to meet its deadline";
            case RETURN_TO_SPOT -> CoreSnapshots.RETURNING_TO_SPOT;
            case PREEMPTION -> "preempted";
          },
          now);
    }
    // Only jobs whose explanation changed since the last plan come back here; most of a deep queue
    // is pending for the same reasons as before, its state and reason set from them then.
    term.explanations.record(
        ++term.plans,
        plan.pending(),
        term::entry,
        this::canonicalReasons,
        (entry, explanation) -> {
          if (!entry.plannable()) {
            return; // a user held it after this plan was made: it keeps the user's reason
          }
          JobEvent event = explanation.held() ? new JobEvent.Hold() : new JobEvent.Release();
          String reason = explanation.toString();
          if (!JobLifecycle.on(term, entry, event).ignored()) {
            entry.job = entry.job.toBuilder().setPendingReason(reason).build();
            writes.saveJob(entry, () -> {});
          } else if (!entry.job.getPendingReason().equals(reason)) {
            // Derived, not worth a write: kept in memory and persisted with the next real change.
            entry.job = entry.job.toBuilder().setPendingReason(reason).build();
          }
        });
  }

  /** The one instance of lists equal to {@code reasons}, kept across plans. */
  private List<PendingReason> canonicalReasons(List<PendingReason> reasons) {
    if (reasonLists.size() >= MAX_REASON_LISTS) {
      reasonLists.clear(); // the next plan compares by content once more, then settles again
    }
    return reasonLists.computeIfAbsent(reasons, r -> r);
  }

  private boolean stillFree(LeaderTerm term, Map<String, Set<Integer>> held, Placement placement) {
    for (NodeAssignment a : placement.assignments()) {
      NodeSession session = term.nodes.get(a.nodeId());
      if (session == null
          || !session.connected()
          || session.state() != NodeState.NODE_STATE_READY) {
        return false;
      }
      Set<Integer> taken = held.getOrDefault(a.nodeId(), Set.of());
      if (!placement.shared() && a.gpuIndices().stream().anyMatch(taken::contains)) {
        return false;
      }
    }
    return true;
  }

  /** When the job joined the queue: its last attempt's end, or its submission. */
  private static Instant queuedSince(io.tern.api.v1.Job job) {
    int attempts = job.getAttemptsCount();
    if (attempts > 0 && job.getAttempts(attempts - 1).hasEndedAt()) {
      return CoreSnapshots.instant(job.getAttempts(attempts - 1).getEndedAt());
    }
    return CoreSnapshots.instant(job.getSubmittedAt());
  }

  /** Records the attempt the state machine just started, and sends its start once saved. */
  private void place(
      LeaderTerm term,
      JobEntry entry,
      Placement placement,
      Map<String, Set<Integer>> held,
      Instant now) {
    Attempt.Builder attempt =
        Attempt.newBuilder()
            .setNumber(placement.attempt())
            .setCapacityType(CoreSnapshots.capacityType(placement.capacityType()))
            .setPool(poolOf(term, placement))
            .setPlacedAt(CoreSnapshots.timestamp(now));
    var resumeFrom = JobChanges.latestCheckpoint(entry.job);
    if (resumeFrom != null) {
      // resumed_from follows once the agent says what it actually restored.
      attempt.setResumeRequested(resumeFrom);
    }
    for (NodeAssignment a : placement.assignments()) {
      attempt.addNodeIds(a.nodeId());
      attempt.addGpus(GpuIndices.newBuilder().addAllIndex(a.gpuIndices()));
      attempt.addNodePrices(CostFeed.price(term.node(a.nodeId()), term::comparablePricePerHour));
      held.computeIfAbsent(a.nodeId(), k -> new java.util.HashSet<>()).addAll(a.gpuIndices());
    }
    events.get().placed(java.time.Duration.between(queuedSince(entry.job), now));
    entry.job = JobChanges.placed(entry.job, attempt.build());
    var placed = entry.job;
    int number = attempt.getNumber();
    writes.saveJob(
        entry,
        () -> {
          for (NodeAssignment a : placement.assignments()) {
            NodeSession session = term.nodes.get(a.nodeId());
            if (session == null || !session.connected()) {
              continue; // the lease will catch it: the attempt never starts and is requeued
            }
            StartJob.Builder start =
                StartJob.newBuilder()
                    .setJobId(placed.getId())
                    .setAttempt(number)
                    .setSpec(placed.getSpec())
                    .setEpoch(term.epoch.value())
                    .setClusterId(term.clusterId)
                    .addAllGpuIndices(a.gpuIndices());
            if (resumeFrom != null) {
              start.setResumeFrom(resumeFrom);
            }
            session.channel.send(term.command().setStartJob(start).build());
          }
        });
  }

  private static String poolOf(LeaderTerm term, Placement placement) {
    NodeSession first = term.nodes.get(placement.assignments().get(0).nodeId());
    return first == null ? "" : first.node.getPool();
  }
}
