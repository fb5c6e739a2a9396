package io.tern.agent.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The fence clock on a hand-stepped monotonic clock. */
class LeaderLeaseTest {
  private long now = 1_000_000_000L;
  private final List<long[]> published = new ArrayList<>();
  private boolean unbounded;
  private final LeaderLease lease =
      new LeaderLease(
          () -> now,
          new LeaderLease.Sink() {
            @Override
            public void deadlines(long fenceAtNanos, long killAtNanos) {
              published.add(new long[] {fenceAtNanos, killAtNanos});
            }

            @Override
            public void unbounded() {
              unbounded = true;
            }
          });

  private void advance(Duration d) {
    now += d.toNanos();
  }

  @Test
  void theDefaultLeaseFencesAt8500msAndKillsAt13500ms() {
    LeaderLease.Timing t = LeaderLease.Timing.of(Duration.ofSeconds(15));
    assertThat(t.fenceAfter()).isEqualTo(Duration.ofMillis(8500));
    assertThat(t.killGrace()).isEqualTo(Duration.ofSeconds(5));
    assertThat(t.margin()).isEqualTo(Duration.ofMillis(1500));
    assertThat(t.fenceAfter().plus(t.killGrace()).plus(t.margin())).isEqualTo(t.lease());
  }

  @Test
  void everyLeaseLongEnoughToKeepKeepsTheRule() {
    for (long ms = 1500; ms <= 120_000; ms += 500) {
      LeaderLease.Timing t = LeaderLease.Timing.of(Duration.ofMillis(ms));
      assertThat(t.fenceAfter().plus(t.killGrace()).plus(t.margin()))
          .isEqualTo(Duration.ofMillis(ms));
      assertThat(t.fenceAfter()).isPositive();
      assertThat(t.margin()).isGreaterThanOrEqualTo(Duration.ofMillis(500));
    }
    assertThatThrownBy(() -> LeaderLease.Timing.of(Duration.ofMillis(700)))
        .hasMessageContaining("too short");
  }

  @Test
  void countsFromTheSendOfTheNewestAcknowledgedHeartbeat() {
    long registerSent = now;
    advance(Duration.ofMillis(50));
    lease.granted(Duration.ofSeconds(15), registerSent);
    assertThat(published.getLast()[0]).isEqualTo(registerSent + 8_500_000_000L);

    advance(Duration.ofSeconds(1));
    long sent = now;
    lease.sent(7);
    advance(Duration.ofSeconds(2)); // a slow ack: the lease still counts from the send
    lease.acknowledged(7);
    assertThat(published.getLast()).containsExactly(sent + 8_500_000_000L, sent + 13_500_000_000L);

    advance(Duration.ofMillis(6499));
    assertThat(lease.expired()).isFalse();
    advance(Duration.ofMillis(1));
    assertThat(lease.expired()).isTrue();
  }

  @Test
  void anExpiredLeaseIsRenewedOnlyByANewRegistration() {
    lease.granted(Duration.ofSeconds(15), now);
    lease.sent(1);
    advance(Duration.ofSeconds(9)); // a pause longer than the fence time
    assertThat(lease.expired()).isTrue();
    int before = published.size();
    lease.acknowledged(1); // an ack that queued during the pause
    assertThat(lease.expired()).isTrue();
    assertThat(published).hasSize(before);

    lease.granted(Duration.ofSeconds(15), now);
    assertThat(lease.expired()).isFalse();
  }

  @Test
  void unknownAndOlderAcksRenewNothing() {
    lease.granted(Duration.ofSeconds(15), now);
    advance(Duration.ofSeconds(1));
    lease.sent(1);
    advance(Duration.ofSeconds(1));
    lease.sent(2);
    lease.acknowledged(2);
    int before = published.size();
    lease.acknowledged(1); // dropped when 2 was acknowledged
    lease.acknowledged(99);
    assertThat(published).hasSize(before);
  }

  @Test
  void aLeaderWithoutALeaseBoundsNothing() {
    lease.granted(Duration.ZERO, now);
    advance(Duration.ofHours(1));
    assertThat(unbounded).isTrue();
    assertThat(lease.expired()).isFalse();
    assertThat(lease.timing()).isNull();
  }
}
