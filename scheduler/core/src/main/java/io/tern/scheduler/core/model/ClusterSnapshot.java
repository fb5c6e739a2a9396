package io.tern.scheduler.core.model;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The cluster at one instant: every node with its telemetry, and every running or stopping
 * allocation. Immutable; nodes are kept sorted by id and allocations by job id, so iteration order
 * never depends on how the caller built its lists.
 *
 * <p>Invariants checked on construction: node ids are unique, every allocation names known nodes
 * and existing GPU indices, and no GPU is held by two non-shareable allocations.
 */
public record ClusterSnapshot(List<Node> nodes, List<Allocation> allocations) {

  public ClusterSnapshot {
    List<Node> sortedNodes = new ArrayList<>(nodes);
    sortedNodes.sort(Comparator.comparing(Node::id));
    List<Allocation> sortedAllocations = new ArrayList<>(allocations);
    sortedAllocations.sort(Comparator.comparing(Allocation::jobId));
    nodes = List.copyOf(sortedNodes);
    allocations = List.copyOf(sortedAllocations);
    validate(nodes, allocations);
  }

  public static ClusterSnapshot of(List<Node> nodes, List<Allocation> allocations) {
    return new ClusterSnapshot(nodes, allocations);
  }

  public static ClusterSnapshot empty() {
    return new ClusterSnapshot(List.of(), List.of());
  }

  private static void validate(List<Node> nodes, List<Allocation> allocations) {
    java.util.Map<String, Node> byId = new java.util.HashMap<>();
    for (Node n : nodes) {
      if (byId.put(n.id(), n) != null) {
        throw new IllegalArgumentException("duplicate node id " + n.id());
      }
    }
    Set<String> jobs = new HashSet<>();
    java.util.Map<String, long[]> exclusiveGpus = new java.util.HashMap<>();
    for (Allocation a : allocations) {
      if (!jobs.add(a.jobId())) {
        throw new IllegalArgumentException("job " + a.jobId() + " has two allocations");
      }
      for (NodeAssignment na : a.assignments()) {
        Node n = byId.get(na.nodeId());
        if (n == null) {
          throw new IllegalArgumentException(
              "allocation of " + a.jobId() + " names unknown node " + na.nodeId());
        }
        for (int gpu : na.gpuIndices()) {
          if (gpu < 0 || gpu >= n.gpus().size()) {
            throw new IllegalArgumentException(
                "allocation of " + a.jobId() + " names GPU " + gpu + " of " + n.id());
          }
          if (!a.job().shareable()) {
            long[] held = exclusiveGpus.computeIfAbsent(n.id(), k -> new long[1]);
            if ((held[0] & (1L << gpu)) != 0) {
              throw new IllegalArgumentException("GPU " + gpu + " of " + n.id() + " held twice");
            }
            held[0] |= 1L << gpu;
          }
        }
      }
    }
  }
}
