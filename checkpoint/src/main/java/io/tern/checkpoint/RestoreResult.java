package io.tern.checkpoint;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The outcome of {@link CheckpointStore#restoreLatest}.
 *
 * @param restored the checkpoint now in the target directory; empty when none verified
 * @param skipped checkpoints that failed verification and were passed over, newest first; each is
 *     lost work that the caller should record
 */
public record RestoreResult(
    Optional<CommittedCheckpoint> restored, List<SkippedCheckpoint> skipped) {

  public RestoreResult {
    Objects.requireNonNull(restored, "restored");
    skipped = List.copyOf(skipped);
  }

  /**
   * A checkpoint that was not restored because it failed verification.
   *
   * @param name its name; its storage key when its manifest is unreadable
   * @param attempt the attempt that wrote it; 0 when its manifest is unreadable
   */
  public record SkippedCheckpoint(String name, int attempt, String reason) {
    public SkippedCheckpoint {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(reason, "reason");
    }

    /** An unreadable checkpoint, known by its storage key only. */
    public SkippedCheckpoint(String key, String reason) {
      this(key, 0, reason);
    }
  }
}
