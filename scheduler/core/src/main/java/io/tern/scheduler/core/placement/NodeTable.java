package io.tern.scheduler.core.placement;

import io.tern.scheduler.core.model.CapacityType;
import io.tern.scheduler.core.model.Gpu;
import io.tern.scheduler.core.model.GpuHealth;
import io.tern.scheduler.core.model.Node;
import io.tern.scheduler.core.model.NodeState;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a plan needs of a node list before any allocation is counted: positions by id, GPU masks,
 * the READY nodes' (capacity type, GPU model) groups and the totals. A pure function of the list
 * (nodes are immutable), built once per distinct list and shared by every plan call given that same
 * list object, so a caller that keeps its node list while only jobs change pays for it once.
 * Immutable and thread-safe after construction.
 */
public final class NodeTable {
  private final List<Node> source;
  final Node[] nodes;
  private final Map<String, Integer> positions;
  final long[] allGpus;
  final long[] healthyGpus;

  /** Per node: its group id when READY, else -1. */
  final int[] groupOf;

  final CapacityType[] groupTypes;
  final String[] groupModels;
  final int[] stateCounts = new int[NodeState.values().length];
  final BitSet nodesWithUnhealthyGpus;
  final int maxGpusPerNode;
  final long totalGpus;
  final long totalCpu;
  final long totalMemoryMiB;

  private NodeTable(List<Node> list) {
    source = list;
    int n = list.size();
    nodes = list.toArray(new Node[0]);
    positions = new HashMap<>(Math.max(16, n * 2));
    allGpus = new long[n];
    healthyGpus = new long[n];
    groupOf = new int[n];
    nodesWithUnhealthyGpus = new BitSet(n);
    int maxGpus = 0;
    long gpus = 0;
    long cpu = 0;
    long mem = 0;
    // Groups sorted by (capacity type, model) so group order, too, is input-order independent.
    List<TreeMap<String, Integer>> byTypeAndModel = new ArrayList<>();
    for (int t = 0; t < CapacityType.values().length; t++) {
      byTypeAndModel.add(new TreeMap<>());
    }
    String[] models = new String[n];
    for (int i = 0; i < n; i++) {
      Node node = nodes[i];
      positions.put(node.id(), i);
      List<Gpu> g = node.gpus();
      int count = g.size();
      allGpus[i] = count == 64 ? -1L : (1L << count) - 1;
      long healthy = 0;
      for (int k = 0; k < count; k++) {
        if (g.get(k).health() == GpuHealth.OK) {
          healthy |= 1L << k;
        }
      }
      healthyGpus[i] = healthy;
      if (healthy != allGpus[i]) {
        nodesWithUnhealthyGpus.set(i);
      }
      maxGpus = Math.max(maxGpus, count);
      stateCounts[node.state().ordinal()]++;
      groupOf[i] = -1;
      if (node.state() == NodeState.READY) {
        gpus += count;
        cpu += node.cpu();
        mem += node.memoryMiB();
        models[i] = node.primaryGpuModel();
        byTypeAndModel.get(node.capacityType().ordinal()).put(models[i], 0);
      }
    }
    maxGpusPerNode = maxGpus;
    totalGpus = gpus;
    totalCpu = cpu;
    totalMemoryMiB = mem;
    List<CapacityType> types = new ArrayList<>();
    List<String> groupNames = new ArrayList<>();
    for (CapacityType type : CapacityType.values()) {
      for (var e : byTypeAndModel.get(type.ordinal()).entrySet()) {
        e.setValue(types.size());
        types.add(type);
        groupNames.add(e.getKey());
      }
    }
    groupTypes = types.toArray(new CapacityType[0]);
    groupModels = groupNames.toArray(new String[0]);
    for (int i = 0; i < n; i++) {
      if (models[i] != null) {
        groupOf[i] = byTypeAndModel.get(nodes[i].capacityType().ordinal()).get(models[i]);
      }
    }
  }

  /** The table of {@code nodes}: {@code previous} itself when it was built from the same list. */
  public static NodeTable of(List<Node> nodes, NodeTable previous) {
    return previous != null && previous.source == nodes ? previous : new NodeTable(nodes);
  }

  public int size() {
    return nodes.length;
  }

  /** The position of node {@code id} in id order, or -1. */
  public int position(String id) {
    Integer p = positions.get(id);
    return p == null ? -1 : p;
  }

  /**
   * For each position of {@code older}, the position of the same node id in this table, or -1 when
   * it is gone. Both lists are sorted by id, so one merge walk does it.
   */
  int[] positionsOf(NodeTable older) {
    int[] map = new int[older.nodes.length];
    int j = 0;
    for (int i = 0; i < older.nodes.length; i++) {
      String id = older.nodes[i].id();
      while (j < nodes.length && nodes[j].id() != id && nodes[j].id().compareTo(id) < 0) {
        j++;
      }
      map[i] = j < nodes.length && nodes[j].id().equals(id) ? j : -1;
    }
    return map;
  }
}
