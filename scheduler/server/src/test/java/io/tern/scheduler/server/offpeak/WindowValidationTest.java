package io.tern.scheduler.server.offpeak;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Duration;
import io.tern.api.v1.OffPeakWindow;
import io.tern.offpeak.WindowSpec;
import io.tern.scheduler.spec.finops.InvalidWindowException;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class WindowValidationTest {
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
  void aWindowSetNowMustOpenAgainAndAtMostOnceAMinute() {
    Instant now = t("2026-12-07T20:00:00Z");

    assertThatThrownBy(
            () ->
                WindowValidation.checkOpenings(
                    window("w3", "0 0 20 ? * MON-FRI 2020", 1, "UTC"), now))
        .isInstanceOfSatisfying(
            InvalidWindowException.class,
            e -> assertThat(e.getMessage()).contains("cron: ").contains("never fires after"));
    assertThatThrownBy(
            () -> WindowValidation.checkOpenings(window("persec", "* * * ? * *", 1, "UTC"), now))
        .hasMessageContaining("fires every 1.0 s; a window may open at most once a minute");
    WindowValidation.checkOpenings(window("perminute", "0 * * ? * *", 1, "UTC"), now);
    WindowValidation.checkOpenings(weeknights, now);
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
