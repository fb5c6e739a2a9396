package io.tern.scheduler.core.bench;

import io.tern.scheduler.core.model.Allocation;
import io.tern.scheduler.core.model.ClusterSnapshot;
import io.tern.scheduler.core.model.Job;
import io.tern.scheduler.core.model.Node;
import io.tern.scheduler.core.model.QueueSnapshot;
import io.tern.scheduler.core.plan.Placement;
import io.tern.scheduler.core.plan.Plan;
import io.tern.scheduler.core.plan.Preemption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A minimal, mutable stand-in for the live scheduler's state, for the benchmark and randomized
 * tests: applies plans instantly (placements start, victims stop and go back to the queue), ends
 * random jobs, and produces snapshots. Deterministic for a given random. Not thread-safe.
 */
public final class BenchCluster {
  private List<Node> nodes;
  private final Map<String, Job> pending = new LinkedHashMap<>();
  private final Map<String, Allocation> running = new LinkedHashMap<>();

  public BenchCluster(List<Node> nodes, List<Job> jobs) {
    this.nodes = List.copyOf(nodes);
    for (Job j : jobs) {
      pending.put(j.id(), j);
    }
  }

  public ClusterSnapshot clusterSnapshot() {
    return new ClusterSnapshot(nodes, new ArrayList<>(running.values()));
  }

  public QueueSnapshot queueSnapshot() {
    return new QueueSnapshot(new ArrayList<>(pending.values()));
  }

  /**
   * Puts {@code node} in place of the node with its id, or adds it when the id is new (the node
   * list stays sorted by id). A node that runs allocations keeps them.
   */
  public void putNode(Node node) {
    List<Node> next = new ArrayList<>(nodes.size() + 1);
    boolean placed = false;
    for (Node n : nodes) {
      int c = n.id().compareTo(node.id());
      if (!placed && c >= 0) {
        next.add(node);
        placed = true;
        if (c == 0) {
          continue;
        }
      }
      next.add(n);
    }
    if (!placed) {
      next.add(node);
    }
    nodes = List.copyOf(next);
  }

  public List<Node> nodes() {
    return nodes;
  }

  public int pendingCount() {
    return pending.size();
  }

  public int runningCount() {
    return running.size();
  }

  public void submit(Job job) {
    pending.put(job.id(), job);
  }

  /** Starts every placement and stops every victim (requeued with its attempt count). */
  public void apply(Plan plan, Instant now) {
    for (Preemption p : plan.preemptions()) {
      Allocation victim = running.remove(p.victimJobId());
      if (victim != null) {
        Job requeued = victim.job().toBuilder().attempt(victim.attempt()).build();
        pending.put(requeued.id(), requeued);
      }
    }
    for (Placement p : plan.placements()) {
      Job job = pending.remove(p.jobId());
      if (job == null) {
        throw new IllegalStateException("placed job not pending: " + p.jobId());
      }
      running.put(
          job.id(),
          new Allocation(job, p.attempt(), p.capacityType(), p.assignments(), now, null, false));
    }
  }

  /** Ends {@code count} running jobs picked with {@code random}; returns how many ended. */
  public int finishRandom(int count, SplittableRandom random) {
    List<String> ids = new ArrayList<>(running.keySet());
    int ended = 0;
    Map<String, Boolean> gone = new HashMap<>();
    for (int i = 0; i < count && !ids.isEmpty(); i++) {
      int k = random.nextInt(ids.size());
      String id = ids.get(k);
      ids.set(k, ids.get(ids.size() - 1));
      ids.remove(ids.size() - 1);
      if (gone.put(id, Boolean.TRUE) == null) {
        running.remove(id);
        ended++;
      }
    }
    return ended;
  }
}
