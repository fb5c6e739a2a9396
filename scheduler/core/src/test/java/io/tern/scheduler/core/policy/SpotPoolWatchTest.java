package io.tern.scheduler.core.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class SpotPoolWatchTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final Duration SETTLE = Duration.ofMinutes(10);

  private static Instant at(int minutes) {
    return T0.plus(Duration.ofMinutes(minutes));
  }

  @Test
  void theSettleIsTimedFromTheFirstNodeThatJoinedAfterTheLastReclaim() {
    SpotPoolWatch watch = new SpotPoolWatch(T0);
    watch.returned("p", at(0));
    watch.reclaimed("p", at(60));
    SpotPoolHistory gone = watch.history(at(61)).get("p");
    assertThat(gone.availableSince()).isNull();
    assertThat(gone.lastReclaimAt()).isEqualTo(at(60));

    watch.returned("p", at(90));
    watch.returned("p", at(95)); // a second node of the pool: capacity was back since 90
    SpotPoolHistory back = watch.history(at(100)).get("p");
    assertThat(back.availableSince()).isEqualTo(at(90));
    assertThat(back.reclaims()).isEqualTo(1);
    assertThat(back.observed()).isEqualTo(Duration.ofMinutes(100));
    // From the reclaim the pool would have settled at 70; from the join it settles at 100.
    assertThat(back.settled(at(99), SETTLE)).isFalse();
    assertThat(back.settled(at(100), SETTLE)).isTrue();

    watch.reclaimed("p", at(120));
    SpotPoolHistory again = watch.history(at(121)).get("p");
    assertThat(again.availableSince()).isNull();
    assertThat(again.reclaims()).isEqualTo(2);
    assertThat(again.settled(at(125), SETTLE)).isFalse();
  }

  @Test
  void withNoJoinSeenTheSettleIsTimedFromTheLastReclaim() {
    // A new leader: the reclaims come from the jobs' history, the nodes that re-register with it
    // are not reported as joins.
    SpotPoolWatch watch = new SpotPoolWatch(T0);
    watch.reclaimed("p", at(60));
    watch.reclaimed("p", at(30)); // reported out of order: the latest stays

    SpotPoolHistory h = watch.history(at(65)).get("p");
    assertThat(h.lastReclaimAt()).isEqualTo(at(60));
    assertThat(h.availableSince()).isNull();
    assertThat(h.settled(at(69), SETTLE)).isFalse();
    assertThat(h.settled(at(70), SETTLE)).isTrue();
  }

  @Test
  void aJoinOlderThanTheLastReclaimChangesNothing() {
    SpotPoolWatch watch = new SpotPoolWatch(T0);
    watch.reclaimed("p", at(60));
    watch.returned("p", at(30));

    assertThat(watch.history(at(70)).get("p").availableSince()).isNull();
  }

  @Test
  void onlyPoolsWithAReclaimAreReportedSoOthersKeepThePriorRate() {
    SpotPoolWatch watch = new SpotPoolWatch(T0);
    watch.returned("fresh", at(5));
    watch.returned("", at(5));
    watch.reclaimed(null, at(6));

    assertThat(watch.history(at(10))).isEmpty();
  }
}
