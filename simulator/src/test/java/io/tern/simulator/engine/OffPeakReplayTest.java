package io.tern.simulator.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.tern.offpeak.WindowSpec;
import io.tern.scheduler.core.policy.OffPeakStatus;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The scheduler's calendar read in trace seconds. 2026-05-04 is a Monday. */
class OffPeakReplayTest {
  private static final long H = 3600;
  private static final long DAY = 86_400;

  private static WindowSpec window(String name, String cron, long hours, String zone) {
    return new WindowSpec(name, cron, Duration.ofHours(hours), ZoneId.of(zone));
  }

  private static OffPeakReplay replay(String traceStart, WindowSpec... windows) {
    return new OffPeakReplay(List.of(windows), Instant.parse(traceStart));
  }

  private final OffPeakReplay weeknights =
      replay("2026-05-04T00:00:00Z", window("weeknights", "0 0 20 ? * MON-FRI", 10, "UTC"));

  @Test
  void traceSecondZeroIsTheTraceStartOnTheCalendar() {
    assertThat(weeknights.openAt(20 * H - 1)).isFalse();
    assertThat(weeknights.openAt(20 * H)).isTrue();
    assertThat(weeknights.openAt(30 * H - 1)).isTrue();
    assertThat(weeknights.openAt(30 * H)).as("closed at its closing second").isFalse();
    assertThat(weeknights.nextChangeAfter(0)).isEqualTo(20 * H);
    assertThat(weeknights.nextChangeAfter(20 * H)).isEqualTo(30 * H);
    assertThat(weeknights.nextChangeAfter(5 * DAY + 12 * H))
        .as("Saturday noon: the next opening is Monday night")
        .isEqualTo(7 * DAY + 20 * H);
    assertThat(
            replay("2026-05-09T00:00:00Z", window("weeknights", "0 0 20 ? * MON-FRI", 10, "UTC"))
                .nextChangeAfter(0))
        .as("the same windows from a Saturday start: Friday night ends at 06:00")
        .isEqualTo(6 * H);
  }

  @Test
  void cronAndDurationAreReadInTheWindowsZoneAcrossDaylightSaving() {
    // Europe/Berlin moves to summer time on Sunday 2026-03-29 at 01:00 UTC.
    OffPeakReplay berlin =
        replay("2026-03-28T00:00:00Z", window("nights", "0 0 22 * * ?", 8, "Europe/Berlin"));

    assertThat(berlin.openAt(0)).as("Friday night's window").isTrue();
    assertThat(berlin.nextChangeAfter(0)).as("06:00 CET is 05:00 UTC").isEqualTo(5 * H);
    assertThat(berlin.nextChangeAfter(5 * H)).as("22:00 CET is 21:00 UTC").isEqualTo(21 * H);
    assertThat(berlin.nextChangeAfter(21 * H))
        .as("06:00 CEST is 04:00 UTC: the night the clocks change is 7 h long")
        .isEqualTo(DAY + 4 * H);
    assertThat(berlin.nextChangeAfter(DAY + 4 * H)).as("22:00 CEST").isEqualTo(DAY + 20 * H);
    assertThat(berlin.nextChangeAfter(DAY + 20 * H)).isEqualTo(2 * DAY + 4 * H);
  }

  @Test
  void overlappingWindowsAreOneOpening() {
    OffPeakReplay chained =
        replay(
            "2026-05-04T00:00:00Z",
            window("evening", "0 0 20 * * ?", 6, "UTC"),
            window("night", "0 0 1 * * ?", 6, "UTC"));

    assertThat(chained.nextChangeAfter(20 * H)).isEqualTo(31 * H);
    assertThat(chained.openAt(26 * H)).isTrue();
    assertThat(chained.status(20 * H)).isEqualTo(OffPeakStatus.openUntil(VirtualClock.at(31 * H)));
  }

  @Test
  void theCoreSeesTheCalendarOnTheVirtualClock() {
    assertThat(weeknights.status(0)).isEqualTo(OffPeakStatus.closedUntil(VirtualClock.at(20 * H)));
    assertThat(weeknights.status(21 * H))
        .isEqualTo(OffPeakStatus.openUntil(VirtualClock.at(30 * H)));
    assertThat(OffPeakReplay.NONE.isEmpty()).isTrue();
    assertThat(OffPeakReplay.NONE.status(0)).isEqualTo(OffPeakStatus.NO_WINDOWS);
    assertThat(OffPeakReplay.NONE.nextChangeAfter(0)).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void aCronThatNeverFiresAgainNeverChanges() {
    OffPeakReplay once =
        replay("2026-05-04T00:00:00Z", window("once", "0 0 20 4 5 ? 2026", 2, "UTC"));

    assertThat(once.nextChangeAfter(0)).isEqualTo(20 * H);
    assertThat(once.nextChangeAfter(20 * H)).isEqualTo(22 * H);
    assertThat(once.nextChangeAfter(22 * H)).isEqualTo(Long.MAX_VALUE);
    assertThat(once.status(22 * H)).isEqualTo(OffPeakStatus.NO_WINDOWS);
  }
}
