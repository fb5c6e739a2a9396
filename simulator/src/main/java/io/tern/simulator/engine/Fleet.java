package io.tern.simulator.engine;

import io.tern.scheduler.core.model.CapacityType;
import io.tern.scheduler.core.model.Node;
import io.tern.scheduler.core.model.NodeState;
import io.tern.scheduler.core.policy.PoolOffer;
import io.tern.simulator.policy.ClusterPolicy;
import io.tern.simulator.spot.GpuPrice;
import io.tern.simulator.spot.PoolTimeline;
import io.tern.simulator.spot.PriceTable;
import io.tern.simulator.spot.SpotFleetModel;
import io.tern.simulator.trace.TraceNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The nodes a policy can use. Under on-demand-only, the trace's nodes are on-demand and always up.
 * Under the spot policies, the trace's nodes are spot (up while their pool has capacity) and every
 * node shape also has an elastic on-demand pool, offered to the core as a {@link PoolOffer} of up
 * to as many nodes as the trace has of that shape, launched on the core's capacity requests.
 *
 * <p>Nodes go up, down and change state only through this class, which keeps the core's view of the
 * up nodes (sorted by id) between changes.
 */
final class Fleet {
  final List<SimNode> nodes = new ArrayList<>();
  final Map<String, SimNode> byId = new HashMap<>();
  final List<String> spotPools = new ArrayList<>();
  final List<PoolTimeline> timelines = new ArrayList<>();
  final List<List<SimNode>> spotPoolNodes = new ArrayList<>();
  final Map<String, PoolOffer> offers = new TreeMap<>();
  final Map<String, TraceNode> offerShapes = new HashMap<>();
  final Map<String, Integer> launched = new HashMap<>();
  final Map<String, Integer> launching = new TreeMap<>();
  final Map<String, Integer> active = new HashMap<>();
  private final PriceTable prices;
  // Every node ever added, sorted by id; the core nodes of the up ones, or null once one changed.
  private final List<SimNode> nodesById = new ArrayList<>();
  private List<Node> upCoreNodes;

  Fleet(List<TraceNode> shapes, ClusterPolicy policy, PriceTable prices, SpotFleetModel spot) {
    this.prices = prices;
    Map<String, Integer> poolIndex = new HashMap<>();
    Map<String, Integer> shapeCounts = new TreeMap<>();
    for (int i = 0; i < shapes.size(); i++) {
      TraceNode shape = shapes.get(i);
      shapeCounts.merge(shapeKey(shape), 1, Integer::sum);
      if (!policy.spotFleet()) {
        add(shape.id(), shape, CapacityType.ON_DEMAND, "od/" + shapeKey(shape)).up = true;
        continue;
      }
      String pool = spot.poolOf(i);
      Integer p = poolIndex.get(pool);
      if (p == null) {
        p = spotPools.size();
        poolIndex.put(pool, p);
        spotPools.add(pool);
        timelines.add(spot.pools().get(pool));
        spotPoolNodes.add(new ArrayList<>());
      }
      SimNode node = add(shape.id(), shape, CapacityType.SPOT, pool);
      node.spotPool = p;
      node.up = timelines.get(p).availableAt(0);
      spotPoolNodes.get(p).add(node);
    }
    if (policy.spotFleet() && spot.poolsConfigured()) {
      for (List<SimNode> poolNodes : spotPoolNodes) {
        SimNode node = poolNodes.get(0);
        offers.put(
            node.pool,
            new PoolOffer(
                node.pool,
                CapacityType.SPOT,
                shapeKey(node.shape),
                "spot",
                node.shape.gpus(),
                node.shape.gpuModel(),
                node.shape.gpuMemGib() * 1024L,
                0,
                0,
                node.pricePerHour,
                0));
      }
    }
    if (policy.spotFleet()) {
      for (TraceNode shape : shapes) {
        String key = shapeKey(shape);
        String pool = "od/" + key;
        if (!offers.containsKey(pool)) {
          double perGpuHour = prices.forModel(shape.gpuModel()).onDemandPerGpuHour();
          offers.put(
              pool,
              new PoolOffer(
                  pool,
                  CapacityType.ON_DEMAND,
                  key,
                  "on-demand",
                  shape.gpus(),
                  shape.gpuModel(),
                  shape.gpuMemGib() * 1024L,
                  0,
                  0,
                  perGpuHour * shape.gpus(),
                  shapeCounts.get(key)));
          offerShapes.put(pool, shape);
        }
      }
    }
  }

  private SimNode add(String id, TraceNode shape, CapacityType type, String pool) {
    GpuPrice price = prices.forModel(shape.gpuModel());
    double perGpuHour =
        type == CapacityType.SPOT ? price.spotPerGpuHour() : price.onDemandPerGpuHour();
    SimNode node =
        new SimNode(nodes.size(), id, shape, type, pool, perGpuHour, price.onDemandPerGpuHour());
    nodes.add(node);
    byId.put(id, node);
    int at = Collections.binarySearch(nodesById, node, BY_ID);
    nodesById.add(at < 0 ? -at - 1 : at, node);
    upCoreNodes = null;
    return node;
  }

  /** Adds a launching on-demand node of an offered pool, or returns null when the pool is full. */
  SimNode launch(String pool) {
    PoolOffer offer = offers.get(pool);
    if (offer == null) {
      return null;
    }
    int count = launched.getOrDefault(pool, 0);
    if (active.getOrDefault(pool, 0) >= offer.maxNodes()) {
      return null;
    }
    active.merge(pool, 1, Integer::sum);
    launched.put(pool, count + 1);
    launching.merge(pool, 1, Integer::sum);
    TraceNode shape = offerShapes.get(pool);
    SimNode node =
        add(
            String.format(Locale.ROOT, "%s-%05d", pool.replace('/', '-'), count),
            shape,
            CapacityType.ON_DEMAND,
            pool);
    node.generation = 1;
    return node;
  }

  /** Gives back an elastic on-demand node. */
  void release(SimNode node) {
    down(node);
    node.released = true;
    active.merge(node.pool, -1, Integer::sum);
  }

  /** A node registers: up and READY. */
  void up(SimNode node) {
    node.up = true;
    node.setState(NodeState.READY);
    upCoreNodes = null;
  }

  /** A node is gone (reclaimed or given back); it keeps its last state until it is up again. */
  void down(SimNode node) {
    node.up = false;
    upCoreNodes = null;
  }

  /** An up node changes state (a spot notice drains it). */
  void setState(SimNode node, NodeState state) {
    if (node.state() != state) {
      node.setState(state);
      upCoreNodes = null;
    }
  }

  /** The core nodes of the up nodes, sorted by id; the same list while no node changed. */
  List<Node> upNodesById() {
    if (upCoreNodes == null) {
      List<Node> up = new ArrayList<>(nodesById.size());
      for (SimNode node : nodesById) {
        if (node.up) {
          up.add(node.core());
        }
      }
      upCoreNodes = List.copyOf(up);
    }
    return upCoreNodes;
  }

  private static final Comparator<SimNode> BY_ID = Comparator.comparing((SimNode n) -> n.id);

  static String shapeKey(TraceNode shape) {
    return shape.gpuModel() + "x" + shape.gpus();
  }
}
