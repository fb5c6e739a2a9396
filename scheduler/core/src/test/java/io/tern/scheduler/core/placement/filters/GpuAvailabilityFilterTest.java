package io.tern.scheduler.core.placement.filters;

import static io.tern.scheduler.core.Fixtures.job;
import static io.tern.scheduler.core.Fixtures.running;
import static io.tern.scheduler.core.Fixtures.spot;
import static io.tern.scheduler.core.Fixtures.view;
import static org.assertj.core.api.Assertions.assertThat;

import io.tern.scheduler.core.explain.ReasonKind;
import io.tern.scheduler.core.placement.PlacementRequest;
import io.tern.scheduler.core.placement.Veto;
import org.junit.jupiter.api.Test;

class GpuAvailabilityFilterTest {
  private final GpuAvailabilityFilter filter = new GpuAvailabilityFilter(2);

  @Test
  void allocatedGpusAreNotAvailableToExclusiveJobs() {
    var node = spot("n", 4);
    var view = view(node, running(job("busy", 3).build(), node, 0, 1, 2));
    var request = PlacementRequest.anyCapacity(job("j", 1).build());
    assertThat(filter.accepts(request, view, 0)).isFalse();
    assertThat(filter.accepts(request, view, 3)).isTrue();
    assertThat(filter.check(PlacementRequest.anyCapacity(job("j", 2).build()), view))
        .map(Veto::kind)
        .contains(ReasonKind.NOT_ENOUGH_GPUS);
  }

  @Test
  void shareableJobsMayJoinGpusHeldOnlyByShareableJobsUpToTheLimit() {
    var node = spot("n", 2);
    var tenant = job("tenant", 1).shareable(true).build();
    var exclusive = job("exclusive", 1).build();
    var view = view(node, running(tenant, node, 0), running(exclusive, node, 1));
    var shareable = PlacementRequest.anyCapacity(job("j", 1).shareable(true).build());
    var notShareable = PlacementRequest.anyCapacity(job("k", 1).build());
    assertThat(filter.accepts(shareable, view, 0)).isTrue();
    assertThat(filter.accepts(shareable, view, 1)).isFalse();
    assertThat(filter.accepts(notShareable, view, 0)).isFalse();

    var second = job("tenant2", 1).shareable(true).build();
    var full = view(node, running(tenant, node, 0), running(second, node, 0));
    assertThat(filter.accepts(shareable, full, 0)).isFalse();
  }
}
