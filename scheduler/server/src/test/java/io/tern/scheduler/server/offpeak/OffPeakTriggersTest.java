package io.tern.scheduler.server.offpeak;

import static io.tern.scheduler.server.offpeak.WindowValidationTest.window;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tern.offpeak.WindowSpec;
import io.tern.testing.TestClock;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class OffPeakTriggersTest {
  /** What the listener heard, as "opened NAME CLOSES" / "closed NAME". */
  private final List<String> heard = new CopyOnWriteArrayList<>();

  private final OffPeakListener listener =
      new OffPeakListener() {
        @Override
        public void opened(String name, Instant closesAt) {
          heard.add("opened " + name + " " + closesAt);
        }

        @Override
        public void closed(String name) {
          heard.add("closed " + name);
        }
      };

  private final List<OffPeakTriggers> triggers = new CopyOnWriteArrayList<>();

  private OffPeakTriggers triggers(Clock clock) {
    OffPeakTriggers t = new OffPeakTriggers(listener, clock);
    triggers.add(t);
    return t;
  }

  @AfterEach
  void close() {
    triggers.forEach(OffPeakTriggers::close);
  }

  // Far enough in the future that the real Quartz thread never fires during these tests.
  private final WindowSpec nights = window("nights", "0 0 22 * * ?", 8, "Europe/Berlin");

  @Test
  void armingInsideAWindowReportsItOpenAndSchedulesItsClosing() {
    // 2030-03-30 22:00 CET; the clocks spring forward that night (last Sunday of March 2030).
    TestClock clock = TestClock.at("2030-03-30T22:00:00Z");
    OffPeakTriggers t = triggers(clock);
    t.start();

    t.arm(List.of(nights));

    assertThat(heard).containsExactly("opened nights 2030-03-31T04:00:00Z");
    assertThat(t.nextFire("nights", true)).isEqualTo(Instant.parse("2030-03-31T04:00:00Z"));
    assertThat(t.nextFire("nights", false))
        .as("next opening: 22:00 CEST")
        .isEqualTo(Instant.parse("2030-03-31T20:00:00Z"));
  }

  @Test
  void aWindowWhoseYearsArePastArmsNothingAndFailsNothing() {
    // Stored when it still had openings ahead: a new leader must take over all the same.
    TestClock clock = TestClock.at("2030-06-01T12:00:00Z");
    OffPeakTriggers t = triggers(clock);
    t.start();

    t.arm(List.of(window("old", "0 0 20 ? * MON-FRI 2029", 1, "UTC"), nights));

    assertThat(t.nextFire("nights", false)).isEqualTo(Instant.parse("2030-06-01T20:00:00Z"));
    assertThat(heard).isEmpty();
  }

  @Test
  void firesReportTheTruthAtTheirActualTime() {
    TestClock clock = TestClock.at("2030-06-01T12:00:00Z");
    OffPeakTriggers t = triggers(clock);
    t.start();
    t.arm(List.of(nights));
    assertThat(heard).isEmpty();

    // On time: 22:00 CEST.
    clock.set(Instant.parse("2030-06-01T20:00:00Z"));
    t.fired("nights", OffPeakTriggers.OPEN);
    assertThat(heard).containsExactly("opened nights 2030-06-02T04:00:00Z");
    assertThat(t.nextFire("nights", true)).isEqualTo(Instant.parse("2030-06-02T04:00:00Z"));

    // A closing that fires early (clock skew) while the window is still open reports nothing.
    clock.set(Instant.parse("2030-06-02T03:59:00Z"));
    t.fired("nights", OffPeakTriggers.CLOSE);
    assertThat(heard).hasSize(1);

    clock.set(Instant.parse("2030-06-02T04:00:00Z"));
    t.fired("nights", OffPeakTriggers.CLOSE);
    assertThat(heard).last().isEqualTo("closed nights");

    // A misfired opening that fires after its window closed reports nothing...
    clock.set(Instant.parse("2030-06-03T05:00:00Z"));
    t.fired("nights", OffPeakTriggers.OPEN);
    assertThat(heard).hasSize(2);
    // ...and one that fires late but inside the window opens it for what is left.
    clock.set(Instant.parse("2030-06-03T01:00:00Z"));
    t.fired("nights", OffPeakTriggers.OPEN);
    assertThat(heard).last().isEqualTo("opened nights 2030-06-03T04:00:00Z");
  }

  @Test
  void aNewLeaderReArmsFromTheWindowsAndTheOldOneFallsSilent() {
    TestClock clock = TestClock.at("2030-06-01T23:00:00Z");
    OffPeakTriggers oldLeader = triggers(clock);
    oldLeader.start();
    oldLeader.arm(List.of(nights));
    assertThat(heard).containsExactly("opened nights 2030-06-02T04:00:00Z");

    // Failover: the old leader disarms; a new one loads the windows and arms them.
    oldLeader.disarm();
    assertThat(oldLeader.nextFire("nights", false)).isNull();
    assertThat(oldLeader.nextFire("nights", true)).isNull();
    oldLeader.fired("nights", OffPeakTriggers.CLOSE);
    assertThat(heard).hasSize(1);

    clock.set(Instant.parse("2030-06-02T01:00:00Z"));
    OffPeakTriggers newLeader = triggers(clock);
    newLeader.start();
    newLeader.arm(List.of(nights));
    assertThat(heard).last().isEqualTo("opened nights 2030-06-02T04:00:00Z");
    assertThat(newLeader.nextFire("nights", true)).isEqualTo(Instant.parse("2030-06-02T04:00:00Z"));

    // Re-arming with a changed list drops the removed window.
    WindowSpec weekends = window("weekends", "0 0 0 ? * SAT", 48, "UTC");
    newLeader.arm(List.of(weekends));
    assertThat(newLeader.armedWindows()).containsExactly("weekends");
    assertThat(newLeader.nextFire("nights", false)).isNull();
    assertThat(heard).last().isEqualTo("opened weekends 2030-06-03T00:00:00Z");
  }

  @Test
  void aMisfiredOpeningFiresOnceWhenQuartzStarts() {
    // The real Quartz thread: a window that opened five minutes ago, armed (as if by a leader that
    // then paused) ten minutes ago. FIRE_ONCE_NOW fires it at start; DO_NOTHING would wait a day.
    Instant real = Clock.systemUTC().instant();
    ZonedDateTime opened =
        real.minus(Duration.ofMinutes(5)).atZone(ZoneOffset.UTC).truncatedTo(ChronoUnit.MINUTES);
    WindowSpec spec =
        window("catch-up", "0 " + opened.getMinute() + " " + opened.getHour() + " * * ?", 1, "UTC");
    TestClock clock = new TestClock(real.minus(Duration.ofMinutes(10)));
    OffPeakTriggers t = triggers(clock);
    t.arm(List.of(spec));
    assertThat(heard).as("not open yet at arm time").isEmpty();

    clock.set(real);
    t.start();

    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                heard.contains("opened catch-up " + opened.toInstant().plus(Duration.ofHours(1))));
  }
}
