package io.tern.scheduler.core.placement.filters;

import io.tern.scheduler.core.explain.ReasonKind;
import io.tern.scheduler.core.placement.GpuFilter;
import io.tern.scheduler.core.placement.NodeView;
import io.tern.scheduler.core.placement.PlacementRequest;

/**
 * The GPU must have the free memory the job asks for, by live telemetry (a stray process holding
 * memory on an "unallocated" GPU counts). Joining a shared GPU also leaves a safety margin, since
 * the other tenants' memory use moves.
 */
public final class GpuMemoryFilter implements GpuFilter {
  private final long shareMarginMiB;

  public GpuMemoryFilter(long shareMarginMiB) {
    this.shareMarginMiB = shareMarginMiB;
  }

  @Override
  public ReasonKind kind() {
    return ReasonKind.GPU_MEMORY;
  }

  @Override
  public boolean accepts(PlacementRequest request, NodeView node, int gpu) {
    long need = request.resources().gpuMemoryMiB();
    if (node.isShared(gpu)) {
      need += shareMarginMiB;
    }
    return node.gpuMemoryFreeMiB(gpu) >= need;
  }
}
