package io.tern.scheduler.core.placement.filters;

import io.tern.scheduler.core.explain.ReasonKind;
import io.tern.scheduler.core.placement.NodeView;
import io.tern.scheduler.core.placement.PlacementFilter;
import io.tern.scheduler.core.placement.PlacementRequest;
import io.tern.scheduler.core.placement.Veto;
import java.util.Optional;

/** The node must have the cores the request asks for on each node. */
public final class CpuFilter implements PlacementFilter {
  private static final Optional<Veto> VETO = Veto.of(ReasonKind.CPU);

  @Override
  public Optional<Veto> check(PlacementRequest request, NodeView node) {
    return node.freeCpu() >= request.resources().cpu() ? Optional.empty() : VETO;
  }
}
