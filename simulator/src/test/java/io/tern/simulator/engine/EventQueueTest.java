package io.tern.simulator.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Comparator;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
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
  void runsOfSameTimeAndTypeKeepTheOneByOneOrder() {
    // Schedules seeded bursts (some of one time and type, as a pool returning does) while popping,
    // and checks the pops against a plain sort by (time, type, scheduling order).
    SplittableRandom random = new SplittableRandom(11);
    EventQueue q = new EventQueue();
    PriorityQueue<long[]> reference =
        new PriorityQueue<>(
            Comparator.<long[]>comparingLong(e -> e[0])
                .thenComparingLong(e -> e[1])
                .thenComparingLong(e -> e[2]));
    EventType[] types = EventType.values();
    int scheduled = 0;
    for (int round = 0; round < 2_000; round++) {
      int burst = random.nextInt(4) == 0 ? 1 + random.nextInt(20) : 1;
      long time = q.now() + random.nextInt(3);
      EventType type = types[random.nextInt(types.length)];
      for (int i = 0; i < burst; i++) {
        if (random.nextInt(5) == 0) {
          time = q.now() + random.nextInt(3);
          type = types[random.nextInt(types.length)];
        }
        q.schedule(time, type, scheduled, 0);
        reference.add(new long[] {time, type.ordinal(), scheduled});
        scheduled++;
      }
      for (int pops = random.nextInt(burst + 2); pops > 0 && !q.isEmpty(); pops--) {
        assertThat(q.next().subject()).isEqualTo((int) reference.poll()[2]);
      }
    }
    while (!q.isEmpty()) {
      assertThat(q.next().subject()).isEqualTo((int) reference.poll()[2]);
    }
    assertThat(reference).isEmpty();
    assertThat(q.processed()).isEqualTo(scheduled);
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
  void virtualClockNeverReadsTheWallClock() {
    VirtualClock clock = new VirtualClock();
    clock.set(3600);

    assertThat(clock.instant()).isEqualTo(java.time.Instant.ofEpochSecond(3600));
    assertThatThrownBy(() -> clock.set(10)).isInstanceOf(IllegalArgumentException.class);
  }
}
