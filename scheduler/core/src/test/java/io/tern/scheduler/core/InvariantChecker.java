package io.tern.scheduler.core;

import io.tern.scheduler.core.explain.Explanation;
import io.tern.scheduler.core.explain.ReasonKind;
import io.tern.scheduler.core.model.Allocation;
import io.tern.scheduler.core.model.CapacityPreference;
import io.tern.scheduler.core.model.CapacityType;
import io.tern.scheduler.core.model.ClusterSnapshot;
import io.tern.scheduler.core.model.Gpu;
import io.tern.scheduler.core.model.GpuHealth;
import io.tern.scheduler.core.model.Job;
import io.tern.scheduler.core.model.Node;
import io.tern.scheduler.core.model.NodeAssignment;
import io.tern.scheduler.core.model.NodeState;
import io.tern.scheduler.core.model.PriorityClass;
import io.tern.scheduler.core.model.QueueSnapshot;
import io.tern.scheduler.core.plan.CheckpointRequest;
import io.tern.scheduler.core.plan.Placement;
import io.tern.scheduler.core.plan.Plan;
import io.tern.scheduler.core.plan.Preemption;
import io.tern.scheduler.core.policy.Budget;
import io.tern.scheduler.core.policy.DeadlineRule;
import io.tern.scheduler.core.policy.PolicySnapshot;
import io.tern.scheduler.core.queue.FairShareQueue;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks a plan against everything that must hold whatever the inputs; returns the violations
 * (empty when the plan is sound). Independent of the engine's code paths on purpose: it recomputes
 * from the snapshots.
 */
public final class InvariantChecker {
  private final ClusterSnapshot cluster;
  private final QueueSnapshot queue;
  private final PolicySnapshot policy;
  private final EngineConfig config;
  private final Instant now;
  private final List<String> violations = new ArrayList<>();

  public InvariantChecker(
      ClusterSnapshot cluster,
      QueueSnapshot queue,
      PolicySnapshot policy,
      EngineConfig config,
      Instant now) {
    this.cluster = cluster;
    this.queue = queue;
    this.policy = policy;
    this.config = config;
    this.now = now;
  }

  public List<String> check(Plan plan) {
    violations.clear();
    Map<String, Job> jobs = new HashMap<>();
    for (Job j : queue.jobs()) {
      jobs.put(j.id(), j);
    }
    Map<String, Node> nodes = new HashMap<>();
    for (Node n : cluster.nodes()) {
      nodes.put(n.id(), n);
    }
    everyJobPlacedOrExplainedOnce(plan, jobs);
    placementsAreSound(plan, jobs, nodes);
    quotasAndBudgetsHold(plan, jobs);
    priorityOrderRespected(plan, jobs);
    preemptionsAreSound(plan, jobs);
    return List.copyOf(violations);
  }

  private void fail(String message) {
    violations.add(message);
  }

  private void everyJobPlacedOrExplainedOnce(Plan plan, Map<String, Job> jobs) {
    Set<String> seen = new HashSet<>();
    for (Placement p : plan.placements()) {
      if (!jobs.containsKey(p.jobId())) {
        fail("placed a job that was not queued: " + p.jobId());
      }
      if (!seen.add(p.jobId())) {
        fail("job placed or explained twice: " + p.jobId());
      }
    }
    for (Explanation e : plan.pending()) {
      if (!seen.add(e.jobId())) {
        fail("job placed or explained twice: " + e.jobId());
      }
      if (e.reasons().isEmpty()) {
        fail("pending job without a reason: " + e.jobId());
      }
    }
    for (String id : jobs.keySet()) {
      if (!seen.contains(id)) {
        fail("queued job neither placed nor explained: " + id);
      }
    }
  }

