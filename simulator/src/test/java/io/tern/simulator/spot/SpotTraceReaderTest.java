package io.tern.simulator.spot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.tern.simulator.TestPaths;
import io.tern.simulator.trace.TraceFormatException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpotTraceReaderTest {
  @Test
  void readsTheRealTraces() {
    List<SpotTrace> traces =
        SpotTraceReader.readDirectory(TestPaths.sharedTraces().resolve("cant-be-late-spot"));

    assertThat(traces).hasSize(24);
    SpotTrace first = traces.get(2);
    assertThat(first.pool()).isEqualTo("2022-10-26T22-05/us-west-2a_v100_1");
    assertThat(first.slots()).isEqualTo(3895);
    assertThat(first.slotSeconds()).isEqualTo(600);
    assertThat(first.available(0)).isTrue();
    assertThat(first.available(1)).isFalse();
  }

  @Test
  void computesAvailabilityOfABundledTrace() {
    SpotTrace trace = SpotTraceReader.read(TestPaths.resource("spot/us-west-2a_v100_1.txt"));

    assertThat(trace.pool()).isEqualTo("us-west-2a_v100_1");
    assertThat(trace.availabilityRatio()).isCloseTo(16.0 / 18, within(1e-9));
  }

  @Test
  void badFlagNamesRowAndColumn(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("x.txt");
    Files.writeString(file, "0,2022-01-01T00:00:00Z,0\n1,2022-01-01T00:10:00Z,2\n");

    assertThatThrownBy(() -> SpotTraceReader.read(file))
        .isInstanceOf(TraceFormatException.class)
        .hasMessageContaining("row 2")
        .hasMessageContaining("preempted");
  }

  @Test
  void rowsThatAreNotConsecutiveSlotsInOrderAreRefusedNamingTheRow(@TempDir Path dir)
      throws Exception {
    String a = "0,2022-01-01T00:00:00Z,0\n";
    String b = "1,2022-01-01T00:10:00Z,1\n";
    String c = "2,2022-01-01T00:20:01Z,0\n"; // a second of drift, as the published traces have
    String d = "3,2022-01-01T00:30:00Z,0\n";
    assertThat(SpotTraceReader.read(Files.writeString(dir.resolve("ok.txt"), a + b + c + d)))
        .satisfies(t -> assertThat(t.slots()).isEqualTo(4))
        .satisfies(t -> assertThat(t.slotSeconds()).isEqualTo(600));
    assertThat(
            SpotTraceReader.read(Files.writeString(dir.resolve("one.txt"), "7," + a.substring(2)))
                .slots())
        .as("an index may start anywhere")
        .isEqualTo(1);

    Map<String, String> refused = new java.util.LinkedHashMap<>();
    refused.put(
        d.replace("3,", "2,") + c.replace("2,", "3,") + b + a, "row 2, column 'timestamp_utc'");
    refused.put(a + b + d.replace("3,", "2,"), "row 3, column 'timestamp_utc'"); // a slot missing
    refused.put(a + b + b.replace("1,", "2,") + c, "row 3, column 'timestamp_utc'"); // repeated
    refused.put(a + b + b + c, "row 3, column 'index'");
    refused.put(a + b.replace("1,", "x,"), "row 2, column 'index'");
    refused.put(a + b.replace("\n", ",extra\n"), "row 2");
    refused.put(a + b + c.replace("00:20:01", "00:05:00") + d, "row 3, column 'timestamp_utc'");
    int i = 0;
    for (Map.Entry<String, String> e : refused.entrySet()) {
      Path file = Files.writeString(dir.resolve("bad" + i++ + ".txt"), e.getKey());
      assertThatThrownBy(() -> SpotTraceReader.read(file))
          .as(e.getKey())
          .isInstanceOf(TraceFormatException.class)
          .hasMessageContaining(e.getValue());
    }
    Path binary =
        Files.write(dir.resolve("binary.txt"), new byte[] {0, (byte) 0xff, (byte) 0xfe, 10});
    assertThatThrownBy(() -> SpotTraceReader.read(binary))
        .isInstanceOf(TraceFormatException.class)
        .hasMessageContaining("not UTF-8");
  }

  @Test
  void aBadTimestampPastTheFirstTwoRowsIsStillRefused(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("x.txt");
    Files.writeString(
        file,
        "0,2022-01-01T00:00:00Z,0\n1,2022-01-01T00:10:00Z,0\n"
            + "2,2022-01-01T00:20:00.5Z,0\n3,2022-02-30T00:30:00Z,0\n");

    assertThatThrownBy(() -> SpotTraceReader.read(file))
        .isInstanceOf(TraceFormatException.class)
        .hasMessageContaining("row 4")
        .hasMessageContaining("timestamp_utc");
  }

  @Test
  void thePlainFormCheckAcceptsOnlyWhatInstantParseAccepts() {
    List<String> plain =
        List.of(
            "2022-10-26T22:05:04.000Z",
            "2022-10-26T22:05:04Z",
            "2024-02-29T23:59:59.123456789Z",
            "0000-01-01T00:00:00.1Z");
    List<String> other =
        List.of(
            "2022-10-26T22:05:04.000+00:00",
            "2022-10-26 22:05:04Z",
            "2022-02-29T00:00:00Z",
            "2022-13-01T00:00:00Z",
            "2022-00-01T00:00:00Z",
            "2022-01-00T00:00:00Z",
            "2022-01-01T24:00:00Z",
            "2022-01-01T00:60:00Z",
            "2022-01-01T00:00:60Z",
            "2022-01-01T00:00:00.Z",
            "2022-01-01T00:00:00.1234567890Z",
            "2022-01-01T00:00:0aZ",
            "+2022-01-01T00:00:00Z",
            "2022-01-01T00:00:00",
            "");
    for (String text : plain) {
      assertThat(SpotTraceReader.isPlainUtcInstant(text)).as(text).isTrue();
      assertThat(Instant.parse(text)).as(text).isNotNull();
    }
    for (String text : other) {
      assertThat(SpotTraceReader.isPlainUtcInstant(text)).as(text).isFalse();
    }
  }

  @Test
  void timelineFindsChanges() {
    SpotTrace trace = SpotTraceReader.read(TestPaths.resource("spot/us-west-2a_v100_1.txt"));
    boolean[] slots = new boolean[trace.slots()];
    for (int i = 0; i < slots.length; i++) {
      slots[i] = trace.available(i);
    }
    PoolTimeline timeline = new PoolTimeline("p", "t", slots, 600, 0);

    assertThat(timeline.availableAt(0)).isTrue();
    assertThat(timeline.nextChangeAfter(0)).isEqualTo(1800);
    assertThat(timeline.availableAt(1800)).isFalse();
    assertThat(timeline.nextChangeAfter(1800)).isEqualTo(3000);
  }
}
