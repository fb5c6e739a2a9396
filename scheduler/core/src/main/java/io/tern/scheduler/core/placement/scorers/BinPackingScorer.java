package io.tern.scheduler.core.placement.scorers;

import io.tern.scheduler.core.placement.NodeView;
import io.tern.scheduler.core.placement.PlacementRequest;
import io.tern.scheduler.core.placement.PlacementScorer;

/**
 * Prefer the node left with the fewest free GPUs (best fit), so whole nodes stay free for large and
 * gang jobs instead of being fragmented by small ones. A job that takes no GPU fragments nothing:
 * it goes to the node with the fewest jobs, so that such jobs spread over the nodes rather than all
 * land on one host's cores.
 */
public final class BinPackingScorer implements PlacementScorer {
  public static final String NAME = "bin-packing";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public double score(PlacementRequest request, NodeView node, long gpus) {
    if (gpus == 0) {
      return 1.0 / (1 + node.jobs());
    }
    int total = node.gpuCount();
    if (total == 0) {
      return 1.0;
    }
    int freeAfter = Long.bitCount(node.freeGpus() & ~gpus);
    return 1.0 - (double) freeAfter / total;
  }
}
