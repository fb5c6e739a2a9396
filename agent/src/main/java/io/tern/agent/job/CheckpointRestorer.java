package io.tern.agent.job;

import io.tern.api.v1.CheckpointRef;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Restores a committed checkpoint into an attempt's {@code TERN_RESUME_DIR} before the job starts.
 * {@code io.tern.agent.checkpoint.StoreCheckpointRestorer} restores from the checkpoint store (the
 * newest checkpoint that verifies, falling back past corrupt ones); without a store, {@link
 * #unavailable()} makes resuming starts fail with a clear START_FAILED rather than silently start
 * from scratch.
 */
@FunctionalInterface
public interface CheckpointRestorer {
  /**
   * Restores the job's latest verified checkpoint into {@code into} (an existing empty directory).
   *
   * @param requested the checkpoint the scheduler asked for (its latest committed one)
   * @return what was restored, if anything, and the checkpoints passed over; when nothing was
   *     restored the job starts fresh and the start message says so
   * @throws IOException when the store cannot be read: the start fails with the message
   */
  Outcome restore(String jobId, CheckpointRef requested, Path into) throws IOException;

  /** A restorer for agents without a checkpoint store: every restore fails. */
  static CheckpointRestorer unavailable() {
    return (jobId, checkpoint, into) -> {
      throw new IOException(
          "cannot restore checkpoint '"
              + checkpoint.getName()
              + "': this agent has no checkpoint store configured");
    };
  }

  /**
   * What a restore did.
   *
   * @param restored the checkpoint now in the resume directory; empty when none could be restored
   * @param lost checkpoints passed over because they failed verification, newest first, each as
   *     "NAME: reason"
   */
  record Outcome(Optional<CheckpointRef> restored, List<String> lost) {
    public Outcome {
      Objects.requireNonNull(restored, "restored");
      lost = List.copyOf(lost);
    }

    public static Outcome restored(CheckpointRef checkpoint) {
      return new Outcome(Optional.of(checkpoint), List.of());
    }

    /**
     * The start message's words for it, e.g. "resumed from step-000050 of attempt 1; passed over
     * step-000100 (file state fails its SHA-256 check)".
     */
    public String describe(CheckpointRef requested) {
      StringBuilder words = new StringBuilder();
      if (restored.isPresent()) {
        CheckpointRef r = restored.get();
        words
            .append("resumed from ")
            .append(r.getName())
            .append(" of attempt ")
            .append(r.getAttempt());
        if (!r.getName().equals(requested.getName())) {
          words.append(" (the scheduler named ").append(requested.getName()).append(')');
        }
      } else {
        words
            .append("no restorable checkpoint (the scheduler named ")
            .append(requested.getName())
            .append("): starting fresh");
      }
      if (!lost.isEmpty()) {
        words.append("; passed over ").append(String.join(", ", lost));
      }
      return words.toString();
    }
  }
}
