package io.tern.checkpoint;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.UUID;

/**
 * Which checkpoint store a store is: a random id drawn when the store was first used, and when. A
 * file store keeps it in its folder ({@link StoreMarker}); a scheduler keeps its cluster's in
 * ZooKeeper, so that a folder that holds no marker, or another store's, is known not to be the
 * store (a volume not mounted) rather than taken for a new, empty one.
 *
 * @param id a random UUID
 * @param created when the store was first used
 */
public record StoreIdentity(String id, Instant created) {

  private static final JsonMapper MAPPER =
      JsonMapper.builder().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).build();

  /** What the marker says it is, so that a stray JSON file is not taken for one. */
  private static final String KIND = "tern-checkpoint-store";

  /** An identity is small; anything larger is not one. */
  public static final int MAX_BYTES = 4096;

  public StoreIdentity {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(created, "created");
    if (!CheckpointNames.isValidName(id)) {
      throw new IllegalArgumentException("store id " + CheckpointNames.quote(id) + " is not valid");
    }
  }

  /** A new store's identity: a random id, created now (to the second). */
  public static StoreIdentity draw(Clock clock) {
    return new StoreIdentity(
        UUID.randomUUID().toString(), clock.instant().truncatedTo(ChronoUnit.SECONDS));
  }

  /** The JSON of a marker: {@code {"store":"tern-checkpoint-store","id":...,"created":...}}. */
  public byte[] encode() {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("store", KIND);
    o.put("id", id);
    o.put("created", created.toString());
    try {
      return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(o);
    } catch (IOException e) {
      throw new IllegalStateException("cannot serialise a store identity", e);
    }
  }

  /**
   * Parses what {@link #encode} wrote.
   *
   * @throws IOException naming what is wrong when {@code bytes} are not a store identity
   */
  public static StoreIdentity decode(byte[] bytes) throws IOException {
    if (bytes.length > MAX_BYTES) {
      throw new IOException("larger than " + MAX_BYTES + " bytes");
    }
    try {
      JsonNode o = MAPPER.readTree(bytes);
      if (o == null || !KIND.equals(o.path("store").asText())) {
        throw new IOException("not a store identity (no \"store\": \"" + KIND + "\")");
      }
      return new StoreIdentity(o.path("id").asText(), Instant.parse(o.path("created").asText()));
    } catch (RuntimeException e) {
      throw new IOException("not a store identity: " + e.getMessage(), e);
    }
  }

  /** {@code ID created TIME}, for the log. */
  @Override
  public String toString() {
    return id + " created " + created;
  }
}
