package io.tern.scheduler.core.placement.filters;

import static io.tern.scheduler.core.Fixtures.cluster;
import static io.tern.scheduler.core.Fixtures.job;
import static io.tern.scheduler.core.Fixtures.spot;
import static org.assertj.core.api.Assertions.assertThat;

import io.tern.scheduler.core.explain.ReasonKind;
import io.tern.scheduler.core.placement.ClusterIndex;
import io.tern.scheduler.core.placement.PlacementRequest;
import io.tern.scheduler.core.placement.Veto;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReservationFilterTest {
  private final ReservationFilter filter = new ReservationFilter();

  @Test
  void aReservedNodeTakesOnlyItsHolder() {
    ClusterIndex index = ClusterIndex.of(cluster(List.of(spot("n", 8))));
    index.reserve(index.node("n"), "head");
    var holder = PlacementRequest.anyCapacity(job("head", 8).build());
    var other = PlacementRequest.anyCapacity(job("small", 1).build());
    assertThat(filter.check(holder, index.node("n"))).isEmpty();
    assertThat(filter.check(other, index.node("n"))).map(Veto::kind).contains(ReasonKind.RESERVED);
  }

  @Test
  void unreservedNodePasses() {
    ClusterIndex index = ClusterIndex.of(cluster(List.of(spot("n", 8))));
    assertThat(filter.check(PlacementRequest.anyCapacity(job("j", 1).build()), index.node("n")))
        .isEmpty();
  }
}
