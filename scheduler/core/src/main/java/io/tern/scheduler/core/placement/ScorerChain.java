package io.tern.scheduler.core.placement;

import io.tern.scheduler.core.EngineConfig;
import io.tern.scheduler.core.placement.scorers.BinPackingScorer;
import io.tern.scheduler.core.placement.scorers.GpuUtilizationScorer;
import io.tern.scheduler.core.placement.scorers.PriceScorer;
import io.tern.scheduler.core.placement.scorers.ReclaimRiskScorer;
import io.tern.scheduler.core.placement.scorers.ReclaimedPoolScorer;
import io.tern.scheduler.core.placement.scorers.SharedPackingScorer;
import java.util.ArrayList;
import java.util.List;

/**
 * Scorers with their configured weights; the combined score is the weighted mean, in [0, 1].
 * Scorers with weight 0 are dropped up front. Immutable and thread-safe.
 */
public final class ScorerChain {
  private final PlacementScorer[] scorers;
  private final double[] weights;
  private final double totalWeight;

  public ScorerChain(List<PlacementScorer> all, EngineConfig config) {
    List<PlacementScorer> kept = new ArrayList<>();
    List<Double> w = new ArrayList<>();
    for (PlacementScorer s : all) {
      double weight = config.weight(s.name());
      if (weight > 0) {
        kept.add(s);
        w.add(weight);
      }
    }
    scorers = kept.toArray(PlacementScorer[]::new);
    weights = new double[w.size()];
    double total = 0;
    for (int i = 0; i < weights.length; i++) {
      weights[i] = w.get(i);
      total += weights[i];
    }
    totalWeight = total;
  }

  /** The standard scorers, weighted by {@code config}. */
  public static ScorerChain standard(EngineConfig config) {
    return new ScorerChain(
        List.of(
            new BinPackingScorer(),
            new PriceScorer(),
            new ReclaimedPoolScorer(),
            new ReclaimRiskScorer(),
            new GpuUtilizationScorer(),
            new SharedPackingScorer()),
        config);
  }

  public double score(PlacementRequest request, NodeView node, long gpus) {
    if (totalWeight == 0) {
      return 0;
    }
    double sum = 0;
    for (int i = 0; i < scorers.length; i++) {
      sum += weights[i] * scorers[i].score(request, node, gpus);
    }
    return sum / totalWeight;
  }
}
