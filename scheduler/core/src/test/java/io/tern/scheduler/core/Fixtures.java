package io.tern.scheduler.core;

import io.tern.scheduler.core.model.Allocation;
import io.tern.scheduler.core.model.CapacityType;
import io.tern.scheduler.core.model.ClusterSnapshot;
import io.tern.scheduler.core.model.Gpu;
import io.tern.scheduler.core.model.Job;
import io.tern.scheduler.core.model.Node;
import io.tern.scheduler.core.model.NodeAssignment;
import io.tern.scheduler.core.model.QueueSnapshot;
import io.tern.scheduler.core.placement.ClusterIndex;
import io.tern.scheduler.core.placement.NodeView;
import io.tern.scheduler.core.plan.Plan;
import io.tern.scheduler.core.policy.PolicySnapshot;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Hand-built clusters and jobs for tests. */
public final class Fixtures {
  public static final Instant NOW = Instant.parse("2026-03-02T12:00:00Z");
  public static final long GPU_MIB = 81_920;

  private Fixtures() {}

  /** A READY spot node with {@code gpus} idle A100s in pool {@code pool-a}, $1/GPU-hour. */
  public static Node spot(String id, int gpus) {
    return Node.of(id, CapacityType.SPOT, "pool-a", gpus, gpus, "A100", GPU_MIB, 64, 1_048_576);
  }

  /** A READY on-demand node with {@code gpus} idle A100s in pool {@code pool-od}, $3/GPU-hour. */
  public static Node onDemand(String id, int gpus) {
    return Node.of(
        id, CapacityType.ON_DEMAND, "pool-od", 3.0 * gpus, gpus, "A100", GPU_MIB, 64, 1_048_576);
  }

  public static Node withPool(Node n, String pool) {
    return new Node(
        n.id(),
        n.capacityType(),
        pool,
        n.pricePerHourUsd(),
        n.labels(),
        n.state(),
        n.cpu(),
        n.memoryMiB(),
        n.gpus(),
        n.idleSince());
  }

  public static Node withPrice(Node n, double pricePerHour) {
    return new Node(
        n.id(),
        n.capacityType(),
        n.pool(),
        pricePerHour,
        n.labels(),
        n.state(),
        n.cpu(),
        n.memoryMiB(),
        n.gpus(),
        n.idleSince());
  }

  /** Replaces GPU {@code index} of {@code n}. */
  public static Node withGpu(Node n, Gpu gpu) {
    List<Gpu> gpus = new ArrayList<>(n.gpus());
    gpus.set(gpu.index(), gpu);
    return n.withGpus(gpus);
  }

  public static Job.Builder job(String id, int gpus) {
    return Job.builder(id, "team-a").gpus(gpus).submittedAt(NOW.minusSeconds(3600));
  }

  /** An allocation of {@code job} started an hour ago on {@code node}'s GPUs. */
  public static Allocation running(Job job, Node node, Integer... gpus) {
    return new Allocation(
        job,
        Math.max(1, job.attempt()),
        node.capacityType(),
        List.of(new NodeAssignment(node.id(), List.of(gpus))),
        NOW.minusSeconds(3600),
        null,
        false);
  }

  public static ClusterSnapshot cluster(List<Node> nodes, Allocation... allocations) {
    return new ClusterSnapshot(nodes, List.of(allocations));
  }

  public static QueueSnapshot queue(Job... jobs) {
    return new QueueSnapshot(List.of(jobs));
  }

  public static Plan plan(ClusterSnapshot cluster, QueueSnapshot queue) {
    return new PlacementEngine().plan(cluster, queue, PolicySnapshot.defaults(), NOW);
  }

  public static Plan plan(ClusterSnapshot cluster, QueueSnapshot queue, PolicySnapshot policy) {
    return new PlacementEngine().plan(cluster, queue, policy, NOW);
  }

  /** The working view of one node of a snapshot. */
  public static NodeView view(ClusterSnapshot cluster, String nodeId) {
    return ClusterIndex.of(cluster).node(nodeId);
  }

  public static NodeView view(Node node, Allocation... allocations) {
    return view(cluster(List.of(node), allocations), node.id());
  }
}
