package io.tern.agent.job;

import io.tern.api.v1.CheckpointRef;
import io.tern.api.v1.FailedCheckpoint;
import io.tern.api.v1.RestoreReport;
import io.tern.api.v1.StartJob;
import io.tern.checkpoint.CheckpointException;
import io.tern.scheduler.spec.AttemptCheckpoints;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Begins an attempt in the checkpoint store and restores its job's latest verified checkpoint into
 * the attempt's {@code TERN_RESUME_DIR} before the job starts. {@code
 * io.tern.agent.checkpoint.StoreCheckpointRestorer} works on the checkpoint store (it records the
 * attempt there, which fences off the job's older attempts, then restores the newest checkpoint
 * that verifies, falling back past corrupt ones); without a store, {@link #unavailable()} makes
 * resuming starts fail with a clear START_FAILED rather than silently start from scratch.
 */
@FunctionalInterface
public interface CheckpointRestorer {
  /**
   * Begins {@code start}'s attempt and, when it names a checkpoint, restores the job's latest
   * verified checkpoint into {@code into} (an existing empty directory).
   *
   * @return what was restored, if anything, and the checkpoints passed over; when nothing was
   *     restored the job starts fresh and the start report says so
   * @throws CheckpointException when the store refuses the attempt (a newer attempt of the job
   *     began) or the resume: the start fails with the message
   * @throws IOException when the store itself fails (full, unwritable, unreachable): the job waits
   *     for it (STORE_FAULT), no retry counted
   * @throws LaunchException.SucceededEarlier when the store records that an earlier attempt of the
   *     job exited 0: the job is done and this attempt must not run
   */
  Outcome begin(StartJob start, Path into) throws IOException, LaunchException.SucceededEarlier;

  /**
   * A file on the store's file system that the job shim creates when the job exits 0 by itself (the
   * store's success record of this attempt, {@code CheckpointStore#successRecordFile}); empty when
   * the store is not files or there is no store.
   */
  default Optional<Path> successRecordFile(StartJob start) throws IOException {
    return Optional.empty();
  }

  /**
   * An attempt of the job before {@code start}'s that recorded its success, if any: the last look
   * before the job's process starts (an earlier attempt cut off past its lease may have finished
   * while this one was being prepared). Empty without a store, or when it cannot be read.
   */
  default java.util.OptionalInt succeededBefore(StartJob start) {
    return java.util.OptionalInt.empty();
  }

  /**
   * Copies the packed working directory with this digest (JobSpec {@code workdir_digest}) from the
   * store into {@code archive}, a file that must not exist, checking its SHA-256.
   *
   * @throws IOException when there is no store, the store does not hold it, or its copy is damaged
   */
  default void fetchWorkdir(String digest, Path archive) throws IOException {
    throw new IOException(
        "the job's code (workdir sha256-"
            + digest
            + ") is in a checkpoint store, and this agent has none configured"
            + " (tern agent --checkpoint-store)");
  }

  /** A restorer for agents without a checkpoint store: every resume fails. */
  static CheckpointRestorer unavailable() {
    return (start, into) -> {
      if (!start.hasResumeFrom()) {
        return Outcome.fresh(start);
      }
      // A refusal, not a store that failed: the start fails (START_FAILED).
      throw new CheckpointException(
          "cannot restore checkpoint '"
              + start.getResumeFrom().getName()
              + "': this agent has no checkpoint store configured");
    };
  }

  /**
   * What a restore did.
   *
   * @param requested the checkpoint the scheduler named; empty when it named none
   * @param restored the checkpoint now in the resume directory; empty when none could be restored
   * @param failed checkpoints passed over because they failed verification, newest first
   */
  record Outcome(
      Optional<CheckpointRef> requested,
      Optional<CheckpointRef> restored,
      List<FailedCheckpoint> failed) {
    public Outcome {
      Objects.requireNonNull(requested, "requested");
      Objects.requireNonNull(restored, "restored");
      failed = List.copyOf(failed);
    }

    /** Nothing restored, nothing tried. */
    public static Outcome fresh(StartJob start) {
      return new Outcome(
          start.hasResumeFrom() ? Optional.of(start.getResumeFrom()) : Optional.empty(),
          Optional.empty(),
          List.of());
    }

    /** Whether there is anything to say: a checkpoint was named, restored or passed over. */
    public boolean isEmpty() {
      return requested.isEmpty() && restored.isEmpty() && failed.isEmpty();
    }

    /** The start report's structured form. */
    public RestoreReport report() {
      RestoreReport.Builder b = RestoreReport.newBuilder().addAllFailedVerification(failed);
      requested.ifPresent(b::setRequested);
      restored.ifPresent(b::setRestored);
      return b.build();
    }

    /**
     * The start message's words for it ({@link AttemptCheckpoints#describe}), e.g. "resumed from
     * step-000050 of attempt 1", "none: started fresh, 2 checkpoints failed verification (...)";
     * empty when there is nothing to say.
     */
    public String describe() {
      return isEmpty() ? "" : AttemptCheckpoints.describe(report());
    }
  }
}
