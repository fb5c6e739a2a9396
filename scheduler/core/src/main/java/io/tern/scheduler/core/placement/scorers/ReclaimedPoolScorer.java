package io.tern.scheduler.core.placement.scorers;

import io.tern.scheduler.core.placement.NodeView;
import io.tern.scheduler.core.placement.PlacementRequest;
import io.tern.scheduler.core.placement.PlacementScorer;

/**
 * After a spot reclaim, prefer another pool: the pool that was just reclaimed is likely short of
 * spot capacity and may reclaim again. (The candidate search also looks outside that pool first.)
 */
public final class ReclaimedPoolScorer implements PlacementScorer {
  public static final String NAME = "reclaimed-pool";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public double score(PlacementRequest request, NodeView node, long gpus) {
    String reclaimed = request.job().lastReclaimedPool();
    return reclaimed != null && reclaimed.equals(node.node().pool()) ? 0.0 : 1.0;
  }
}
