package io.tern.scheduler.core.placement.scorers;

import io.tern.scheduler.core.placement.NodeView;
import io.tern.scheduler.core.placement.PlacementRequest;
import io.tern.scheduler.core.placement.PlacementScorer;

/**
 * Prefer the node left with the fewest free GPUs (best fit), so whole nodes stay free for large and
 * gang jobs instead of being fragmented by small ones.
 */
public final class BinPackingScorer implements PlacementScorer {
  public static final String NAME = "bin-packing";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public double score(PlacementRequest request, NodeView node, long gpus) {
    int total = node.gpuCount();
    if (total == 0) {
      return 1.0;
    }
    int freeAfter = Long.bitCount(node.freeGpus() & ~gpus);
    return 1.0 - (double) freeAfter / total;
  }
}
