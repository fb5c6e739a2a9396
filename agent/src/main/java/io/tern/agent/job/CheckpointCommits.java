package io.tern.agent.job;

import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;

/**
 * Commits the checkpoints attempts write under {@code TERN_CHECKPOINT_DIR} to the checkpoint store,
 * off the agent's loop. {@link JobSupervisor} tells it when an attempt starts, when it was
 * signalled to checkpoint, and when it exited; it reports each attempt's exit only after {@link
 * #settle} has committed whatever the attempt left, so the scheduler hears of the final checkpoint
 * before it hears that the attempt checkpointed (it resumes from the latest checkpoint it has heard
 * of).
 *
 * <p>Implementations are thread-safe; every method returns at once.
 */
public interface CheckpointCommits {
  /**
   * Start watching {@code checkpointDir} of a started attempt.
   *
   * @param epoch the leader epoch the attempt was placed under (its commits carry it)
   * @param clusterId the id of the cluster that placed it ({@code StartJob.cluster_id}, valid or
   *     empty): its commits and success go to that cluster's view of the store
   */
  void watch(AttemptId attempt, long epoch, String clusterId, Path checkpointDir);

  /**
   * The attempt was sent its checkpoint signal at {@code at} (the save time is measured from it).
   */
  void signalled(AttemptId attempt, Instant at);

  /**
   * The attempt exited: commit what it left, stop watching it and, when {@code succeeded} (it
   * exited 0 by itself), record its success in the store ({@code CheckpointStore#recordSuccess}) of
   * the cluster it was watched for; completes when done (normally, even when a commit failed:
   * failures are logged).
   */
  CompletableFuture<Void> settle(AttemptId attempt, boolean succeeded);

  /** For agents without a checkpoint store: nothing is committed. */
  CheckpointCommits NONE =
      new CheckpointCommits() {
        @Override
        public void watch(AttemptId attempt, long epoch, String clusterId, Path checkpointDir) {}

        @Override
        public void signalled(AttemptId attempt, Instant at) {}

        @Override
        public CompletableFuture<Void> settle(AttemptId attempt, boolean succeeded) {
          return CompletableFuture.completedFuture(null);
        }
      };
}
