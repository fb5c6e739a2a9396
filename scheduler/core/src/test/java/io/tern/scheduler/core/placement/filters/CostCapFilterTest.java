package io.tern.scheduler.core.placement.filters;

import static io.tern.scheduler.core.Fixtures.job;
import static io.tern.scheduler.core.Fixtures.spot;
import static io.tern.scheduler.core.Fixtures.view;
import static io.tern.scheduler.core.Fixtures.withPrice;
import static org.assertj.core.api.Assertions.assertThat;

import io.tern.scheduler.core.explain.ReasonKind;
import io.tern.scheduler.core.placement.CapacityTiers;
import io.tern.scheduler.core.placement.PlacementRequest;
import io.tern.scheduler.core.placement.Veto;
import org.junit.jupiter.api.Test;

class CostCapFilterTest {
  private final CostCapFilter filter = new CostCapFilter();

  @Test
  void comparesTheJobsShareOfTheNodePriceWithItsBound() {
    // 2 of 8 GPUs of a $16/h node: the job pays $4/h.
    var node = view(withPrice(spot("n", 8), 16.0));
    var within = new PlacementRequest(job("j", 2).build(), CapacityTiers.EITHER, 4.0);
    var over = new PlacementRequest(job("j", 2).build(), CapacityTiers.EITHER, 3.99);
    assertThat(filter.check(within, node)).isEmpty();
    assertThat(filter.check(over, node)).map(Veto::kind).contains(ReasonKind.COST_CAP);
  }

  @Test
  void uncappedJobsGoAnywhere() {
    var node = view(withPrice(spot("n", 8), 1_000.0));
    assertThat(filter.check(PlacementRequest.anyCapacity(job("j", 8).build()), node)).isEmpty();
  }
}
