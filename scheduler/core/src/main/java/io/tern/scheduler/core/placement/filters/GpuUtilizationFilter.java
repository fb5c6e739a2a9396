package io.tern.scheduler.core.placement.filters;

import io.tern.scheduler.core.explain.ReasonKind;
import io.tern.scheduler.core.placement.GpuFilter;
import io.tern.scheduler.core.placement.NodeView;
import io.tern.scheduler.core.placement.PlacementRequest;

/**
 * A shared GPU only takes another job while it is under-used (by live utilization); packing onto a
 * saturated GPU would slow every tenant. Unshared GPUs are not judged here.
 */
public final class GpuUtilizationFilter implements GpuFilter {
  private final int maxUtilizationPercent;

  public GpuUtilizationFilter(int maxUtilizationPercent) {
    this.maxUtilizationPercent = maxUtilizationPercent;
  }

  @Override
  public ReasonKind kind() {
    return ReasonKind.GPU_BUSY;
  }

  @Override
  public boolean accepts(PlacementRequest request, NodeView node, int gpu) {
    return !node.isShared(gpu) || node.utilizationPercent(gpu) <= maxUtilizationPercent;
  }
}
