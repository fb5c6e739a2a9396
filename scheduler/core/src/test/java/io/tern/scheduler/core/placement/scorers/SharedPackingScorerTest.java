package io.tern.scheduler.core.placement.scorers;

import static io.tern.scheduler.core.Fixtures.job;
import static io.tern.scheduler.core.Fixtures.running;
import static io.tern.scheduler.core.Fixtures.spot;
import static io.tern.scheduler.core.Fixtures.view;
import static io.tern.scheduler.core.placement.scorers.ScorerFixtures.mask;
import static org.assertj.core.api.Assertions.assertThat;

import io.tern.scheduler.core.placement.PlacementRequest;
import org.junit.jupiter.api.Test;

class SharedPackingScorerTest {
  private final SharedPackingScorer scorer = new SharedPackingScorer();

  @Test
  void shareableJobsPreferAlreadySharedGpus() {
    var node = spot("n", 2);
    var view = view(node, running(job("t", 1).shareable(true).build(), node, 0));
    var request = PlacementRequest.anyCapacity(job("j", 1).shareable(true).build());
    assertThat(scorer.score(request, view, mask(0))).isEqualTo(1.0);
    assertThat(scorer.score(request, view, mask(1))).isZero();
  }

  @Test
  void exclusiveJobsAreIndifferent() {
    var request = PlacementRequest.anyCapacity(job("j", 1).build());
    assertThat(scorer.score(request, view(spot("n", 2)), mask(1))).isEqualTo(1.0);
  }
}
