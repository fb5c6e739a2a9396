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

class CpuFilterTest {
  private final CpuFilter filter = new CpuFilter();

  private static PlacementRequest asking(int cpu) {
    return PlacementRequest.anyCapacity(
        job("j", 1).resources(Resources.of(1, 1, 0, List.of(), cpu, 0)).build());
  }

  @Test
  void passesWhenFreeCoresSuffice() {
    // The fixture node has 64 cores.
    assertThat(filter.check(asking(64), view(spot("n", 8)))).isEmpty();
  }

  @Test
  void countsCoresHeldByRunningJobs() {
    var node = spot("n", 8);
    var busy = job("busy", 1).resources(Resources.of(1, 1, 0, List.of(), 60, 0)).build();
    assertThat(filter.check(asking(8), view(node, running(busy, node, 0))))
        .map(Veto::kind)
        .contains(ReasonKind.CPU);
    assertThat(filter.check(asking(4), view(node, running(busy, node, 0)))).isEmpty();
  }
}
