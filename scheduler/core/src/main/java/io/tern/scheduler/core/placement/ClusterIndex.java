package io.tern.scheduler.core.placement;

import io.tern.scheduler.core.model.Allocation;
import io.tern.scheduler.core.model.CapacityType;
import io.tern.scheduler.core.model.ClusterSnapshot;
import io.tern.scheduler.core.model.Node;
import io.tern.scheduler.core.model.NodeAssignment;
import io.tern.scheduler.core.model.NodeState;
import io.tern.scheduler.core.model.PriorityClass;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The working cluster of one plan call, indexed so that a job looks only at nodes that can matter:
 * READY nodes are bucketed by (capacity type, GPU model) group and by free GPU count, as bit sets
 * over node positions (so iteration is in node-id order and moving a node is O(1)). Shareable GPUs
 * have their own per-group set. Not thread-safe; built per plan call.
 */
public final class ClusterIndex {
  private final NodeView[] nodes;
  private final Map<String, NodeView> byId;
  private final AllocationLinks links;
  private final List<Group> groups;
  private final Map<NodeState, Integer> nodesByState = new EnumMap<>(NodeState.class);
  private final BitSet[] nodesRunningClass = new BitSet[PriorityClass.values().length];
  private final BitSet nodesWithStopping;
  private final BitSet nodesWithUnhealthyGpus;
  private final int maxGpusPerNode;
  private final long totalGpus;
  private final long totalCpu;
  private final long totalMemoryMiB;

  /**
   * The snapshot's allocations per node as chains of links (one link per node an allocation uses),
   * kept in flat arrays rather than a list per node: most nodes' lists are never read in a plan.
   */
  static final class AllocationLinks {
    private final List<Allocation> allocations;
    private int[] allocation;
    private int[] next;
    private int size;

    AllocationLinks(List<Allocation> allocations) {
      this.allocations = allocations;
      this.allocation = new int[Math.max(16, allocations.size())];
      this.next = new int[allocation.length];
    }

    /** Appends allocation {@code k} of the snapshot to {@code v}'s chain. */
    void add(NodeView v, int k) {
      if (size == allocation.length) {
        allocation = java.util.Arrays.copyOf(allocation, size * 2);
        next = java.util.Arrays.copyOf(next, size * 2);
      }
      allocation[size] = k;
      next[size] = -1;
      if (v.lastLink < 0) {
        v.firstLink = size;
      } else {
        next[v.lastLink] = size;
      }
      v.lastLink = size;
      size++;
    }

    /** The allocations of the chain starting at {@code first}, in snapshot (job id) order. */
    List<Allocation> list(int first) {
      if (first < 0) {
        return List.of();
      }
      List<Allocation> out = new ArrayList<>(4);
      for (int l = first; l >= 0; l = next[l]) {
        out.add(allocations.get(allocation[l]));
      }
      return java.util.Collections.unmodifiableList(out);
    }
  }

  /** READY nodes of one capacity type and GPU model. */
  public static final class Group {
    final int id;
    final CapacityType capacityType;
    final String model;
    final BitSet[] byFree;
    final BitSet shared = new BitSet();
    final BitSet members = new BitSet();
    int size;

    Group(int id, CapacityType capacityType, String model, int maxGpus, int nodeCount) {
      this.id = id;
      this.capacityType = capacityType;
      this.model = model;
      this.byFree = new BitSet[maxGpus + 1];
      for (int i = 0; i <= maxGpus; i++) {
        byFree[i] = new BitSet(nodeCount);
      }
    }

    public CapacityType capacityType() {
      return capacityType;
    }

    public String model() {
      return model;
    }

    /** READY nodes in the group, reserved ones included. */
    public int size() {
      return size;
    }

    /** Nodes (not reserved) with exactly {@code free} free GPUs. */
    public int countWithFree(int free) {
      return byFree[free].cardinality();
    }
  }

