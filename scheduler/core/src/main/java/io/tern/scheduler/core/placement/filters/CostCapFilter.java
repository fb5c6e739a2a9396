package io.tern.scheduler.core.placement.filters;

import io.tern.scheduler.core.explain.ReasonKind;
import io.tern.scheduler.core.placement.NodeView;
import io.tern.scheduler.core.placement.PlacementFilter;
import io.tern.scheduler.core.placement.PlacementRequest;
import io.tern.scheduler.core.placement.Veto;
import java.util.Optional;

/**
 * A job with a cost cap and a known amount of work left only goes where its share of the node's
 * price, over that work, stays under the cap. The bound is precomputed per request (see {@link
 * PlacementRequest#maxJobPricePerHourUsd()}); here it is compared with the node's price scaled to
 * the GPUs the job takes.
 */
public final class CostCapFilter implements PlacementFilter {
  private static final Optional<Veto> VETO = Veto.of(ReasonKind.COST_CAP);

  @Override
  public Optional<Veto> check(PlacementRequest request, NodeView node) {
    double cap = request.maxJobPricePerHourUsd();
    if (cap == Double.POSITIVE_INFINITY) {
      return Optional.empty();
    }
    return jobShareOfNodePrice(request, node) <= cap ? Optional.empty() : VETO;
  }

  /** True when the node's price suits the request's cost cap. */
  public static boolean affordable(PlacementRequest request, NodeView node) {
    return jobShareOfNodePrice(request, node) <= request.maxJobPricePerHourUsd();
  }

  /**
   * What the job pays per hour per node: the whole node for CPU-only work, else its GPUs' share.
   */
  static double jobShareOfNodePrice(PlacementRequest request, NodeView node) {
    int gpus = node.gpuCount();
    if (gpus == 0 || request.gpusPerNode() == 0) {
      return node.node().pricePerHourUsd();
    }
    return node.node().pricePerHourUsd() * request.gpusPerNode() / gpus;
  }
}
