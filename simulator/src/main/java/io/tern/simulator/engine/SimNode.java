package io.tern.simulator.engine;

import io.tern.scheduler.core.model.CapacityType;
import io.tern.scheduler.core.model.Node;
import io.tern.scheduler.core.model.NodeState;
import io.tern.simulator.trace.GpuCatalog;
import io.tern.simulator.trace.TraceNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Mutable simulation state of one node; its core {@link Node} is built once per state it is seen in
 * (a spot node goes READY, DRAINING, READY... many times), and the same instance reused.
 */
final class SimNode {
  final int index;
  final String id;
  final TraceNode shape;
  final CapacityType type;
  final String pool;
  final double pricePerHour;
  final double pricePerGpuSecond;
  // What a GPU of this model costs on-demand, whatever this node is bought as.
  final double onDemandPricePerGpuSecond;
  final String priceClass;
  final List<SimJob> jobs = new ArrayList<>(2);
  // Index of its spot pool in the fleet's pool list; -1 for on-demand nodes.
  int spotPool = -1;
  boolean up;
  boolean released;
  int generation;
  private NodeState state = NodeState.READY;
  private final Node[] coreByState = new Node[NodeState.values().length];

  SimNode(
      int index,
      String id,
      TraceNode shape,
      CapacityType type,
      String pool,
      double perGpuHour,
      double onDemandPerGpuHour) {
    this.index = index;
    this.id = id;
    this.shape = shape;
    this.type = type;
    this.pool = pool;
    this.pricePerHour = perGpuHour * shape.gpus();
    this.pricePerGpuSecond = perGpuHour / 3600.0;
    this.onDemandPricePerGpuSecond = onDemandPerGpuHour / 3600.0;
    this.priceClass = GpuCatalog.priceClass(shape.gpuModel());
  }

  NodeState state() {
    return state;
  }

  void setState(NodeState state) {
    this.state = state;
  }

  Node core() {
    Node core = coreByState[state.ordinal()];
    if (core == null) {
      Node ready = coreByState[NodeState.READY.ordinal()];
      if (ready == null) {
        ready =
            Node.of(
                id,
                type,
                pool,
                pricePerHour,
                shape.gpus(),
                shape.gpuModel(),
                shape.gpuMemGib() * 1024L,
                0,
                0);
        coreByState[NodeState.READY.ordinal()] = ready;
      }
      core = state == NodeState.READY ? ready : ready.withState(state);
      coreByState[state.ordinal()] = core;
    }
    return core;
  }
}
