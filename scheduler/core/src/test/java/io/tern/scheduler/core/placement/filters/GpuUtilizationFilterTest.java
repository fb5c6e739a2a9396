package io.tern.scheduler.core.placement.filters;

import static io.tern.scheduler.core.Fixtures.job;
import static io.tern.scheduler.core.Fixtures.running;
import static io.tern.scheduler.core.Fixtures.spot;
import static io.tern.scheduler.core.Fixtures.view;
import static io.tern.scheduler.core.Fixtures.withGpu;
import static org.assertj.core.api.Assertions.assertThat;

import io.tern.scheduler.core.explain.ReasonKind;
import io.tern.scheduler.core.placement.PlacementRequest;
import io.tern.scheduler.core.placement.Veto;
import org.junit.jupiter.api.Test;

class GpuUtilizationFilterTest {
  private final GpuUtilizationFilter filter = new GpuUtilizationFilter(50);
  private final PlacementRequest shareable =
      PlacementRequest.anyCapacity(job("j", 1).shareable(true).build());

  @Test
  void aBusySharedGpuTakesNoMoreTenants() {
    var base = spot("n", 1);
    var busy = withGpu(base, base.gpus().get(0).withTelemetry(1_000, 80));
    var tenant = job("tenant", 1).shareable(true).build();
    assertThat(filter.check(shareable, view(busy, running(tenant, busy, 0))))
        .map(Veto::kind)
        .contains(ReasonKind.GPU_BUSY);
    var quiet = withGpu(base, base.gpus().get(0).withTelemetry(1_000, 50));
    assertThat(filter.check(shareable, view(quiet, running(tenant, quiet, 0)))).isEmpty();
  }

  @Test
  void unsharedGpusAreNotJudgedByUtilization() {
    var base = spot("n", 1);
    var node = withGpu(base, base.gpus().get(0).withTelemetry(0, 100));
    assertThat(filter.accepts(shareable, view(node), 0)).isTrue();
  }
}
