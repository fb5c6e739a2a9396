package io.tern.scheduler.core.placement.filters;

import io.tern.scheduler.core.explain.ReasonKind;
import io.tern.scheduler.core.placement.NodeView;
import io.tern.scheduler.core.placement.PlacementFilter;
import io.tern.scheduler.core.placement.PlacementRequest;
import io.tern.scheduler.core.placement.Veto;
import java.util.Optional;

/**
 * A node reserved for a blocked head-of-line job takes no backfill: this is what keeps backfill
 * from delaying the reserved job.
 */
public final class ReservationFilter implements PlacementFilter {
  private static final Optional<Veto> VETO = Veto.of(ReasonKind.RESERVED);

  @Override
  public Optional<Veto> check(PlacementRequest request, NodeView node) {
    String holder = node.reservedFor();
    return holder == null || holder.equals(request.job().id()) ? Optional.empty() : VETO;
  }
}
