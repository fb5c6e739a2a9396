package io.tern.simulator.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class EventQueueTest {
  @Test
  void ordersByTimeThenTypeThenInsertionAndAdvancesTheClock() {
    EventQueue q = new EventQueue();
    q.schedule(10, EventType.PLAN, 1, 0);
    q.schedule(10, EventType.ARRIVAL, 2, 0);
    q.schedule(5, EventType.ARRIVAL, 3, 0);
    q.schedule(10, EventType.ARRIVAL, 4, 0);

    assertThat(q.next().subject()).isEqualTo(3);
    assertThat(q.now()).isEqualTo(5);
    assertThat(q.next().subject()).isEqualTo(2);
    assertThat(q.next().subject()).isEqualTo(4);
    assertThat(q.next().type()).isEqualTo(EventType.PLAN);
    assertThat(q.processed()).isEqualTo(4);
  }

  @Test
  void refusesThePast() {
    EventQueue q = new EventQueue();
    q.schedule(10, EventType.ARRIVAL, 0, 0);
    q.next();

    assertThatThrownBy(() -> q.schedule(9, EventType.ARRIVAL, 0, 0))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void offPeakWindowWrapsMidnight() {
    OffPeakWindow w = new OffPeakWindow(22, 6);

    assertThat(w.contains(23 * 3600)).isTrue();
    assertThat(w.contains(5 * 3600)).isTrue();
    assertThat(w.contains(12 * 3600)).isFalse();
    assertThat(w.nextBoundaryAfter(12 * 3600)).isEqualTo(22 * 3600);
    assertThat(w.nextBoundaryAfter(23 * 3600)).isEqualTo(86_400 + 6 * 3600);
  }

  @Test
  void virtualClockNeverReadsTheWallClock() {
    VirtualClock clock = new VirtualClock();
    clock.set(3600);

    assertThat(clock.instant()).isEqualTo(java.time.Instant.ofEpochSecond(3600));
    assertThatThrownBy(() -> clock.set(10)).isInstanceOf(IllegalArgumentException.class);
  }
}
