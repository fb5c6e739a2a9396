package io.tern.scheduler.core.placement.scorers;

import io.tern.scheduler.core.model.CapacityType;
import io.tern.scheduler.core.placement.NodeView;
import io.tern.scheduler.core.placement.PlacementRequest;
import io.tern.scheduler.core.placement.PlacementScorer;

/**
 * A job that cannot checkpoint loses everything on a spot reclaim, so between nodes of equal price
 * it prefers on-demand; a checkpointable job does not care. Across capacity types the cheaper one
 * wins before any score counts (see {@code CandidateSearch}).
 */
public final class ReclaimRiskScorer implements PlacementScorer {
  public static final String NAME = "reclaim-risk";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public double score(PlacementRequest request, NodeView node, long gpus) {
    boolean atRisk =
        node.node().capacityType() == CapacityType.SPOT && !request.job().checkpointable();
    return atRisk ? 0.0 : 1.0;
  }
}
