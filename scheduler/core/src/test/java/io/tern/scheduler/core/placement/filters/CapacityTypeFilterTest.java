package io.tern.scheduler.core.placement.filters;

import static io.tern.scheduler.core.Fixtures.job;
import static io.tern.scheduler.core.Fixtures.onDemand;
import static io.tern.scheduler.core.Fixtures.spot;
import static io.tern.scheduler.core.Fixtures.view;
import static org.assertj.core.api.Assertions.assertThat;

import io.tern.scheduler.core.explain.ReasonKind;
import io.tern.scheduler.core.placement.CapacityTiers;
import io.tern.scheduler.core.placement.PlacementRequest;
import io.tern.scheduler.core.placement.Veto;
import org.junit.jupiter.api.Test;

class CapacityTypeFilterTest {
  private final CapacityTypeFilter filter = new CapacityTypeFilter();

  @Test
  void spotOnlyRequestRefusesOnDemandNodes() {
    var request =
        new PlacementRequest(
            job("j", 1).build(), CapacityTiers.SPOT_ONLY, Double.POSITIVE_INFINITY);
    assertThat(filter.check(request, view(spot("s", 8)))).isEmpty();
    assertThat(filter.check(request, view(onDemand("o", 8))))
        .map(Veto::kind)
        .contains(ReasonKind.CAPACITY_TYPE);
  }

  @Test
  void onDemandRequestRefusesSpotNodes() {
    var request =
        new PlacementRequest(
            job("j", 1).build(), CapacityTiers.ON_DEMAND_ONLY, Double.POSITIVE_INFINITY);
    assertThat(filter.check(request, view(onDemand("o", 8)))).isEmpty();
    assertThat(filter.check(request, view(spot("s", 8))))
        .map(Veto::kind)
        .contains(ReasonKind.CAPACITY_TYPE);
  }

  @Test
  void spotFirstRequestAcceptsBothTypes() {
    var request =
        new PlacementRequest(
            job("j", 1).build(), CapacityTiers.SPOT_FIRST, Double.POSITIVE_INFINITY);
    assertThat(filter.check(request, view(onDemand("o", 8)))).isEmpty();
    assertThat(filter.check(request, view(spot("s", 8)))).isEmpty();
  }
}
