package io.tern.checkpoint;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;

/**
 * Durable storage for the checkpoints of jobs, as the agent commits them and a later attempt
 * restores them (DESIGN.md, "Checkpoint protocol").
 *
 * <p>A checkpoint is identified by {@code (jobId, name)}; both must match {@link
 * CheckpointNames#NAME_PATTERN}. Its content is a tree of regular files described by a {@link
 * CheckpointManifest} (relative path, size and SHA-256 of every file).
 *
 * <h2>Contract</h2>
 *
 * <ul>
 *   <li><b>Atomic publish.</b> {@link #commit} copies every file first and publishes last (a
 *       directory rename, or the manifest object written last). Until it returns, and forever if it
 *       fails or the process dies, readers ({@link #list}, {@link #restoreLatest}) see nothing of
 *       the new checkpoint.
 *   <li><b>Immutable once committed.</b> Committing an existing name again with the same files
 *       (same paths, sizes and hashes) returns the existing checkpoint (a retry is harmless); with
 *       other files it fails with {@link CheckpointConflictException}. An existing checkpoint that
 *       can never be restored (manifest missing or unreadable) is replaced.
 *   <li><b>Order.</b> Every commit gets a sequence number one above the highest committed for the
 *       job; "newest" means the highest sequence, not the newest clock reading, so clock skew
 *       between nodes cannot reorder checkpoints. Commit the checkpoints of one job in the order
 *       they were written.
 *   <li><b>Retention.</b> After each successful commit the store keeps the newest {@link
 *       CheckpointStoreSettings#keepLast()} checkpoints of the job and deletes the others,
 *       including any that can never be restored. A failure to delete is logged, never thrown: the
 *       commit stands.
 *   <li><b>Verified restore.</b> A checkpoint is restored only if its manifest parses, carries a
 *       valid self-digest, names this job and checkpoint, and every file has the recorded size and
 *       SHA-256. A checkpoint that fails is never restored; {@link #restoreLatest} falls back to
 *       the previous one and reports every one it skipped ("the loss is recorded").
 *   <li><b>Hostile input.</b> Names outside {@code [A-Za-z0-9._-]}, paths with {@code ..} or that
 *       are absolute, symbolic links that leave the checkpoint directory, special files, and trees
 *       over {@link CheckpointLimits} are refused with {@link InvalidCheckpointException}; a
 *       manifest in the store cannot make a restore write outside its target directory.
 * </ul>
 *
 * <h2>Thread-safety</h2>
 *
 * Implementations are safe for concurrent use by many threads, for any jobs. The scheduler
 * guarantees that a job never runs twice at once, so there is one committer per job; two concurrent
 * commits of the same job cannot corrupt the store (one of them wins the name, the other gets a
 * conflict or the same checkpoint) but may race on sequence numbers and retention. A restore that
 * runs while retention deletes the same checkpoint reports it skipped and falls back.
 */
public interface CheckpointStore extends Closeable {

  /**
   * Copies the files under {@code localDir} into the store as checkpoint {@code name} of {@code
   * jobId}, publishes it atomically, then applies retention.
   *
   * @param attempt the attempt that wrote it (1, 2, ...)
   * @param step the job's own step counter, when it reports one
   * @throws InvalidCheckpointException when the name, a path, a link or a limit is refused
   * @throws CheckpointConflictException when {@code name} exists with other files
   */
  CommittedCheckpoint commit(
      String jobId, int attempt, Path localDir, String name, OptionalLong step) throws IOException;

  /**
   * The committed checkpoints of {@code jobId} whose manifest is readable, newest first. Does not
   * verify file contents (that is the restore's job). Empty when the job has none.
   */
  List<CommittedCheckpoint> list(String jobId) throws IOException;

  /**
   * Restores the newest checkpoint of {@code jobId} that passes verification into {@code
   * targetDir}, which must not exist or be an empty directory. Files are written into a sibling
   * temporary directory, verified, then moved into place, so {@code targetDir} holds either a
   * complete verified checkpoint or nothing new.
   *
   * @return which checkpoint was restored (none if the job has none that verifies) and the ones
   *     skipped because they failed verification, newest first
   */
  RestoreResult restoreLatest(String jobId, Path targetDir) throws IOException;

  /**
   * Restores one named checkpoint, verified, into {@code targetDir} (same rules as {@link
   * #restoreLatest}).
   *
   * @throws CorruptCheckpointException when it does not exist or fails verification
   */
  CommittedCheckpoint restore(String jobId, String name, Path targetDir) throws IOException;

  /** Deletes one checkpoint (unpublishing it first); returns whether there was one. */
  boolean delete(String jobId, String name) throws IOException;

  /** Deletes every checkpoint of a job, for a job that is finished; returns how many. */
  int deleteAll(String jobId) throws IOException;

  /** Releases clients the store created itself; a store is unusable afterwards. */
  @Override
  default void close() throws IOException {}
}
