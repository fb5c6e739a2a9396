package io.tern.scheduler.core.placement.scorers;

import static io.tern.scheduler.core.Fixtures.job;
import static io.tern.scheduler.core.Fixtures.spot;
import static io.tern.scheduler.core.Fixtures.view;
import static io.tern.scheduler.core.Fixtures.withPool;
import static org.assertj.core.api.Assertions.assertThat;

import io.tern.scheduler.core.placement.PlacementRequest;
import org.junit.jupiter.api.Test;

class ReclaimedPoolScorerTest {
  private final ReclaimedPoolScorer scorer = new ReclaimedPoolScorer();

  @Test
  void theReclaimedPoolScoresZero() {
    var request = PlacementRequest.anyCapacity(job("j", 1).lastReclaimedPool("pool-a").build());
    assertThat(scorer.score(request, view(spot("n", 8)), 1)).isZero();
    assertThat(scorer.score(request, view(withPool(spot("n", 8), "pool-b")), 1)).isEqualTo(1.0);
  }

  @Test
  void neverReclaimedJobsHaveNoPreference() {
    var request = PlacementRequest.anyCapacity(job("j", 1).build());
    assertThat(scorer.score(request, view(spot("n", 8)), 1)).isEqualTo(1.0);
  }
}