  private void placementsAreSound(Plan plan, Map<String, Job> jobs, Map<String, Node> nodes) {
    Map<String, Boolean> gpuHolders = new HashMap<>(); // node#gpu -> all holders shareable
    Map<String, Integer> cpuUsed = new HashMap<>();
    Map<String, Long> memUsed = new HashMap<>();
    for (Allocation a : cluster.allocations()) {
      for (NodeAssignment na : a.assignments()) {
        for (int g : na.gpuIndices()) {
          gpuHolders.merge(na.nodeId() + "#" + g, a.job().shareable(), (x, y) -> x && y);
        }
        cpuUsed.merge(na.nodeId(), a.job().resources().cpu(), Integer::sum);
        memUsed.merge(na.nodeId(), a.job().resources().memoryMiB(), Long::sum);
      }
    }
    DeadlineRule deadlines =
        new DeadlineRule(
            config.restartOverhead(), config.deadlineSafetyMargin(), config.slackReserve());
    for (Placement p : plan.placements()) {
      Job job = jobs.get(p.jobId());
      if (job == null) {
        continue;
      }
      var r = job.resources();
      if (p.attempt() != job.attempt() + 1) {
        fail(p.jobId() + ": attempt " + p.attempt() + " after " + job.attempt());
      }
      Set<String> distinct = new HashSet<>();
      if (p.assignments().size() != r.nodes()) {
        fail(p.jobId() + ": gang of " + r.nodes() + " placed on " + p.assignments().size());
      }
      for (NodeAssignment na : p.assignments()) {
        Node node = nodes.get(na.nodeId());
        if (node == null) {
          fail(p.jobId() + ": unknown node " + na.nodeId());
          continue;
        }
        if (!distinct.add(na.nodeId())) {
          fail(p.jobId() + ": gang uses " + na.nodeId() + " twice");
        }
        if (na.gpuIndices().size() != r.gpusPerNode()) {
          fail(p.jobId() + ": " + na.gpuIndices().size() + " GPUs on " + na.nodeId());
        }
        if (node.state() != NodeState.READY) {
          fail(p.jobId() + ": placed on " + node.state() + " node " + node.id());
        }
        if (node.capacityType() != p.capacityType()) {
          fail(p.jobId() + ": placement type differs from node " + node.id());
        }
        cpuUsed.merge(node.id(), r.cpu(), Integer::sum);
        memUsed.merge(node.id(), r.memoryMiB(), Long::sum);
        if (cpuUsed.get(node.id()) > node.cpu() || memUsed.get(node.id()) > node.memoryMiB()) {
          fail(p.jobId() + ": CPU or memory oversubscribed on " + node.id());
        }
        for (int g : na.gpuIndices()) {
          Gpu gpu = node.gpus().get(g);
          if (gpu.health() != GpuHealth.OK) {
            fail(p.jobId() + ": unhealthy GPU " + g + " of " + node.id());
          }
          if (!r.acceptsModel(gpu.model())) {
            fail(p.jobId() + ": wrong GPU model on " + node.id());
          }
          if (gpu.memoryTotalMiB() < r.gpuMemoryMiB()
              || (!job.shareable() && gpu.memoryFreeMiB() < r.gpuMemoryMiB())) {
            fail(p.jobId() + ": not enough GPU memory on " + node.id() + "#" + g);
          }
          String key = node.id() + "#" + g;
          Boolean holdersShareable = gpuHolders.get(key);
          if (holdersShareable != null && !(holdersShareable && job.shareable())) {
            fail(p.jobId() + ": GPU given twice " + key);
          }
          gpuHolders.merge(key, job.shareable(), (x, y) -> x && y);
        }
      }
      if (job.capacity() == CapacityPreference.SPOT_ONLY && p.capacityType() != CapacityType.SPOT) {
        fail(p.jobId() + ": spot-only job on " + p.capacityType());
      }
      if (job.capacity() == CapacityPreference.ON_DEMAND
          && p.capacityType() != CapacityType.ON_DEMAND) {
        fail(p.jobId() + ": on-demand job on " + p.capacityType());
      }
      if (job.capacity() != CapacityPreference.SPOT_ONLY
          && deadlines.requiresOnDemand(job, now)
          && p.capacityType() != CapacityType.ON_DEMAND) {
        fail(p.jobId() + ": deadline requires on-demand");
      }
      if (job.deferrable()
          && !policy.offPeak().open()
          && policy.offPeak().nextOpensAt() != null
          && deadlines.canWaitUntil(job, policy.offPeak().nextOpensAt())) {
        fail(p.jobId() + ": deferrable job started outside the window");
      }
    }
  }

