package io.tern.scheduler.server.offpeak;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Duration;
import io.tern.api.v1.OffPeakWindow;
import io.tern.scheduler.core.policy.OffPeakStatus;
import io.tern.scheduler.spec.finops.InvalidWindowException;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class OffPeakCalendarTest {
  static WindowSpec window(String name, String cron, long hours, String zone) {
    return WindowValidation.fromProto(
        OffPeakWindow.newBuilder()
            .setName(name)
            .setCron(cron)
            .setDuration(Duration.newBuilder().setSeconds(hours * 3600))
            .setTimeZone(zone)
            .build());
  }

  private static Instant t(String s) {
    return Instant.parse(s);
  }

  private final WindowSpec weeknights = window("weeknights", "0 0 20 ? * MON-FRI", 10, "UTC");

  @Test
  void weeknightsOpenAndClose() {
    OffPeakCalendar cal = new OffPeakCalendar(List.of(weeknights));
    // 2026-05-04 is a Monday.
    assertThat(cal.status(t("2026-05-04T19:59:59Z")))
        .isEqualTo(OffPeakStatus.closedUntil(t("2026-05-04T20:00:00Z")));
    assertThat(cal.status(t("2026-05-04T20:00:00Z")))
        .isEqualTo(OffPeakStatus.openUntil(t("2026-05-05T06:00:00Z")));
    assertThat(cal.status(t("2026-05-05T05:59:59Z")).open()).isTrue();
    assertThat(cal.status(t("2026-05-05T06:00:00Z")))
        .as("closed at its closing instant")
        .isEqualTo(OffPeakStatus.closedUntil(t("2026-05-05T20:00:00Z")));
    assertThat(cal.status(t("2026-05-09T12:00:00Z")))
        .as("Saturday: next opening is Monday")
        .isEqualTo(OffPeakStatus.closedUntil(t("2026-05-11T20:00:00Z")));
    assertThat(cal.status(t("2026-05-09T03:00:00Z")))
        .as("Friday night runs into Saturday morning")
        .isEqualTo(OffPeakStatus.openUntil(t("2026-05-09T06:00:00Z")));
  }

  @Test
  void cronAndDurationAreReadInTheWindowsZone() {
    WindowSpec berlin = window("nights", "0 0 22 * * ?", 8, "Europe/Berlin");
    OffPeakCalendar cal = new OffPeakCalendar(List.of(berlin));
    // Summer, CEST (+2): 22:00 local is 20:00Z; winter, CET (+1): 21:00Z.
    assertThat(cal.status(t("2026-07-01T20:30:00Z")))
        .isEqualTo(OffPeakStatus.openUntil(t("2026-07-02T04:00:00Z")));
    assertThat(cal.status(t("2026-01-15T20:30:00Z")))
        .isEqualTo(OffPeakStatus.closedUntil(t("2026-01-15T21:00:00Z")));
  }

  @Test
  void springForwardNightIsAnHourShorterAndStillClosesAtSixLocal() {
    // The last Sunday of March 2026 is the 29th: at 02:00 CET the clocks go to 03:00 CEST.
    OffPeakCalendar cal =
        new OffPeakCalendar(List.of(window("nights", "0 0 22 * * ?", 8, "Europe/Berlin")));
    assertThat(cal.status(t("2026-03-28T21:00:00Z")))
        .as("opened 22:00 CET, closes 06:00 CEST = 04:00Z: 7 hours")
        .isEqualTo(OffPeakStatus.openUntil(t("2026-03-29T04:00:00Z")));
    assertThat(cal.status(t("2026-03-29T04:00:00Z")))
        .isEqualTo(OffPeakStatus.closedUntil(t("2026-03-29T20:00:00Z")));
  }

  @Test
  void fallBackNightIsAnHourLongerAndStillClosesAtSixLocal() {
    // The last Sunday of October 2026 is the 25th: at 03:00 CEST the clocks go back to 02:00 CET.
    OffPeakCalendar cal =
        new OffPeakCalendar(List.of(window("nights", "0 0 22 * * ?", 8, "Europe/Berlin")));
    assertThat(cal.status(t("2026-10-24T20:00:00Z")))
        .as("opened 22:00 CEST = 20:00Z, closes 06:00 CET = 05:00Z: 9 hours")
        .isEqualTo(OffPeakStatus.openUntil(t("2026-10-25T05:00:00Z")));
    assertThat(cal.status(t("2026-10-25T04:59:59Z")).open()).isTrue();
    assertThat(cal.status(t("2026-10-25T05:00:00Z")).open()).isFalse();
  }

  @Test
  void openingsInsideTheDstTransitionsFollowQuartz() {
    WindowSpec early = window("early", "0 30 2 * * ?", 1, "Europe/Berlin");
    // Spring: 02:30 does not exist on 2026-03-29, and Quartz skips that day's opening.
    assertThat(early.nextOpeningAfter(t("2026-03-28T12:00:00Z")))
        .isEqualTo(t("2026-03-30T00:30:00Z"));
    OffPeakCalendar cal = new OffPeakCalendar(List.of(early));
    assertThat(cal.status(t("2026-03-29T01:00:00Z")))
        .isEqualTo(OffPeakStatus.closedUntil(t("2026-03-30T00:30:00Z")));
    // Fall: 02:30 happens twice on 2026-10-25; the window opens once, at 02:30 CET (01:30Z).
    assertThat(early.nextOpeningAfter(t("2026-10-24T12:00:00Z")))
        .isEqualTo(t("2026-10-25T01:30:00Z"));
    assertThat(early.nextOpeningAfter(t("2026-10-25T01:30:00Z")))
        .isEqualTo(t("2026-10-26T01:30:00Z"));
    assertThat(cal.status(t("2026-10-25T01:00:00Z")).open()).isFalse();
    assertThat(cal.status(t("2026-10-25T02:00:00Z")))
        .isEqualTo(OffPeakStatus.openUntil(t("2026-10-25T02:30:00Z")));
  }

  @Test
  void windowsCombineAndChain() {
    OffPeakCalendar cal =
        new OffPeakCalendar(
            List.of(
                window("evening", "0 0 20 * * ?", 4, "UTC"),
                window("night", "0 0 23 * * ?", 3, "UTC")));
    assertThat(cal.status(t("2026-05-04T21:00:00Z")))
        .as("evening closes at 00:00 but night, opening at 23:00, holds until 02:00")
        .isEqualTo(OffPeakStatus.openUntil(t("2026-05-05T02:00:00Z")));
    assertThat(cal.openAt(t("2026-05-04T23:30:00Z")))
        .extracting(OffPeakCalendar.Opening::name)
        .containsExactly("evening", "night");
    assertThat(new OffPeakCalendar(List.of()).status(t("2026-05-04T21:00:00Z")))
        .isEqualTo(OffPeakStatus.NO_WINDOWS);
  }

  @Test
  void validationNamesEveryBadField() {
    assertThatThrownBy(
            () ->
                WindowValidation.fromProto(
                    OffPeakWindow.newBuilder()
                        .setName("bad name!")
                        .setCron("0 0 25 * * ?")
                        .setDuration(Duration.newBuilder().setSeconds(-5))
                        .setTimeZone("Mars/Olympus")
                        .build()))
        .isInstanceOfSatisfying(
            InvalidWindowException.class,
            e -> {
              assertThat(e.fields()).containsExactly("cron", "duration", "name", "time_zone");
              assertThat(e.getMessage())
                  .contains("time_zone: 'Mars/Olympus' is not an IANA time zone");
            });
    assertThatThrownBy(
            () ->
                WindowValidation.fromProto(
                    OffPeakWindow.newBuilder().setName("x").setTimeZone("UTC").build()))
        .isInstanceOfSatisfying(
            InvalidWindowException.class,
            e -> assertThat(e.fields()).containsExactly("cron", "duration"));
    assertThatThrownBy(
            () ->
                WindowValidation.fromProto(
                    OffPeakWindow.newBuilder()
                        .setName("x")
                        .setCron("0 0 0 30 2 ?")
                        .setDuration(Duration.newBuilder().setSeconds(60))
                        .setTimeZone("UTC")
                        .build()))
        .hasMessageContaining("never fires");
  }

  @Test
  void listingFillsOpenNowAndNextOpen() {
    OffPeakWindow listed = WindowValidation.toProto(weeknights, t("2026-05-04T21:00:00Z"));
    assertThat(listed.getOpenNow()).isTrue();
    assertThat(listed.getNextOpen().getSeconds())
        .isEqualTo(t("2026-05-05T20:00:00Z").getEpochSecond());
    assertThat(WindowValidation.fromProto(listed)).isEqualTo(weeknights);
  }
}
