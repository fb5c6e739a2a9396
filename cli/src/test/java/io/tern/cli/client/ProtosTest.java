package io.tern.cli.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.util.JsonFormat;
import io.tern.api.v1.JobSpec;
import org.junit.jupiter.api.Test;

class ProtosTest {
  @Test
  void jsonWritesTheTextAsItIsAndReadsBackTheSame() throws Exception {
    JobSpec spec =
        JobSpec.newBuilder()
            .addCommand("echo")
            .addCommand("a=b <c> & 'd'")
            .addCommand("\\u003d is six characters, \"quoted\"")
            .putEnv("A", "B=C")
            .build();

    String json = Protos.json(spec);
    JobSpec.Builder back = JobSpec.newBuilder();
    JsonFormat.parser().merge(json, back);

    assertThat(json)
        .contains("\"a=b <c> & 'd'\"")
        .contains("\"A\": \"B=C\"")
        .contains("\"\\\\u003d is six characters, \\\"quoted\\\"\"");
    assertThat(back.build()).isEqualTo(spec);
  }

  @Test
  void aTimeCarriesItsZone() {
    com.google.protobuf.Timestamp t =
        com.google.protobuf.Timestamp.newBuilder().setSeconds(1_796_000_000L).build();
    String zone =
        java.time.format.DateTimeFormatter.ofPattern("z", java.util.Locale.ROOT)
            .format(
                java.time.Instant.ofEpochSecond(1_796_000_000L)
                    .atZone(java.time.ZoneId.systemDefault()));

    assertThat(Protos.time(t)).matches("\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2} \\S+");
    assertThat(Protos.time(t)).endsWith(" " + zone);
    assertThat(Protos.time(com.google.protobuf.Timestamp.getDefaultInstance())).isEqualTo("-");
  }

  @Test
  void utcIsWrittenAsThePatternNamesIt() {
    java.time.Instant at = java.time.Instant.ofEpochSecond(1_796_000_000L, 5);
    for (String zone : java.util.List.of("UTC", "Etc/UTC", "Europe/Berlin", "America/New_York")) {
      String general =
          java.time.format.DateTimeFormatter.ofPattern(
                  "yyyy-MM-dd HH:mm:ss z", java.util.Locale.ROOT)
              .withZone(java.time.ZoneId.of(zone))
              .format(at);

      assertThat(Protos.localTime(java.util.TimeZone.getTimeZone(zone)).format(at))
          .as(zone)
          .isEqualTo(general);
    }
    assertThat(Protos.localTime(java.util.TimeZone.getTimeZone("Etc/UTC")).format(at))
        .isEqualTo("2026-11-30 00:53:20 UTC");
  }
}
