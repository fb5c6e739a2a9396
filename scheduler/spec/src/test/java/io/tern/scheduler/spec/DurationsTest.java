package io.tern.scheduler.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {
  @ParameterizedTest
  @CsvSource({"90s,90", "30m,1800", "48h,172800", "1h30m,5400", "2d,172800", "1h0m5s,3605"})
  void parsesUnits(String text, long seconds) {
    assertThat(Durations.parse(text)).contains(Duration.ofSeconds(seconds));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "90", "1.5h", "h", "-5m", "3 days", "PT1H"})
  void rejectsOtherForms(String text) {
    assertThat(Durations.parse(text)).isEmpty();
  }

  @ParameterizedTest
  @CsvSource({"90,1m30s", "172800,48h", "5400,1h30m", "0,0s", "7,7s"})
  void formatsToTheShortestForm(long seconds, String text) {
    assertThat(Durations.format(Duration.ofSeconds(seconds))).isEqualTo(text);
    assertThat(Durations.parse(text)).contains(Duration.ofSeconds(seconds));
  }
}
