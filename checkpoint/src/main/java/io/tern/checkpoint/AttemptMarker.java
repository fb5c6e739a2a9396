package io.tern.checkpoint;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The store's record that an attempt of a job began: written once, when the attempt starts (or at
 * its first commit), and never changed. The newest marker is the job's current attempt; commits
 * from older attempts are refused.
 *
 * <p>{@code fenceSequence} is the highest checkpoint sequence the store held when the marker was
 * written. A checkpoint of an older attempt with a higher sequence was published after this attempt
 * began, by an attempt that should have stopped: it is fenced, never restored, and deleted by
 * retention. That closes the race between a stale commit and the marker without a lock: either the
 * stale checkpoint was published before the listing (and may be restored, as the newest state of
 * the job), or after (and is fenced).
 *
 * @param restored the storage key of the checkpoint the attempt restored; retention keeps it
 * @param passedOver storage keys of the checkpoints its restore passed over because they failed
 *     verification: never restored again, and deleted by retention
 */
record AttemptMarker(
    AttemptFence fence,
    long fenceSequence,
    Optional<String> restored,
    List<String> passedOver,
    Instant createdAt) {

  private static final JsonMapper MAPPER =
      JsonMapper.builder().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).build();

  /**
   * The fence of a retired job ({@link CheckpointStore#retire}): the highest attempt a marker's
   * name may carry (nine digits), above any attempt a scheduler places.
   */
  static final AttemptFence RETIRED = new AttemptFence(999_999_999, 0);

  /** Markers are small; anything larger is not one. */
  static final int MAX_BYTES = 4096;

  AttemptMarker {
    Objects.requireNonNull(fence, "fence");
    Objects.requireNonNull(restored, "restored");
    passedOver = List.copyOf(passedOver);
    Objects.requireNonNull(createdAt, "createdAt");
  }

  int attempt() {
    return fence.attempt();
  }

  /** Whether this marker fences {@code c}: an older attempt's checkpoint published after it. */
  boolean fences(CommittedCheckpoint c) {
    return c.attempt() < fence.attempt() && c.sequence() > fenceSequence;
  }

  byte[] encode() {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("attempt", fence.attempt());
    o.put("epoch", fence.epoch());
    o.put("fenceSequence", fenceSequence);
    restored.ifPresent(r -> o.put("restored", r));
    if (!passedOver.isEmpty()) {
      passedOver.forEach(o.putArray("passedOver")::add);
    }
    o.put("createdAt", createdAt.toString());
    try {
      return MAPPER.writeValueAsBytes(o);
    } catch (IOException e) {
      throw new IllegalStateException("cannot serialise an attempt marker", e);
    }
  }

  /**
   * Parses a stored marker of attempt {@code attempt} (from its name). A marker that does not parse
   * still records that the attempt began; it fences no older checkpoint (so none is lost to it).
   */
  static AttemptMarker decode(int attempt, byte[] bytes) {
    try {
      if (bytes.length > MAX_BYTES) {
        throw new IOException("marker larger than " + MAX_BYTES + " bytes");
      }
      JsonNode o = MAPPER.readTree(bytes);
      if (o == null || o.path("attempt").asInt(-1) != attempt) {
        throw new IOException("marker names another attempt");
      }
      JsonNode restored = o.get("restored");
      List<String> passedOver = new ArrayList<>();
      o.path("passedOver").forEach(k -> passedOver.add(k.asText()));
      return new AttemptMarker(
          new AttemptFence(attempt, o.path("epoch").asLong(0)),
          o.path("fenceSequence").asLong(Long.MAX_VALUE),
          restored == null || !restored.isTextual()
              ? Optional.empty()
              : Optional.of(restored.textValue()),
          passedOver,
          Instant.parse(o.path("createdAt").asText()));
    } catch (IOException | RuntimeException e) {
      return new AttemptMarker(
          new AttemptFence(attempt, 0), Long.MAX_VALUE, Optional.empty(), List.of(), Instant.EPOCH);
    }
  }
}
