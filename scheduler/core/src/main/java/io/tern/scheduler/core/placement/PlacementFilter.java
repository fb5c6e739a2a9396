package io.tern.scheduler.core.placement;

import java.util.Optional;

/**
 * A hard placement rule: may this node host one member of the request (one node's share of a gang)?
 *
 * <p>Contract: pure and deterministic (same request and node state, same answer); no side effects;
 * called only from the thread running the plan, so implementations need no synchronisation but must
 * not keep per-call state. A veto's kind is what {@code tern explain} counts, so return the most
 * specific one.
 */
public interface PlacementFilter {

  /** Empty when the node passes, else the veto. */
  Optional<Veto> check(PlacementRequest request, NodeView node);
}
