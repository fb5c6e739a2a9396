package io.tern.scheduler.core.placement.filters;

import io.tern.scheduler.core.explain.ReasonKind;
import io.tern.scheduler.core.placement.GpuFilter;
import io.tern.scheduler.core.placement.NodeView;
import io.tern.scheduler.core.placement.PlacementRequest;

/**
 * A GPU must be unallocated, or, for a shareable job, held only by shareable jobs and not yet at
 * the per-GPU sharing limit.
 */
public final class GpuAvailabilityFilter implements GpuFilter {
  private final int maxJobsPerSharedGpu;

  public GpuAvailabilityFilter(int maxJobsPerSharedGpu) {
    this.maxJobsPerSharedGpu = maxJobsPerSharedGpu;
  }

  @Override
  public ReasonKind kind() {
    return ReasonKind.NOT_ENOUGH_GPUS;
  }

  @Override
  public boolean accepts(PlacementRequest request, NodeView node, int gpu) {
    long bit = 1L << gpu;
    if ((node.unallocatedGpus() & bit) != 0) {
      return true;
    }
    return request.shareable()
        && (node.sharedGpus() & bit) != 0
        && node.sharers(gpu) < maxJobsPerSharedGpu;
  }
}
