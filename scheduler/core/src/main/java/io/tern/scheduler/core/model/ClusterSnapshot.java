package io.tern.scheduler.core.model;

import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.RandomAccess;

/**
 * The cluster at one instant: every node with its telemetry, and every running or stopping
 * allocation. Immutable; nodes are kept sorted by id and allocations by job id, so iteration order
 * never depends on how the caller built its lists.
 *
 * <p>Invariants checked on construction: node ids are unique, every allocation names known nodes
 * and existing GPU indices, and no GPU is held by two non-shareable allocations.
 */
public record ClusterSnapshot(List<Node> nodes, List<Allocation> allocations) {

  private static final Comparator<Node> NODE_ORDER = Comparator.comparing(Node::id);
  private static final Comparator<Allocation> ALLOCATION_ORDER =
      Comparator.comparing(Allocation::jobId);

  public ClusterSnapshot {
    if (!(allocations instanceof Trusted<Allocation> t && t.nodes == nodes)) {
      // Callers that already keep their lists in id order skip the copy and sort.
      nodes = List.copyOf(byNodeId(nodes));
      allocations = List.copyOf(byJobId(allocations));
      validate(nodes, allocations);
    }
  }

  /**
   * A snapshot from a caller that keeps the cluster consistent by construction (the simulator,
   * which replays its own plans): nodes already sorted by id, allocations by job id, and every
   * invariant of the class already true. Neither is checked again (except with assertions on, as in
   * tests), which saves a pass over every node and allocation per plan call. Callers with state
   * from outside (the live scheduler) use {@link #of}.
   */
  public static ClusterSnapshot trusted(List<Node> nodes, List<Allocation> allocations) {
    // The node list is kept as given (List.copyOf returns an immutable list itself), so a caller
    // that passes the same list again passes the same object, and the engine reuses what it
    // derived from it.
    List<Node> n = List.copyOf(nodes);
    List<Allocation> a = new Trusted<>(List.copyOf(allocations), n);
    assert byNodeId(n) == n && byJobId(a) == a : "trusted snapshot lists must be sorted by id";
    assert validated(n, a);
    return new ClusterSnapshot(n, a);
  }

  private static boolean validated(List<Node> nodes, List<Allocation> allocations) {
    validate(nodes, allocations);
    return true;
  }

  /**
   * The allocations' list of a {@link #trusted} snapshot; it names the nodes' list it was checked
   * against, so only the pair skips validation.
   */
  private static final class Trusted<T> extends AbstractList<T> implements RandomAccess {
    private final List<T> items;
    private final List<Node> nodes;

    Trusted(List<T> items, List<Node> nodes) {
      this.items = items;
      this.nodes = nodes;
    }

    @Override
    public T get(int index) {
      return items.get(index);
    }

    @Override
    public int size() {
      return items.size();
    }

    @Override
    public Object[] toArray() {
      return items.toArray();
    }

    @Override
    public <A> A[] toArray(A[] a) {
      return items.toArray(a);
    }
  }

  // Two plain loops rather than one generic one over a Comparator: the generic loop, called with
  // both orders, was recompiled by the JIT again and again (each time for half a second of a core).

  /** The list itself when already in node id order (ties allowed), else a sorted copy. */
  private static List<Node> byNodeId(List<Node> nodes) {
    String previous = null;
    for (Node node : nodes) {
      String id = node.id();
      if (previous != null && previous.compareTo(id) > 0) {
        List<Node> sorted = new ArrayList<>(nodes);
        sorted.sort(NODE_ORDER);
        return sorted;
      }
      previous = id;
    }
    return nodes;
  }

  /** The list itself when already in job id order (ties allowed), else a sorted copy. */
  private static List<Allocation> byJobId(List<Allocation> allocations) {
    String previous = null;
    for (Allocation a : allocations) {
      String id = a.jobId();
      if (previous != null && previous.compareTo(id) > 0) {
        List<Allocation> sorted = new ArrayList<>(allocations);
        sorted.sort(ALLOCATION_ORDER);
        return sorted;
      }
      previous = id;
    }
    return allocations;
  }

  public static ClusterSnapshot of(List<Node> nodes, List<Allocation> allocations) {
    return new ClusterSnapshot(nodes, allocations);
  }

  public static ClusterSnapshot empty() {
    return new ClusterSnapshot(List.of(), List.of());
  }

  private static void validate(List<Node> nodes, List<Allocation> allocations) {
    // Both lists are sorted, so a duplicate id is always next to its twin.
    Map<String, Integer> positions = new HashMap<>(Math.max(16, nodes.size() * 2));
    String previousNode = null;
    for (int i = 0; i < nodes.size(); i++) {
      Node n = nodes.get(i);
      if (n.id().equals(previousNode)) {
        throw new IllegalArgumentException("duplicate node id " + n.id());
      }
      previousNode = n.id();
      if (!allocations.isEmpty()) {
        positions.put(n.id(), i);
      }
    }
    long[] exclusiveGpus = allocations.isEmpty() ? null : new long[nodes.size()];
    String previousJob = null;
    for (Allocation a : allocations) {
      if (a.jobId().equals(previousJob)) {
        throw new IllegalArgumentException("job " + a.jobId() + " has two allocations");
      }
      previousJob = a.jobId();
      boolean exclusive = !a.job().shareable();
      for (NodeAssignment na : a.assignments()) {
        Integer position = positions.get(na.nodeId());
        if (position == null) {
          throw new IllegalArgumentException(
              "allocation of " + a.jobId() + " names unknown node " + na.nodeId());
        }
        Node n = nodes.get(position);
        for (int gpu : na.gpuIndices()) {
          if (gpu < 0 || gpu >= n.gpus().size()) {
            throw new IllegalArgumentException(
                "allocation of " + a.jobId() + " names GPU " + gpu + " of " + n.id());
          }
          if (exclusive) {
            long bit = 1L << gpu;
            if ((exclusiveGpus[position] & bit) != 0) {
              throw new IllegalArgumentException("GPU " + gpu + " of " + n.id() + " held twice");
            }
            exclusiveGpus[position] |= bit;
          }
        }
      }
    }
  }
}
