package io.tern.scheduler.core.placement.scorers;

import io.tern.scheduler.core.placement.NodeView;
import io.tern.scheduler.core.placement.PlacementRequest;
import io.tern.scheduler.core.placement.PlacementScorer;

/**
 * Prefer GPUs that live telemetry shows idle: an unallocated GPU that is busy hints at a stray
 * process, and a quieter shared GPU slows its tenants less.
 */
public final class GpuUtilizationScorer implements PlacementScorer {
  public static final String NAME = "gpu-utilization";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public double score(PlacementRequest request, NodeView node, long gpus) {
    int count = Long.bitCount(gpus);
    if (count == 0) {
      return 1.0;
    }
    int sum = 0;
    for (long m = gpus; m != 0; m &= m - 1) {
      sum += node.utilizationPercent(Long.numberOfTrailingZeros(m));
    }
    return 1.0 - sum / (100.0 * count);
  }
}
