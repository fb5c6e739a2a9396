package io.tern.scheduler.core.placement.filters;

import io.tern.scheduler.core.explain.ReasonKind;
import io.tern.scheduler.core.placement.GpuFilter;
import io.tern.scheduler.core.placement.NodeView;
import io.tern.scheduler.core.placement.PlacementRequest;

/** The GPU model must be one the job accepts (an empty list accepts any). */
public final class GpuModelFilter implements GpuFilter {

  @Override
  public ReasonKind kind() {
    return ReasonKind.GPU_MODEL;
  }

  @Override
  public boolean accepts(PlacementRequest request, NodeView node, int gpu) {
    return request.resources().acceptsModel(node.gpuModel(gpu));
  }
}
