package io.tern.agent.job;

import io.tern.api.v1.CheckpointRef;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Restores a committed checkpoint into an attempt's {@code TERN_RESUME_DIR} before the job starts.
 * The store-backed implementation (fetch, verify the SHA-256 manifest) lives with the checkpoint
 * store; until one is wired, {@link #unavailable()} makes resuming starts fail with a clear
 * START_FAILED rather than silently start from scratch.
 */
@FunctionalInterface
public interface CheckpointRestorer {
  /**
   * Restores {@code checkpoint} of {@code jobId} into {@code into} (an existing empty directory).
   *
   * @throws IOException when it cannot be fetched or fails verification; the start fails with the
   *     message
   */
  void restore(String jobId, CheckpointRef checkpoint, Path into) throws IOException;

  /** A restorer for agents without a checkpoint store: every restore fails. */
  static CheckpointRestorer unavailable() {
    return (jobId, checkpoint, into) -> {
      throw new IOException(
          "cannot restore checkpoint '"
              + checkpoint.getName()
              + "': this agent has no checkpoint store configured");
    };
  }
}
