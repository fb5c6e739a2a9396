package io.tern.scheduler.core.placement.filters;

import static io.tern.scheduler.core.Fixtures.job;
import static io.tern.scheduler.core.Fixtures.spot;
import static io.tern.scheduler.core.Fixtures.view;
import static org.assertj.core.api.Assertions.assertThat;

import io.tern.scheduler.core.explain.ReasonKind;
import io.tern.scheduler.core.model.NodeState;
import io.tern.scheduler.core.placement.PlacementRequest;
import io.tern.scheduler.core.placement.Veto;
import org.junit.jupiter.api.Test;

class NodeStateFilterTest {
  private final NodeStateFilter filter = new NodeStateFilter();
  private final PlacementRequest request = PlacementRequest.anyCapacity(job("j", 1).build());

  @Test
  void readyNodePasses() {
    assertThat(filter.check(request, view(spot("n1", 8)))).isEmpty();
  }

  @Test
  void drainingLostCordonedAndUnreachableNodesAreVetoedWithTheirOwnKind() {
    assertThat(filter.check(request, view(spot("n1", 8).withState(NodeState.DRAINING))))
        .map(Veto::kind)
        .contains(ReasonKind.NODE_DRAINING);
    assertThat(filter.check(request, view(spot("n1", 8).withState(NodeState.LOST))))
        .map(Veto::kind)
        .contains(ReasonKind.NODE_LOST);
    assertThat(filter.check(request, view(spot("n1", 8).withState(NodeState.CORDONED))))
        .map(Veto::kind)
        .contains(ReasonKind.NODE_CORDONED);
    assertThat(filter.check(request, view(spot("n1", 8).withState(NodeState.UNREACHABLE))))
        .map(Veto::kind)
        .contains(ReasonKind.NODE_UNREACHABLE);
  }
}
