package io.tern.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tern.checkpoint.CheckpointManifest.ManifestFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Stored manifests written by an attacker who can write the store: random damage, and edits that
 * are resealed with a valid digest. Decoding gives a manifest whose every path stays inside the
 * checkpoint, or a {@link CorruptCheckpointException}; never another exception. Seeded, so a
 * failure reproduces.
 */
class HostileManifestTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final String SHA = "b".repeat(64);
  private static final List<Object> HOSTILE_VALUES =
      List.of(
          "../x",
          "/etc/passwd",
          "a/../../b",
          "a\u0000b",
          "a\\b",
          "",
          ".",
          "x".repeat(5000),
          "job-1",
          "f",
          "dir",
          "dir/f",
          SHA,
          "2026-11-23T06:00:00Z",
          "not a time",
          -1L,
          0L,
          1L,
          Long.MAX_VALUE,
          Long.MIN_VALUE,
          1e300,
          true);

  private static byte[] valid() {
    List<ManifestFile> files =
        List.of(new ManifestFile("dir/f", 3, SHA), new ManifestFile("g", 4, SHA));
    return ManifestCodec.encode(
        new CheckpointManifest(
            1,
            "job-1",
            "step-1",
            1,
            0,
            OptionalLong.of(7),
            2,
            Instant.parse("2026-11-23T06:00:00Z"),
            7,
            files));
  }

  @Test
  void randomlyDamagedBytesAreCorruptOrHarmless() {
    Random random = new Random(20261123);
    byte[] base = valid();
    for (int i = 0; i < 5000; i++) {
      byte[] bytes = damage(base, random);
      checkDecode(bytes);
    }
  }

  @Test
  void resealedEditsAreCorruptOrHarmless() throws IOException {
    Random random = new Random(42);
    for (int i = 0; i < 5000; i++) {
      ObjectNode m = (ObjectNode) JSON.readTree(valid());
      m.remove("digest");
      int edits = 1 + random.nextInt(3);
      for (int e = 0; e < edits; e++) {
        edit(m, random);
      }
      m.put("digest", Sha256.of(JSON.writeValueAsBytes(m)));
      checkDecode(JSON.writeValueAsBytes(m));
    }
  }

  @Test
  void deeplyNestedOrHugeJsonIsCorrupt() {
    String deep = "{\"files\":" + "[".repeat(5000) + "]".repeat(5000) + "}";
    assertThat(
            catchThrowable(() -> ManifestCodec.decode(deep.getBytes(), CheckpointLimits.DEFAULT)))
        .isInstanceOf(CorruptCheckpointException.class);
    byte[] big = new byte[2048];
    java.util.Arrays.fill(big, (byte) ' ');
    assertThat(
            catchThrowable(() -> ManifestCodec.decode(big, new CheckpointLimits(10, 10, 10, 1024))))
        .isInstanceOf(CorruptCheckpointException.class)
        .hasMessageContaining("larger than");
  }

  private static void checkDecode(byte[] bytes) {
    CheckpointManifest decoded;
    try {
      decoded = ManifestCodec.decode(bytes, CheckpointLimits.DEFAULT);
    } catch (CorruptCheckpointException e) {
      assertThat(e.getMessage()).isNotBlank();
      return;
    } catch (RuntimeException e) {
      throw new AssertionError(
          "decode threw " + e + " for " + new String(bytes, StandardCharsets.UTF_8), e);
    }
    for (ManifestFile f : decoded.files()) {
      assertThat(CheckpointNames.relativePathProblem(f.path())).isNull();
      assertThat(f.size()).isNotNegative();
    }
    assertThat(CheckpointNames.isValidName(decoded.jobId())).isTrue();
    assertThat(CheckpointNames.isValidName(decoded.name())).isTrue();
  }

  private static byte[] damage(byte[] base, Random random) {
    List<Byte> bytes = new ArrayList<>();
    for (byte b : base) {
      bytes.add(b);
    }
    int edits = 1 + random.nextInt(4);
    for (int e = 0; e < edits && !bytes.isEmpty(); e++) {
      int at = random.nextInt(bytes.size());
      switch (random.nextInt(3)) {
        case 0 -> bytes.set(at, (byte) random.nextInt(256));
        case 1 -> bytes.remove(at);
        default -> bytes.add(at, "{}[]\",:0\\".getBytes()[random.nextInt(9)]);
      }
    }
    byte[] out = new byte[bytes.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = bytes.get(i);
    }
    return out;
  }

  /** Sets, removes or duplicates a field of the manifest or of one of its file entries. */
  private static void edit(ObjectNode manifest, Random random) {
    ObjectNode target = manifest;
    ArrayNode files = manifest.get("files") instanceof ArrayNode a ? a : null;
    if (files != null && !files.isEmpty() && random.nextBoolean()) {
      JsonNode entry = files.get(random.nextInt(files.size()));
      if (entry instanceof ObjectNode o) {
        target = o;
      }
    }
    List<String> fields = new ArrayList<>();
    target.fieldNames().forEachRemaining(fields::add);
    fields.add("extra");
    String field = fields.get(random.nextInt(fields.size()));
    switch (random.nextInt(5)) {
      case 0 -> target.remove(field);
      case 1 -> target.set(field, JsonNodeFactory.instance.nullNode());
      case 2 -> {
        if (files != null && !files.isEmpty()) {
          files.add(files.get(random.nextInt(files.size())).deepCopy());
        }
      }
      case 3 -> target.set(field, JsonNodeFactory.instance.arrayNode().add("../x"));
      default ->
          target.set(
              field, JSON.valueToTree(HOSTILE_VALUES.get(random.nextInt(HOSTILE_VALUES.size()))));
    }
  }
}
