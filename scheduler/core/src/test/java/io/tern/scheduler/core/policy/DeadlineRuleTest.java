package io.tern.scheduler.core.policy;

import static io.tern.scheduler.core.Fixtures.NOW;
import static io.tern.scheduler.core.Fixtures.job;
import static io.tern.scheduler.core.Fixtures.onDemand;
import static io.tern.scheduler.core.Fixtures.spot;
import static org.assertj.core.api.Assertions.assertThat;

import io.tern.scheduler.core.model.Allocation;
import io.tern.scheduler.core.model.Checkpointing;
import io.tern.scheduler.core.model.Job;
import io.tern.scheduler.core.model.Node;
import io.tern.scheduler.core.model.NodeAssignment;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class DeadlineRuleTest {
  private final DeadlineRule rule =
      new DeadlineRule(Duration.ofMinutes(10), Duration.ofMinutes(30));

  private static Allocation on(Node node, Job job, Duration runningFor) {
    return new Allocation(
        job,
        1,
        node.capacityType(),
        List.of(new NodeAssignment(node.id(), List.of(0))),
        NOW.minus(runningFor),
        null,
        false);
  }

  @Test
  void slackIsTimeToDeadlineMinusWorkMinusRestartOverhead() {
    var j =
        job("j", 1)
            .deadline(NOW.plus(Duration.ofHours(3)))
            .expectedDuration(Duration.ofHours(1))
            .build();
    assertThat(rule.slack(j, NOW)).isEqualTo(Duration.ofMinutes(110));
    assertThat(rule.slack(job("x", 1).build(), NOW)).isNull();
  }

  @Test
  void remainingWorkWinsOverExpectedDuration() {
    var j =
        job("j", 1)
            .deadline(NOW.plus(Duration.ofHours(3)))
            .expectedDuration(Duration.ofHours(10))
            .remainingDuration(Duration.ofHours(1))
            .build();
    assertThat(rule.requiresOnDemand(j, NOW)).isFalse();
  }

  @Test
  void aRunningSpotJobMigratesWhenItsSlackFallsUnderTheMargin() {
    var ckpt = Checkpointing.every(Duration.ofMinutes(30), Duration.ofSeconds(90));
    // 60 min of work, 30 done; deadline in 60 min: slack = 60 - 30 - 10 = 20 < 30.
    var j =
        job("j", 1)
            .checkpointing(ckpt)
            .deadline(NOW.plus(Duration.ofMinutes(60)))
            .remainingDuration(Duration.ofMinutes(60))
            .build();
    assertThat(rule.shouldMigrate(on(spot("s", 1), j, Duration.ofMinutes(30)), NOW)).isTrue();
    assertThat(rule.shouldMigrate(on(onDemand("o", 1), j, Duration.ofMinutes(30)), NOW)).isFalse();
    // Not checkpointable: moving would lose everything, so it stays.
    var plain = j.toBuilder().checkpointing(Checkpointing.NONE).build();
    assertThat(rule.shouldMigrate(on(spot("s", 1), plain, Duration.ofMinutes(30)), NOW)).isFalse();
    // Past saving (slack negative): a restart would only make it later.
    var late = j.toBuilder().deadline(NOW.plus(Duration.ofMinutes(35))).build();
    assertThat(rule.shouldMigrate(on(spot("s", 1), late, Duration.ofMinutes(30)), NOW)).isFalse();
  }
}
