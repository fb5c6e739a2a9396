package io.tern.scheduler.core.placement;

import io.tern.scheduler.core.model.Allocation;
import io.tern.scheduler.core.model.CapacityType;
import io.tern.scheduler.core.model.ClusterSnapshot;
import io.tern.scheduler.core.model.NodeState;
import io.tern.scheduler.core.model.PriorityClass;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * The working cluster of one plan call, indexed so that a job looks only at nodes that can matter:
 * READY nodes are bucketed by (capacity type, GPU model) group and by free GPU count, as bit sets
 * over node positions (so iteration is in node-id order and moving a node is O(1)). Shareable GPUs
 * have their own per-group set. Not thread-safe; built per plan call.
 */
public final class ClusterIndex {
  private final NodeTable table;
  private final AllocationTable rows;
  private final NodeView[] nodes;
  private final AllocationLinks links;
  private final List<Group> groups;
  private final BitSet[] nodesRunningClass = new BitSet[PriorityClass.values().length];
  private final BitSet nodesWithStopping;

  /**
   * The snapshot's allocations per node as chains of links (one link per node an allocation uses),
   * kept in flat arrays rather than a list per node: most nodes' lists are never read in a plan.
   */
  static final class AllocationLinks {
    private final List<Allocation> allocations;
    private int[] allocation;
    private int[] member;
    private int[] next;
    private int size;

    AllocationLinks(List<Allocation> allocations) {
      this.allocations = allocations;
      this.allocation = new int[Math.max(16, allocations.size())];
      this.member = new int[allocation.length];
      this.next = new int[allocation.length];
    }

    /**
     * Appends allocation {@code k} of the snapshot (its member {@code m} on {@code v}) to the
     * chain.
     */
    void add(NodeView v, int k, int m) {
      if (size == allocation.length) {
        allocation = java.util.Arrays.copyOf(allocation, size * 2);
        member = java.util.Arrays.copyOf(member, size * 2);
        next = java.util.Arrays.copyOf(next, size * 2);
      }
      allocation[size] = k;
      member[size] = m;
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
    final BitSet shared;
    final BitSet members;
    int size;

    Group(int id, CapacityType capacityType, String model, int maxGpus, int nodeCount) {
      this.id = id;
      this.capacityType = capacityType;
      this.model = model;
      this.shared = new BitSet(nodeCount);
      this.members = new BitSet(nodeCount);
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

  private ClusterIndex(ClusterSnapshot snapshot, NodeTable table, AllocationTable rows) {
    List<Allocation> allocations = snapshot.allocations();
    links = new AllocationLinks(allocations);
    this.table = table;
    this.rows = rows;
    int count = table.size();
    nodes = new NodeView[count];
    for (int i = 0; i < count; i++) {
      nodes[i] = new NodeView(table.nodes[i], i, links, table.allGpus[i], table.healthyGpus[i]);
    }
    nodesWithStopping = new BitSet(count);
    for (int c = 0; c < nodesRunningClass.length; c++) {
      nodesRunningClass[c] = new BitSet(count);
    }
    for (int k = 0, size = rows.size(); k < size; k++) {
      BitSet marks = rows.stopping[k] ? nodesWithStopping : nodesRunningClass[rows.priority[k]];
      boolean shareable = rows.shareable[k];
      int cpu = rows.cpu[k];
      long memory = rows.memoryMiB[k];
      for (int m = rows.memberStart[k], end = rows.memberStart[k + 1]; m < end; m++) {
        NodeView v = nodes[rows.memberPosition[m]];
        v.addAllocation(shareable, rows.memberGpus[m], cpu, memory);
        links.add(v, k, m);
        marks.set(v.position());
      }
    }
    int maxGpus = table.maxGpusPerNode;
    groups = new ArrayList<>(table.groupTypes.length);
    for (int g = 0; g < table.groupTypes.length; g++) {
      groups.add(new Group(g, table.groupTypes[g], table.groupModels[g], maxGpus, count));
    }
    for (int i = 0; i < count; i++) {
      int g = table.groupOf[i];
      if (g < 0) {
        continue;
      }
      NodeView v = nodes[i];
      Group group = groups.get(g);
      v.bucketGroup = g;
      group.members.set(i);
      group.size++;
      rebucket(v);
    }
  }

  /** Builds the working index of a snapshot from scratch. */
  public static ClusterIndex of(ClusterSnapshot snapshot) {
    NodeTable table = NodeTable.of(snapshot.nodes(), null);
    return of(snapshot, table, AllocationTable.of(snapshot.allocations(), table, null));
  }

  /**
   * Builds the working index of a snapshot whose node list {@code table} and allocations {@code
   * rows} describe.
   */
  public static ClusterIndex of(ClusterSnapshot snapshot, NodeTable table, AllocationTable rows) {
    return new ClusterIndex(snapshot, table, rows);
  }

  /** The snapshot's allocations as rows; row {@code k} is allocation {@code k} of the snapshot. */
  public AllocationTable allocationRows() {
    return rows;
  }

  /**
   * The first link of {@code v}'s chain of snapshot allocations (in job id order), or -1. With
   * {@link #nextLink}, {@link #linkedAllocation} and {@link #linkedGpus}, a node's allocations are
   * walked as rows, without reading the allocation objects.
   */
  public int firstLink(NodeView v) {
    return v.firstLink;
  }

  /** The link after {@code link} in its node's chain, or -1. */
  public int nextLink(int link) {
    return links.next[link];
  }

  /** The row of the allocation at {@code link}. */
  public int linkedAllocation(int link) {
    return links.allocation[link];
  }

  /** The GPUs (a mask) the allocation at {@code link} holds on the link's node. */
  public long linkedGpus(int link) {
    return rows.memberGpus[links.member[link]];
  }

  public NodeView[] nodes() {
    return nodes;
  }

  public NodeView node(String id) {
    int position = table.position(id);
    return position < 0 ? null : nodes[position];
  }

  public List<Group> groups() {
    return groups;
  }

  public int maxGpusPerNode() {
    return table.maxGpusPerNode;
  }

  public int nodesIn(NodeState state) {
    return table.stateCounts[state.ordinal()];
  }

  /** Positions of nodes running an allocation of {@code priority} that is not stopping. */
  public BitSet nodesRunning(PriorityClass priority) {
    return nodesRunningClass[priority.ordinal()];
  }

  /** Positions of nodes with at least one GPU that is not healthy (read only). */
  public BitSet nodesWithUnhealthyGpus() {
    return table.nodesWithUnhealthyGpus;
  }

  /** Positions of nodes with an allocation that is already stopping. */
  public BitSet nodesWithStopping() {
    return nodesWithStopping;
  }

  /** GPUs of READY nodes. */
  public long totalGpus() {
    return table.totalGpus;
  }

  public long totalCpu() {
    return table.totalCpu;
  }

  public long totalMemoryMiB() {
    return table.totalMemoryMiB;
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