  private void quotasAndBudgetsHold(Plan plan, Map<String, Job> jobs) {
    Map<String, Long> used = new HashMap<>();
    for (Allocation a : cluster.allocations()) {
      used.merge(a.job().team(), (long) a.job().resources().totalGpus(), Long::sum);
    }
    Map<String, Long> before = new HashMap<>(used);
    for (Placement p : plan.placements()) {
      Job job = jobs.get(p.jobId());
      used.merge(job.team(), (long) p.gpuCount(), Long::sum);
      if (policy.team(job.team()).budget().status() == Budget.Status.HARD_EXCEEDED) {
        fail(p.jobId() + ": started past the team's hard budget");
      }
    }
    for (var e : used.entrySet()) {
      long cap = policy.team(e.getKey()).gpuCap();
      if (e.getValue() > cap && e.getValue() > before.getOrDefault(e.getKey(), 0L)) {
        fail("team " + e.getKey() + " placed past its quota: " + e.getValue() + " > " + cap);
      }
    }
  }

  private void priorityOrderRespected(Plan plan, Map<String, Job> jobs) {
    List<Job> blocked = new ArrayList<>();
    for (Explanation e : plan.pending()) {
      ReasonKind k = e.primaryKind();
      if (k.perNode() || k == ReasonKind.GANG_INCOMPLETE || k == ReasonKind.WAITING_FOR_CAPACITY) {
        blocked.add(jobs.get(e.jobId()));
      }
    }
    for (Placement p : plan.placements()) {
      Job placed = jobs.get(p.jobId());
      PriorityClass placedClass = FairShareQueue.effectiveClass(placed, config.agingStep(), now);
      for (Job waiting : blocked) {
        PriorityClass waitingClass =
            FairShareQueue.effectiveClass(waiting, config.agingStep(), now);
        if (waitingClass.outranks(placedClass) && sameConstraints(waiting, placed)) {
          fail(
              p.jobId()
                  + " ("
                  + placedClass
                  + ") placed while "
                  + waiting.id()
                  + " ("
                  + waitingClass
                  + ") with the same needs waits");
        }
      }
    }
  }

  private static boolean sameConstraints(Job a, Job b) {
    return a.resources().equals(b.resources())
        && a.capacity() == b.capacity()
        && a.shareable() == b.shareable()
        && a.deadline() == null
        && b.deadline() == null
        && !a.hasCostCap()
        && !b.hasCostCap()
        && a.team().equals(b.team());
  }

  private void preemptionsAreSound(Plan plan, Map<String, Job> jobs) {
    Map<String, Allocation> running = new HashMap<>();
    for (Allocation a : cluster.allocations()) {
      running.put(a.jobId(), a);
    }
    Set<String> victims = new HashSet<>();
    Set<String> checkpoints = new HashSet<>();
    for (CheckpointRequest c : plan.checkpointRequests()) {
      checkpoints.add(c.jobId() + "@" + c.attempt());
    }
    for (Preemption p : plan.preemptions()) {
      Allocation victim = running.get(p.victimJobId());
      Job forJob = jobs.get(p.forJobId());
      if (victim == null || forJob == null) {
        fail("preemption names unknown jobs: " + p);
        continue;
      }
      if (!victims.add(p.victimJobId())) {
        fail("victim chosen twice: " + p.victimJobId());
      }
      if (victim.stopping()) {
        fail("already stopping job chosen as a victim: " + p.victimJobId());
      }
      if (p.reason() == Preemption.Reason.PRIORITY
          && !forJob.priority().outranks(victim.job().priority())) {
        fail(p.forJobId() + " does not outrank its victim " + p.victimJobId());
      }
      if (p.reason() == Preemption.Reason.QUOTA_RECLAIM
          && victim.job().priority().outranks(forJob.priority())) {
        fail(p.forJobId() + " reclaimed from a higher-priority job " + p.victimJobId());
      }
      if (p.checkpointFirst() != victim.job().checkpointable()) {
        fail("checkpointFirst wrong for " + p.victimJobId());
      }
      if (p.checkpointFirst() && !checkpoints.contains(p.victimJobId() + "@" + p.victimAttempt())) {
        fail("no checkpoint request for checkpointable victim " + p.victimJobId());
      }
    }
  }
}
