package io.tern.checkpoint;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tern.checkpoint.CheckpointManifest.ManifestFile;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The JSON form of a {@link CheckpointManifest}: one compact object with the fields in a fixed
 * order and a final {@code digest}, the SHA-256 of the same object serialised without it. The
 * digest catches a changed byte anywhere in the manifest, including the fields (sequence, attempt)
 * that the file checks cannot. Decoding is strict: unknown or missing fields, wrong types and
 * duplicate keys are errors; {@code step} and {@code epoch} (the leader epoch the attempt was
 * placed under) are optional.
 *
 * <pre>{"formatVersion":1,"jobId":"j-1","name":"step-000100","attempt":2,"step":100,"sequence":4,
 * "createdAt":"2026-11-23T06:00:00Z","totalBytes":12,"files":[{"path":"state","size":12,
 * "sha256":"..."}],"digest":"..."}</pre>
 */
public final class ManifestCodec {

  private static final JsonMapper MAPPER =
      JsonMapper.builder()
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();

  static {
    MAPPER
        .getFactory()
        .setStreamReadConstraints(
            StreamReadConstraints.builder().maxNestingDepth(8).maxStringLength(1 << 16).build());
  }

  private static final Set<String> FIELDS =
      Set.of(
          "formatVersion",
          "jobId",
          "name",
          "attempt",
          "epoch",
          "step",
          "sequence",
          "createdAt",
          "totalBytes",
          "files",
          "digest");

  private ManifestCodec() {}

  public static byte[] encode(CheckpointManifest m) {
    ObjectNode body = body(m);
    try {
      String digest = Sha256.of(MAPPER.writeValueAsBytes(body));
      body.put("digest", digest);
      return MAPPER.writeValueAsBytes(body);
    } catch (IOException e) {
      throw new IllegalStateException("cannot serialise a manifest", e);
    }
  }

  /** Parses and checks a stored manifest; any problem is a {@link CorruptCheckpointException}. */
  public static CheckpointManifest decode(byte[] bytes, CheckpointLimits limits)
      throws CorruptCheckpointException {
    if (bytes.length > limits.maxManifestBytes()) {
      throw new CorruptCheckpointException("manifest larger than " + limits.maxManifestBytes());
    }
    JsonNode root;
    try {
      root = MAPPER.readTree(bytes);
    } catch (JsonProcessingException e) {
      throw new CorruptCheckpointException("manifest is not valid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new CorruptCheckpointException("manifest is unreadable", e);
    }
    if (!(root instanceof ObjectNode obj)) {
      throw new CorruptCheckpointException("manifest is not a JSON object");
    }
    for (Iterator<String> it = obj.fieldNames(); it.hasNext(); ) {
      String field = it.next();
      if (!FIELDS.contains(field)) {
        throw new CorruptCheckpointException("manifest has unknown field " + field);
      }
    }
    int version = (int) integer(obj, "formatVersion");
    if (version != CheckpointManifest.FORMAT_VERSION) {
      throw new CorruptCheckpointException("unsupported manifest formatVersion " + version);
    }
    String digest = text(obj, "digest");
    ObjectNode body = obj.deepCopy();
    body.remove("digest");
    try {
      if (!Sha256.of(MAPPER.writeValueAsBytes(body)).equals(digest)) {
        throw new CorruptCheckpointException("manifest digest does not match its content");
      }
    } catch (IOException e) {
      throw new CorruptCheckpointException("cannot re-serialise manifest", e);
    }
    JsonNode filesNode = obj.get("files");
    if (!(filesNode instanceof ArrayNode array)) {
      throw new CorruptCheckpointException("manifest field files is not an array");
    }
    if (array.size() > limits.maxFiles()) {
      throw new CorruptCheckpointException(
          "manifest lists more than " + limits.maxFiles() + " files");
    }
    try {
      List<ManifestFile> files = new ArrayList<>(array.size());
      for (JsonNode f : array) {
        if (!(f instanceof ObjectNode fo) || fo.size() != 3) {
          throw new CorruptCheckpointException("manifest file entry is not {path,size,sha256}");
        }
        long size = integer(fo, "size");
        if (size > limits.maxFileBytes()) {
          throw new CorruptCheckpointException("manifest file over the size limit");
        }
        files.add(new ManifestFile(text(fo, "path"), size, text(fo, "sha256")));
      }
      long total = integer(obj, "totalBytes");
      if (total > limits.maxTotalBytes()) {
        throw new CorruptCheckpointException("manifest total over the size limit");
      }
      JsonNode step = obj.get("step");
      JsonNode epoch = obj.get("epoch");
      return new CheckpointManifest(
          version,
          text(obj, "jobId"),
          text(obj, "name"),
          Math.toIntExact(integer(obj, "attempt")),
          epoch == null ? 0 : integer(obj, "epoch"),
          step == null ? OptionalLong.empty() : OptionalLong.of(integer(obj, "step")),
          integer(obj, "sequence"),
          Instant.parse(text(obj, "createdAt")),
          total,
          files);
    } catch (IllegalArgumentException | ArithmeticException | DateTimeParseException e) {
      throw new CorruptCheckpointException("manifest is inconsistent: " + e.getMessage());
    }
  }

  private static ObjectNode body(CheckpointManifest m) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("formatVersion", m.formatVersion());
    o.put("jobId", m.jobId());
    o.put("name", m.name());
    o.put("attempt", m.attempt());
    if (m.epoch() > 0) {
      o.put("epoch", m.epoch());
    }
    m.step().ifPresent(s -> o.put("step", s));
    o.put("sequence", m.sequence());
    o.put("createdAt", m.createdAt().toString());
    o.put("totalBytes", m.totalBytes());
    ArrayNode files = o.putArray("files");
    for (ManifestFile f : m.files()) {
      files.addObject().put("path", f.path()).put("size", f.size()).put("sha256", f.sha256());
    }
    return o;
  }

  private static long integer(JsonNode obj, String field) throws CorruptCheckpointException {
    JsonNode n = obj.get(field);
    if (n == null || !n.isIntegralNumber() || !n.canConvertToLong()) {
      throw new CorruptCheckpointException("manifest field " + field + " is not an integer");
    }
    return n.longValue();
  }

  private static String text(JsonNode obj, String field) throws CorruptCheckpointException {
    JsonNode n = obj.get(field);
    if (n == null || !n.isTextual()) {
      throw new CorruptCheckpointException("manifest field " + field + " is not a string");
    }
    return n.textValue();
  }
}
