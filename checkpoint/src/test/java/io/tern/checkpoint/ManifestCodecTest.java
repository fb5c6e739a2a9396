package io.tern.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tern.checkpoint.CheckpointManifest.ManifestFile;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ManifestCodecTest {

  private static final String SHA = "a".repeat(64);

  private static CheckpointManifest manifest(OptionalLong step, List<ManifestFile> files) {
    return new CheckpointManifest(
        1,
        "job-1",
        "step-10",
        2,
        7,
        step,
        5,
        Instant.parse("2026-11-23T06:00:00.123Z"),
        files.stream().mapToLong(ManifestFile::size).sum(),
        files);
  }

  @Test
  void roundTripsWithAndWithoutAStep() throws Exception {
    List<ManifestFile> files =
        List.of(new ManifestFile("z/b", 3, SHA), new ManifestFile("a", 0, "0".repeat(64)));
    for (OptionalLong step : List.of(OptionalLong.of(10), OptionalLong.empty())) {
      CheckpointManifest m = manifest(step, files);
      byte[] json = ManifestCodec.encode(m);
      assertThat(ManifestCodec.decode(json, CheckpointLimits.DEFAULT)).isEqualTo(m);
      assertThat(ManifestCodec.encode(m)).isEqualTo(json); // deterministic bytes
    }
    assertThat(manifest(OptionalLong.empty(), files).files())
        .extracting(ManifestFile::path)
        .containsExactly("a", "z/b");
  }

  @Test
  void theJsonNamesItsFields() {
    String json =
        new String(
            ManifestCodec.encode(
                manifest(OptionalLong.of(10), List.of(new ManifestFile("f", 1, SHA)))),
            StandardCharsets.UTF_8);
    assertThat(json)
        .startsWith(
            "{\"formatVersion\":1,\"jobId\":\"job-1\",\"name\":\"step-10\",\"attempt\":2,\"epoch\":7,\"step\":10,\"sequence\":5,")
        .contains(
            "\"createdAt\":\"2026-11-23T06:00:00.123Z\"",
            "\"totalBytes\":1",
            "\"files\":[{\"path\":\"f\",\"size\":1,\"sha256\":\"" + SHA + "\"}]",
            "\"digest\":\"");
  }

  @ParameterizedTest
  @ValueSource(strings = {"../x", "/etc/passwd", "a//b", "a/./b", "a\\b", "a/\u0001"})
  void rejectsEscapingPaths(String path) {
    assertThatThrownBy(() -> new ManifestFile(path, 1, SHA))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void rejectsInconsistentManifests() {
    assertThatThrownBy(
            () ->
                manifest(
                    OptionalLong.empty(),
                    List.of(new ManifestFile("a", 1, SHA), new ManifestFile("a", 1, SHA))))
        .hasMessageContaining("duplicate");
    assertThatThrownBy(
            () ->
                manifest(
                    OptionalLong.empty(),
                    List.of(new ManifestFile("a", 1, SHA), new ManifestFile("a/b", 1, SHA))))
        .hasMessageContaining("file and a directory");
    assertThatThrownBy(() -> new ManifestFile("a", 1, "A".repeat(64))).hasMessageContaining("hex");
  }

  @Test
  void decodingIsStrict() throws Exception {
    byte[] good = ManifestCodec.encode(manifest(OptionalLong.empty(), List.of()));
    String s = new String(good, StandardCharsets.UTF_8);
    assertThat(ManifestCodec.decode(good, CheckpointLimits.DEFAULT).files()).isEmpty();
    for (String bad :
        List.of(
            "[]",
            "{}",
            s.replace("\"formatVersion\":1", "\"formatVersion\":2"),
            s.replace("{\"formatVersion\":1,", "{\"formatVersion\":1,\"extra\":1,"),
            s.replace("{\"formatVersion\":1,", "{\"formatVersion\":1,\"formatVersion\":1,"),
            s + "{}",
            s.replace("\"attempt\":2", "\"attempt\":\"2\""),
            // valid JSON, valid fields, but not what was sealed: the digest catches it
            s.replace("\"sequence\":5", "\"sequence\":6"))) {
      assertThatThrownBy(
              () ->
                  ManifestCodec.decode(
                      bad.getBytes(StandardCharsets.UTF_8), CheckpointLimits.DEFAULT))
          .as(bad)
          .isInstanceOf(CorruptCheckpointException.class);
    }
    byte[] twoFiles =
        ManifestCodec.encode(
            manifest(
                OptionalLong.empty(),
                List.of(new ManifestFile("a", 1, SHA), new ManifestFile("b", 1, SHA))));
    assertThatThrownBy(() -> ManifestCodec.decode(twoFiles, new CheckpointLimits(1, 10, 10, 1024)))
        .hasMessageContaining("more than 1 files");
    assertThatThrownBy(() -> ManifestCodec.decode(twoFiles, new CheckpointLimits(5, 10, 1, 1024)))
        .hasMessageContaining("total over");
  }
}
