package io.tern.scheduler.core.placement.filters;

import static io.tern.scheduler.core.Fixtures.job;
import static io.tern.scheduler.core.Fixtures.spot;
import static io.tern.scheduler.core.Fixtures.view;
import static io.tern.scheduler.core.Fixtures.withGpu;
import static org.assertj.core.api.Assertions.assertThat;

import io.tern.scheduler.core.explain.ReasonKind;
import io.tern.scheduler.core.model.GpuHealth;
import io.tern.scheduler.core.placement.PlacementRequest;
import io.tern.scheduler.core.placement.Veto;
import org.junit.jupiter.api.Test;

class GpuHealthFilterTest {
  private final GpuHealthFilter filter = new GpuHealthFilter();

  @Test
  void xidAndEccGpusAreRefused() {
    var base = spot("n", 2);
    var node = withGpu(base, base.gpus().get(0).withHealth(GpuHealth.XID_ERROR));
    node = withGpu(node, node.gpus().get(1).withHealth(GpuHealth.ECC_ERROR));
    var request = PlacementRequest.anyCapacity(job("j", 1).build());
    assertThat(filter.accepts(request, view(node), 0)).isFalse();
    assertThat(filter.accepts(request, view(node), 1)).isFalse();
    assertThat(filter.check(request, view(node)))
        .map(Veto::kind)
        .contains(ReasonKind.GPU_UNHEALTHY);
  }

  @Test
  void healthyGpusPass() {
    var request = PlacementRequest.anyCapacity(job("j", 2).build());
    assertThat(filter.check(request, view(spot("n", 2)))).isEmpty();
  }
}
