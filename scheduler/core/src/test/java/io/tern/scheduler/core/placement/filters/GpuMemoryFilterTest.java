package io.tern.scheduler.core.placement.filters;

import static io.tern.scheduler.core.Fixtures.GPU_MIB;
import static io.tern.scheduler.core.Fixtures.job;
import static io.tern.scheduler.core.Fixtures.running;
import static io.tern.scheduler.core.Fixtures.spot;
import static io.tern.scheduler.core.Fixtures.view;
import static io.tern.scheduler.core.Fixtures.withGpu;
import static org.assertj.core.api.Assertions.assertThat;

import io.tern.scheduler.core.explain.ReasonKind;
import io.tern.scheduler.core.model.Resources;
import io.tern.scheduler.core.placement.PlacementRequest;
import io.tern.scheduler.core.placement.Veto;
import java.util.List;
import org.junit.jupiter.api.Test;

class GpuMemoryFilterTest {
  private final GpuMemoryFilter filter = new GpuMemoryFilter(1024);

  private static PlacementRequest needing(long mib, boolean shareable) {
    return PlacementRequest.anyCapacity(
        job("j", 1)
            .resources(Resources.of(1, 1, mib, List.of(), 0, 0))
            .shareable(shareable)
            .build());
  }

  @Test
  void liveTelemetryDecidesNotTheAllocation() {
    var base = spot("n", 1);
    // Unallocated, but a stray process holds 60 GiB.
    var node = withGpu(base, base.gpus().get(0).withTelemetry(61_440, 0));
    assertThat(filter.check(needing(20_000, false), view(node))).isEmpty();
    assertThat(filter.check(needing(30_000, false), view(node)))
        .map(Veto::kind)
        .contains(ReasonKind.GPU_MEMORY);
  }

  @Test
  void joiningASharedGpuKeepsTheMargin() {
    var base = spot("n", 1);
    var node = withGpu(base, base.gpus().get(0).withTelemetry(GPU_MIB - 10_000, 10));
    var tenant = job("tenant", 1).shareable(true).build();
    var view = view(node, running(tenant, node, 0));
    assertThat(filter.accepts(needing(8_976, true), view, 0)).isTrue();
    assertThat(filter.accepts(needing(8_977, true), view, 0)).isFalse();
  }
}
