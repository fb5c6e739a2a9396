package io.tern.scheduler.core.placement.scorers;

import static io.tern.scheduler.core.Fixtures.job;
import static io.tern.scheduler.core.Fixtures.onDemand;
import static io.tern.scheduler.core.Fixtures.spot;
import static io.tern.scheduler.core.Fixtures.view;
import static org.assertj.core.api.Assertions.assertThat;

import io.tern.scheduler.core.model.Checkpointing;
import io.tern.scheduler.core.placement.PlacementRequest;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ReclaimRiskScorerTest {
  private final ReclaimRiskScorer scorer = new ReclaimRiskScorer();

  @Test
  void aJobThatCannotCheckpointAvoidsSpot() {
    var request = PlacementRequest.anyCapacity(job("j", 1).build());
    assertThat(scorer.score(request, view(spot("s", 8)), 1)).isZero();
    assertThat(scorer.score(request, view(onDemand("o", 8)), 1)).isEqualTo(1.0);
  }

  @Test
  void aCheckpointableJobDoesNotCare() {
    var request =
        PlacementRequest.anyCapacity(
            job("j", 1)
                .checkpointing(Checkpointing.every(Duration.ofMinutes(30), Duration.ofSeconds(90)))
                .build());
    assertThat(scorer.score(request, view(spot("s", 8)), 1)).isEqualTo(1.0);
  }
}
