package io.tern.scheduler.core.placement.scorers;

import io.tern.scheduler.core.placement.NodeView;
import io.tern.scheduler.core.placement.PlacementRequest;
import io.tern.scheduler.core.placement.PlacementScorer;

/**
 * Prefer cheaper GPU-hours. The score is {@code ref / (ref + price per GPU-hour)}: 1 for free
 * capacity, 0.5 at the reference price, falling smoothly; no cluster-wide maximum is needed, so the
 * score of a node does not change when some other node appears.
 */
public final class PriceScorer implements PlacementScorer {
  public static final String NAME = "price";
  private final double referencePricePerGpuHourUsd;

  public PriceScorer(double referencePricePerGpuHourUsd) {
    if (!(referencePricePerGpuHourUsd > 0)) {
      throw new IllegalArgumentException("reference price must be > 0");
    }
    this.referencePricePerGpuHourUsd = referencePricePerGpuHourUsd;
  }

  public PriceScorer() {
    this(2.0);
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public double score(PlacementRequest request, NodeView node, long gpus) {
    double price = node.node().pricePerGpuHourUsd();
    return referencePricePerGpuHourUsd / (referencePricePerGpuHourUsd + price);
  }
}
