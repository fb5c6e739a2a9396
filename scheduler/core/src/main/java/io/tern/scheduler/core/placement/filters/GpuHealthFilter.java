package io.tern.scheduler.core.placement.filters;

import io.tern.scheduler.core.explain.ReasonKind;
import io.tern.scheduler.core.placement.GpuFilter;
import io.tern.scheduler.core.placement.NodeView;
import io.tern.scheduler.core.placement.PlacementRequest;

/** Never place on a GPU that reported XID or ECC errors. */
public final class GpuHealthFilter implements GpuFilter {

  @Override
  public ReasonKind kind() {
    return ReasonKind.GPU_UNHEALTHY;
  }

  @Override
  public boolean accepts(PlacementRequest request, NodeView node, int gpu) {
    return (node.healthyGpus() & (1L << gpu)) != 0;
  }
}
