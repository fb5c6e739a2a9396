package io.tern.scheduler.core.placement.scorers;

import static io.tern.scheduler.core.Fixtures.job;
import static io.tern.scheduler.core.Fixtures.running;
import static io.tern.scheduler.core.Fixtures.spot;
import static io.tern.scheduler.core.Fixtures.view;
import static io.tern.scheduler.core.placement.scorers.ScorerFixtures.mask;
import static org.assertj.core.api.Assertions.assertThat;

import io.tern.scheduler.core.placement.PlacementRequest;
import org.junit.jupiter.api.Test;

class BinPackingScorerTest {
  private final BinPackingScorer scorer = new BinPackingScorer();
  private final PlacementRequest request = PlacementRequest.anyCapacity(job("j", 2).build());

  @Test
  void prefersTheNodeLeftFullest() {
    var empty = spot("empty", 8);
    var half = spot("half", 8);
    double onEmpty = scorer.score(request, view(empty), mask(0, 1));
    double onHalf =
        scorer.score(
            request, view(half, running(job("b", 4).build(), half, 0, 1, 2, 3)), mask(4, 5));
    assertThat(onHalf).isGreaterThan(onEmpty);
    assertThat(onEmpty).isEqualTo(0.25);
    assertThat(onHalf).isEqualTo(0.75);
  }

  @Test
  void fillingANodeScoresOne() {
    assertThat(scorer.score(request, view(spot("n", 2)), mask(0, 1))).isEqualTo(1.0);
  }
}
