package io.tern.scheduler.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class CheckpointDeadlineTest {
  private static final Instant NOW = Instant.parse("2026-12-07T12:00:00Z");
  private static final Duration GRACE = Duration.ofSeconds(90);

  @Test
  void aCheckpointIsDueAfterItsGraceOrByTheCapButNeverSoonerThanTheLeastTime() {
    assertThat(CheckpointDeadline.due(NOW, GRACE, null)).isEqualTo(NOW.plus(GRACE));
    assertThat(CheckpointDeadline.due(NOW, GRACE, NOW.plusSeconds(300)))
        .as("a cap after the grace")
        .isEqualTo(NOW.plus(GRACE));
    assertThat(CheckpointDeadline.due(NOW, GRACE, NOW.plusSeconds(40)))
        .isEqualTo(NOW.plusSeconds(40));
    assertThat(CheckpointDeadline.due(NOW, GRACE, NOW.minusSeconds(5)))
        .as("a cap already passed")
        .isEqualTo(NOW.plus(CheckpointDeadline.LEAST));
    assertThat(CheckpointDeadline.due(NOW, Duration.ofSeconds(4), NOW.minusSeconds(5)))
        .as("a grace shorter than the least time")
        .isEqualTo(NOW.plusSeconds(4));
  }

  @Test
  void onAReclaimedNodeItIsDueAMarginBeforeTheReclaim() {
    assertThat(CheckpointDeadline.beforeReclaim(NOW, GRACE, NOW.plusSeconds(60)))
        .isEqualTo(NOW.plusSeconds(50));
    assertThat(CheckpointDeadline.beforeReclaim(NOW, GRACE, NOW.plusSeconds(12)))
        .isEqualTo(NOW.plus(CheckpointDeadline.LEAST));
  }
}
