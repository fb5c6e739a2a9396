package io.tern.scheduler.core.placement.scorers;

import io.tern.scheduler.core.placement.NodeView;
import io.tern.scheduler.core.placement.PlacementRequest;
import io.tern.scheduler.core.placement.PlacementScorer;

/**
 * A shareable job prefers GPUs that are already shared, so it packs with its kind and leaves whole
 * GPUs for exclusive work. Non-shareable jobs score 1 everywhere (no preference).
 */
public final class SharedPackingScorer implements PlacementScorer {
  public static final String NAME = "shared-packing";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public double score(PlacementRequest request, NodeView node, long gpus) {
    int count = Long.bitCount(gpus);
    if (!request.shareable() || count == 0) {
      return 1.0;
    }
    return (double) Long.bitCount(gpus & node.sharedGpus()) / count;
  }
}
