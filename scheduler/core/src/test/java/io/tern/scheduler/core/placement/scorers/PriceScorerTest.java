package io.tern.scheduler.core.placement.scorers;

import static io.tern.scheduler.core.Fixtures.job;
import static io.tern.scheduler.core.Fixtures.spot;
import static io.tern.scheduler.core.Fixtures.view;
import static io.tern.scheduler.core.Fixtures.withPrice;
import static org.assertj.core.api.Assertions.assertThat;

import io.tern.scheduler.core.placement.PlacementRequest;
import org.junit.jupiter.api.Test;

class PriceScorerTest {
  private final PriceScorer scorer = new PriceScorer(2.0);
  private final PlacementRequest request = PlacementRequest.anyCapacity(job("j", 1).build());

  @Test
  void cheaperGpuHoursScoreHigher() {
    double cheap = scorer.score(request, view(withPrice(spot("a", 8), 8.0)), 1);
    double dear = scorer.score(request, view(withPrice(spot("b", 8), 32.0)), 1);
    assertThat(cheap).isGreaterThan(dear);
    // $1/GPU-h against a $2 reference.
    assertThat(cheap).isEqualTo(2.0 / 3.0);
  }

  @Test
  void freeCapacityScoresOne() {
    assertThat(scorer.score(request, view(withPrice(spot("a", 8), 0)), 1)).isEqualTo(1.0);
  }
}
