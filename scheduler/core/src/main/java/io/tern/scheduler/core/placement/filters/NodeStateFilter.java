package io.tern.scheduler.core.placement.filters;

import io.tern.scheduler.core.explain.ReasonKind;
import io.tern.scheduler.core.placement.NodeView;
import io.tern.scheduler.core.placement.PlacementFilter;
import io.tern.scheduler.core.placement.PlacementRequest;
import io.tern.scheduler.core.placement.Veto;
import java.util.Optional;

/** Only READY nodes take new work: never draining, lost, cordoned or unreachable ones. */
public final class NodeStateFilter implements PlacementFilter {
  private static final Optional<Veto> DRAINING = Veto.of(ReasonKind.NODE_DRAINING);
  private static final Optional<Veto> LOST = Veto.of(ReasonKind.NODE_LOST);
  private static final Optional<Veto> CORDONED = Veto.of(ReasonKind.NODE_CORDONED);
  private static final Optional<Veto> UNREACHABLE = Veto.of(ReasonKind.NODE_UNREACHABLE);
  private static final Optional<Veto> RESTING = Veto.of(ReasonKind.NODE_RESTING);

  @Override
  public Optional<Veto> check(PlacementRequest request, NodeView node) {
    return switch (node.node().state()) {
      case READY -> Optional.empty();
      case DRAINING -> DRAINING;
      case LOST -> LOST;
      case CORDONED -> CORDONED;
      case UNREACHABLE -> UNREACHABLE;
      case RESTING -> RESTING;
    };
  }
}
