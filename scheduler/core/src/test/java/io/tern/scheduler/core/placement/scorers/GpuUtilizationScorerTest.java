package io.tern.scheduler.core.placement.scorers;

import static io.tern.scheduler.core.Fixtures.job;
import static io.tern.scheduler.core.Fixtures.spot;
import static io.tern.scheduler.core.Fixtures.view;
import static io.tern.scheduler.core.Fixtures.withGpu;
import static io.tern.scheduler.core.placement.scorers.ScorerFixtures.mask;
import static org.assertj.core.api.Assertions.assertThat;

import io.tern.scheduler.core.placement.PlacementRequest;
import org.junit.jupiter.api.Test;

class GpuUtilizationScorerTest {
  private final GpuUtilizationScorer scorer = new GpuUtilizationScorer();
  private final PlacementRequest request = PlacementRequest.anyCapacity(job("j", 2).build());

  @Test
  void averagesTheChosenGpusUtilization() {
    var base = spot("n", 2);
    var node = withGpu(base, base.gpus().get(0).withTelemetry(0, 60));
    assertThat(scorer.score(request, view(node), mask(0, 1))).isEqualTo(0.7);
    assertThat(scorer.score(request, view(node), mask(1))).isEqualTo(1.0);
  }
}
