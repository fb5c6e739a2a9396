package io.tern.scheduler.core.placement.filters;

import static io.tern.scheduler.core.Fixtures.job;
import static io.tern.scheduler.core.Fixtures.spot;
import static io.tern.scheduler.core.Fixtures.view;
import static org.assertj.core.api.Assertions.assertThat;

import io.tern.scheduler.core.explain.ReasonKind;
import io.tern.scheduler.core.model.Resources;
import io.tern.scheduler.core.placement.PlacementRequest;
import io.tern.scheduler.core.placement.Veto;
import java.util.List;
import org.junit.jupiter.api.Test;

class GpuModelFilterTest {
  private final GpuModelFilter filter = new GpuModelFilter();

  private static PlacementRequest wanting(List<String> models) {
    return PlacementRequest.anyCapacity(
        job("j", 1).resources(Resources.of(1, 1, 0, models, 0, 0)).build());
  }

  @Test
  void onlyListedModelsAreAccepted() {
    // Fixture nodes carry A100s.
    assertThat(filter.check(wanting(List.of("H100", "A100")), view(spot("n", 1)))).isEmpty();
    assertThat(filter.check(wanting(List.of("H100")), view(spot("n", 1))))
        .map(Veto::kind)
        .contains(ReasonKind.GPU_MODEL);
  }

  @Test
  void anEmptyListAcceptsAnyModel() {
    assertThat(filter.check(wanting(List.of()), view(spot("n", 1)))).isEmpty();
  }
}