  private ClusterIndex(ClusterSnapshot snapshot) {
    List<Node> list = snapshot.nodes();
    List<Allocation> allocations = snapshot.allocations();
    links = new AllocationLinks(allocations);
    nodes = new NodeView[list.size()];
    nodesWithStopping = new BitSet(nodes.length);
    nodesWithUnhealthyGpus = new BitSet(nodes.length);
    byId = new HashMap<>(list.size() * 2);
    int[] stateCounts = new int[NodeState.values().length];
    int maxGpus = 0;
    long gpus = 0;
    long cpu = 0;
    long mem = 0;
    for (int i = 0; i < nodes.length; i++) {
      Node n = list.get(i);
      nodes[i] = new NodeView(n, i, links);
      byId.put(n.id(), nodes[i]);
      if (nodes[i].healthyGpus() != nodes[i].allGpus()) {
        nodesWithUnhealthyGpus.set(i);
      }
      maxGpus = Math.max(maxGpus, n.gpus().size());
      stateCounts[n.state().ordinal()]++;
      if (n.state() == NodeState.READY) {
        gpus += n.gpus().size();
        cpu += n.cpu();
        mem += n.memoryMiB();
      }
    }
    for (NodeState state : NodeState.values()) {
      if (stateCounts[state.ordinal()] > 0) {
        nodesByState.put(state, stateCounts[state.ordinal()]);
      }
    }
    maxGpusPerNode = maxGpus;
    totalGpus = gpus;
    totalCpu = cpu;
    totalMemoryMiB = mem;
    for (int c = 0; c < nodesRunningClass.length; c++) {
      nodesRunningClass[c] = new BitSet(nodes.length);
    }
    for (int k = 0, size = allocations.size(); k < size; k++) {
      Allocation a = allocations.get(k);
      BitSet marks =
          a.stopping() ? nodesWithStopping : nodesRunningClass[a.job().priority().ordinal()];
      List<NodeAssignment> assignments = a.assignments();
      for (int m = 0, members = assignments.size(); m < members; m++) {
        NodeAssignment na = assignments.get(m);
        NodeView v = byId.get(na.nodeId());
        v.addAllocation(a.job(), na.gpuIndices());
        links.add(v, k);
        marks.set(v.position());
      }
    }
    // Groups sorted by (capacity type, model) so group order, too, is input-order independent.
    List<TreeMap<String, Group>> byTypeAndModel = new ArrayList<>();
    for (int t = 0; t < CapacityType.values().length; t++) {
      byTypeAndModel.add(new TreeMap<>());
    }
    // Consecutive nodes mostly share type and model: look the group up only when they change.
    CapacityType lastType = null;
    String lastModel = null;
    for (NodeView v : nodes) {
      Node n = v.node();
      if (n.state() == NodeState.READY
          && (n.capacityType() != lastType || !n.primaryGpuModel().equals(lastModel))) {
        lastType = n.capacityType();
        lastModel = n.primaryGpuModel();
        byTypeAndModel.get(lastType.ordinal()).put(lastModel, null);
      }
    }
    groups = new ArrayList<>();
    for (CapacityType type : CapacityType.values()) {
      TreeMap<String, Group> models = byTypeAndModel.get(type.ordinal());
      for (var e : models.entrySet()) {
        Group g = new Group(groups.size(), type, e.getKey(), maxGpus, nodes.length);
        groups.add(g);
        e.setValue(g);
      }
    }
    Group g = null;
    for (NodeView v : nodes) {
      Node n = v.node();
      if (n.state() != NodeState.READY) {
        continue;
      }
      if (g == null || n.capacityType() != g.capacityType || !n.primaryGpuModel().equals(g.model)) {
        g = byTypeAndModel.get(n.capacityType().ordinal()).get(n.primaryGpuModel());
      }
      v.bucketGroup = g.id;
      g.members.set(v.position());
      g.size++;
      rebucket(v);
    }
  }

  /** Builds the working index of a snapshot. */
  public static ClusterIndex of(ClusterSnapshot snapshot) {
    return new ClusterIndex(snapshot);
  }

  public NodeView[] nodes() {
    return nodes;
  }

  public NodeView node(String id) {
    return byId.get(id);
  }

  public List<Group> groups() {
    return groups;
  }

  public int maxGpusPerNode() {
    return maxGpusPerNode;
  }

  public int nodesIn(NodeState state) {
    return nodesByState.getOrDefault(state, 0);
  }

  /** Positions of nodes running an allocation of {@code priority} that is not stopping. */
  public BitSet nodesRunning(PriorityClass priority) {
    return nodesRunningClass[priority.ordinal()];
  }

  /** Positions of nodes with at least one GPU that is not healthy. */
  public BitSet nodesWithUnhealthyGpus() {
    return nodesWithUnhealthyGpus;
  }

  /** Positions of nodes with an allocation that is already stopping. */
  public BitSet nodesWithStopping() {
    return nodesWithStopping;
  }

  /** GPUs of READY nodes. */
  public long totalGpus() {
    return totalGpus;
  }

  public long totalCpu() {
    return totalCpu;
  }

  public long totalMemoryMiB() {
    return totalMemoryMiB;
  }

  /** The group a READY node belongs to, or null. */
  public Group groupOf(NodeView v) {
    return v.bucketGroup < 0 ? null : groups.get(v.bucketGroup);
  }

  /** Gives {@code gpus} of {@code v} to the request's job and re-buckets the node. */
  public void take(NodeView v, long gpus, PlacementRequest request) {
    var r = request.resources();
    v.take(gpus, request.shareable(), r.gpuMemoryMiB(), r.cpu(), r.memoryMiB());
    rebucket(v);
  }

  /** Holds a node for one job: no other job is placed on it in this plan. */
  public void reserve(NodeView v, String jobId) {
    v.reservedFor = jobId;
    rebucket(v);
  }

  private void rebucket(NodeView v) {
    if (v.bucketGroup < 0) {
      return;
    }
    Group g = groups.get(v.bucketGroup);
    if (v.bucketFree >= 0) {
      g.byFree[v.bucketFree].clear(v.position());
      v.bucketFree = -1;
    }
    if (v.inSharedIndex) {
      g.shared.clear(v.position());
      v.inSharedIndex = false;
    }
    if (v.reservedFor != null) {
      return;
    }
    v.bucketFree = v.freeGpuCount();
    g.byFree[v.bucketFree].set(v.position());
    if (v.sharedGpus() != 0) {
      g.shared.set(v.position());
      v.inSharedIndex = true;
    }
  }
}
