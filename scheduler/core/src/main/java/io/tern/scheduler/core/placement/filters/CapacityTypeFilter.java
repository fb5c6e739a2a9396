package io.tern.scheduler.core.placement.filters;

import io.tern.scheduler.core.explain.ReasonKind;
import io.tern.scheduler.core.placement.NodeView;
import io.tern.scheduler.core.placement.PlacementFilter;
import io.tern.scheduler.core.placement.PlacementRequest;
import io.tern.scheduler.core.placement.Veto;
import java.util.Optional;

/**
 * The node's capacity type must be one the request allows (spot-only jobs never land on on-demand,
 * on-demand and deadline-forced jobs never on spot).
 */
public final class CapacityTypeFilter implements PlacementFilter {
  private static final Optional<Veto> VETO = Veto.of(ReasonKind.CAPACITY_TYPE);

  @Override
  public Optional<Veto> check(PlacementRequest request, NodeView node) {
    return request.allows(node.node().capacityType()) ? Optional.empty() : VETO;
  }
}
