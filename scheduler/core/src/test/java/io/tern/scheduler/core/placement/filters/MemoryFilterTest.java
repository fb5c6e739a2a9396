package io.tern.scheduler.core.placement.filters;

import static io.tern.scheduler.core.Fixtures.job;
import static io.tern.scheduler.core.Fixtures.running;
import static io.tern.scheduler.core.Fixtures.spot;
import static io.tern.scheduler.core.Fixtures.view;
import static org.assertj.core.api.Assertions.assertThat;

import io.tern.scheduler.core.explain.ReasonKind;
import io.tern.scheduler.core.model.Resources;
import io.tern.scheduler.core.placement.PlacementRequest;
import io.tern.scheduler.core.placement.Veto;
import java.util.List;
import org.junit.jupiter.api.Test;

class MemoryFilterTest {
  private final MemoryFilter filter = new MemoryFilter();

  private static PlacementRequest asking(long mib) {
    return PlacementRequest.anyCapacity(
        job("j", 1).resources(Resources.of(1, 1, 0, List.of(), 0, mib)).build());
  }

  @Test
  void passesWhenFreeHostMemorySuffices() {
    assertThat(filter.check(asking(1_048_576), view(spot("n", 8)))).isEmpty();
  }

  @Test
  void vetoesWhenRunningJobsHoldTheMemory() {
    var node = spot("n", 8);
    var busy = job("busy", 1).resources(Resources.of(1, 1, 0, List.of(), 0, 1_000_000)).build();
    assertThat(filter.check(asking(100_000), view(node, running(busy, node, 0))))
        .map(Veto::kind)
        .contains(ReasonKind.MEMORY);
  }
}
