package io.tern.scheduler.core.placement;

import io.tern.scheduler.core.explain.ReasonKind;
import java.util.Optional;

/**
 * A placement rule judged GPU by GPU. The engine intersects the GPUs every GPU filter accepts; a
 * node passes when at least {@code gpusPerNode} GPUs remain. As a {@link PlacementFilter} on its
 * own, it vetoes a node with fewer accepted GPUs than the request needs.
 *
 * <p>Same contract as {@link PlacementFilter}: pure, deterministic, planning thread only.
 */
public interface GpuFilter extends PlacementFilter {

  /** The reason kind reported when this filter leaves too few GPUs. */
  ReasonKind kind();

  /** True when GPU {@code gpu} of {@code node} may take the request. */
  boolean accepts(PlacementRequest request, NodeView node, int gpu);

  /** The subset of {@code candidates} this filter accepts. */
  default long accepted(PlacementRequest request, NodeView node, long candidates) {
    long out = 0;
    for (long m = candidates; m != 0; m &= m - 1) {
      int gpu = Long.numberOfTrailingZeros(m);
      if (accepts(request, node, gpu)) {
        out |= 1L << gpu;
      }
    }
    return out;
  }

  @Override
  default Optional<Veto> check(PlacementRequest request, NodeView node) {
    long ok = accepted(request, node, node.allGpus());
    return Long.bitCount(ok) >= request.gpusPerNode() ? Optional.empty() : Veto.of(kind());
  }
}
