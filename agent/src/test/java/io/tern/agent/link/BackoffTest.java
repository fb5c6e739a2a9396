package io.tern.agent.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BackoffTest {
  @Test
  void doublesUpToTheCapWithinTheJitter() {
    Backoff backoff =
        new Backoff(Duration.ofMillis(100), Duration.ofMillis(1000), new SplittableRandom(7));
    long[] bases = {100, 200, 400, 800, 1000, 1000};
    for (long base : bases) {
      assertThat(backoff.nextDelay().toMillis()).isBetween(base * 8 / 10, base * 12 / 10);
    }
    backoff.reset();
    assertThat(backoff.nextDelay().toMillis()).isBetween(80L, 120L);
  }

  @Test
  void theFirstDelayLeavesTheBackoffWhereItIs() {
    Backoff backoff =
        new Backoff(Duration.ofMillis(100), Duration.ofMillis(1000), new SplittableRandom(7));
    backoff.nextDelay();
    backoff.nextDelay();

    assertThat(backoff.firstDelay().toMillis()).isBetween(80L, 120L);
    assertThat(backoff.nextDelay().toMillis()).as("still grown").isBetween(320L, 480L);
  }

  @Test
  void refusesNonsense() {
    assertThatThrownBy(
            () -> new Backoff(Duration.ZERO, Duration.ofSeconds(1), new SplittableRandom()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1), new SplittableRandom()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theFenceAdmitsNewerAndEqualEpochsOnly() {
    EpochFence fence = new EpochFence();
    assertThat(fence.admit(5)).isTrue();
    assertThat(fence.admit(5)).isTrue();
    assertThat(fence.admit(4)).isFalse();
    assertThat(fence.admit(6)).isTrue();
    assertThat(fence.newest()).isEqualTo(6);
  }
}
