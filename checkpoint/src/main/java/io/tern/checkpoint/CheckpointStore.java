package io.tern.checkpoint;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * Durable storage for the checkpoints of jobs, as the agent commits them and a later attempt
 * restores them (DESIGN.md, "Checkpoint protocol").
 *
 * <p>A checkpoint is identified by {@code (jobId, attempt, name)}: the attempt that wrote it and
 * the name the job gave it (both ids match {@link CheckpointNames#NAME_PATTERN}); it is stored
 * under {@link CheckpointNames#storageKey}, so attempts never collide on a name. Its content is a
 * tree of regular files described by a {@link CheckpointManifest} (relative path, size and SHA-256
 * of every file). Job ids are a cluster's own (each cluster numbers its jobs from {@code
 * job-000001}), so a store that outlives a cluster, or that several clusters share, is used through
 * {@link #forCluster}: every cluster's jobs, their checkpoints, attempt markers and success records
 * apart from every other's.
 *
 * <h2>Contract</h2>
 *
 * <ul>
 *   <li><b>Fenced by attempt.</b> {@link #beginAttempt} records, durably and once, that an attempt
 *       of the job began (an attempt marker). The newest marker (by attempt, then epoch) is the
 *       job's current attempt. A commit from an older attempt, and the begin of an older attempt,
 *       fail with {@link StaleAttemptException}; a commit from a newer attempt than any recorded
 *       records it first. A checkpoint an older attempt managed to publish after the newer one
 *       began (the two raced) is fenced: never listed, never restored, deleted by retention. A
 *       retired job ({@link #retire}) fences every attempt.
 *   <li><b>Atomic publish.</b> {@link #commit} copies every file first and publishes last (a
 *       directory rename, or the manifest object written last). Until it returns, and forever if it
 *       fails or the process dies, readers ({@link #list}, {@link #restoreLatest}) see nothing of
 *       the new checkpoint.
 *   <li><b>Immutable once committed.</b> Committing an existing checkpoint again with the same
 *       files (same paths, sizes and hashes) returns the existing checkpoint (a retry is harmless);
 *       with other files it fails with {@link CheckpointConflictException}. An existing checkpoint
 *       that can never be restored (manifest missing or unreadable) is replaced.
 *   <li><b>Order.</b> "Newest" means the highest attempt, then the highest sequence: every commit
 *       gets a sequence one above the highest committed for the job, and a newer attempt resumed
 *       from its predecessors' work, so neither clock skew between nodes nor a replaced attempt
 *       that keeps counting can reorder checkpoints. Commit one attempt's checkpoints in the order
 *       they were written.
 *   <li><b>Retention.</b> After each successful commit the store keeps the newest {@link
 *       CheckpointStoreSettings#keepLast()} checkpoints of the job and deletes the others,
 *       including any that can never be restored or are fenced. It never deletes the current
 *       attempt's newest checkpoint (it is the newest of all), nor the checkpoint the current
 *       attempt restored (the one its job record names). A failure to delete is logged, never
 *       thrown: the commit stands.
 *   <li><b>Success is recorded.</b> {@link #recordSuccess} records that an attempt exited 0 by
 *       itself (the job's work is done); {@link #beginAttempt} of a later attempt then fails with
 *       {@link JobSucceededEarlierException}, so a job that finished while its node was cut off is
 *       not run again when the scheduler, not having heard, places it elsewhere.
 *   <li><b>Full store.</b> A commit that fails for want of space or quota throws {@link
 *       CheckpointStoreFullException}; {@link #makeRoom} prunes down to what must be kept.
 *   <li><b>Verified restore.</b> A checkpoint is restored only if its manifest parses, carries a
 *       valid self-digest, names this job, attempt and checkpoint, and every file has the recorded
 *       size and SHA-256. A checkpoint that fails is never restored; a restore falls back to the
 *       previous one and reports every one it skipped ("the loss is recorded").
 *   <li><b>Hostile input.</b> Names outside {@code [A-Za-z0-9._-]}, paths with {@code ..} or that
 *       are absolute, symbolic links that leave the checkpoint directory, special files, and trees
 *       over {@link CheckpointLimits} are refused with {@link InvalidCheckpointException}; a
 *       manifest in the store cannot make a restore write outside its target directory.
 * </ul>
 *
 * <h2>Thread-safety</h2>
 *
 * Implementations are safe for concurrent use by many threads and processes, for any jobs. The
 * scheduler means a job to run once at a time, so there is normally one committer per job; the
 * attempt fence is what holds when that fails (an agent cut off past its lease keeps running). Two
 * concurrent commits of the same attempt cannot corrupt the store (one of them wins the name, the
 * other gets a conflict or the same checkpoint) but may race on sequence numbers and retention. A
 * restore that runs while retention deletes the same checkpoint reports it skipped and falls back.
 */
public interface CheckpointStore extends Closeable {

  /**
   * Records that {@code attempt} of {@code jobId} began, fencing every older attempt, then (with
   * {@code restoreInto}) restores the newest checkpoint of the job that is not fenced and verifies,
   * as {@link #restoreLatest} does, and remembers which one it was. Idempotent for one attempt.
   *
   * @param restoreInto where to restore (must not exist or be empty); empty to begin fresh
   * @return what was restored and skipped (nothing without {@code restoreInto})
   * @throws StaleAttemptException when the store has a newer attempt of the job
   * @throws JobSucceededEarlierException when an earlier attempt recorded its success
   */
  RestoreResult beginAttempt(String jobId, AttemptFence attempt, Optional<Path> restoreInto)
      throws IOException;

  /**
   * Copies the files under {@code localDir} into the store as checkpoint {@code name} of {@code
   * attempt}, publishes it atomically, then applies retention.
   *
   * @param step the job's own step counter, when it reports one
   * @throws StaleAttemptException when the job has a newer attempt than {@code attempt}
   * @throws CheckpointStoreFullException when the store has no room for it
   * @throws InvalidCheckpointException when the name, a path, a link or a limit is refused
   * @throws CheckpointConflictException when {@code name} exists with other files
   */
  CommittedCheckpoint commit(
      String jobId, AttemptFence attempt, Path localDir, String name, OptionalLong step)
      throws IOException;

  /**
   * The committed checkpoints of {@code jobId} whose manifest is readable and that are not fenced,
   * newest first. Does not verify file contents (that is the restore's job). Empty when the job has
   * none.
   */
  List<CommittedCheckpoint> list(String jobId) throws IOException;

  /**
   * Restores the newest checkpoint of {@code jobId} that is not fenced and passes verification into
   * {@code targetDir}, which must not exist or be an empty directory. Files are written into a
   * sibling temporary directory, verified, then moved into place, so {@code targetDir} holds either
   * a complete verified checkpoint or nothing new. Records nothing (see {@link #beginAttempt}).
   *
   * @return which checkpoint was restored (none if the job has none that verifies) and the ones
   *     skipped because they failed verification, newest first
   */
  RestoreResult restoreLatest(String jobId, Path targetDir) throws IOException;

  /**
   * Restores one checkpoint, verified, into {@code targetDir} (same rules as {@link
   * #restoreLatest}).
   *
   * @throws CorruptCheckpointException when it does not exist or fails verification
   */
  CommittedCheckpoint restore(String jobId, int attempt, String name, Path targetDir)
      throws IOException;

  /**
   * Prunes the job's checkpoints down to those that must be kept (the newest, and the one the
   * current attempt restored), plus what crashed commits left, to make room in a full store.
   *
   * @return how many checkpoints were deleted
   */
  int makeRoom(String jobId) throws IOException;

  /**
   * Records, durably and idempotently, that {@code attempt} of {@code jobId} exited 0 by itself
   * (not after a checkpoint, stop or fence signal): later attempts must not run.
   */
  void recordSuccess(String jobId, int attempt) throws IOException;

  /**
   * The lowest attempt of {@code jobId} whose success is recorded, if any; for starts that do not
   * {@link #beginAttempt begin} in the store (jobs that cannot checkpoint).
   */
  OptionalInt succeededAttempt(String jobId) throws IOException;

  /**
   * A file, on a file system this host shares with the store, whose creation (with any content)
   * records the success of {@code attempt} exactly as {@link #recordSuccess} does: for the job
   * shim, which records an exit even while its agent is stopped or gone. Its folder exists when
   * this returns: the shim makes none, so a store that is gone by the job's end is not re-created
   * where it was mounted. Empty for stores that are not files (the agent records it then).
   *
   * @throws StoreUnreachableException when the store's folder is gone
   */
  default Optional<Path> successRecordFile(String jobId, int attempt) throws IOException {
    return Optional.empty();
  }

  /** Deletes one checkpoint (unpublishing it first); returns whether there was one. */
  boolean delete(String jobId, int attempt, String name) throws IOException;

  /**
   * Retires a job that is finished for good: records a marker that fences every attempt (a commit
   * or begin of any attempt fails with {@link StaleAttemptException} from then on, so an agent cut
   * off past its lease cannot put a checkpoint back), then deletes every checkpoint of the job and
   * what crashed commits left. Attempt markers and success records stay: they are small, and a
   * success record still answers {@link #succeededAttempt}. A job the store holds nothing of is
   * left alone (no marker is written for it). Idempotent. The scheduler's leader calls it a while
   * after a job ends ({@code tern scheduler --keep-checkpoints}).
   *
   * @return how many checkpoints were deleted
   */
  int retire(String jobId) throws IOException;

  /**
   * The packed working directories (code shipped with jobs) kept beside the checkpoints, in the
   * same root or bucket and prefix. Every store has them: a wrapper delegates.
   */
  io.tern.checkpoint.workdir.WorkdirStore workdirs();

  /**
   * The marker that says which store this is, for a scheduler to initialise the store and hold it
   * to the identity its cluster recorded ({@link StoreMarker}); a store opened at a file location
   * has one, every view and wrapper of it the same. Empty for stores without one (S3, and a file
   * store handed a folder as it is).
   */
  default Optional<StoreMarker> marker() {
    return Optional.empty();
  }

  /**
   * This store as the jobs of one cluster see it: their checkpoints, attempt markers and success
   * records are kept under {@code clusters/CLUSTER_ID/} of the store's root or prefix, apart from
   * those of every other cluster, and a job never sees another cluster's job of the same id. The
   * view of a view is the other cluster's view of the whole store, not nested. {@link #workdirs}
   * stay shared: an archive is named by its content. The view shares this store's clients and needs
   * no closing; close this store after its views are done.
   *
   * @param clusterId the id the scheduler sends with each start ({@code StartJob.cluster_id});
   *     empty (a scheduler that sends none) for this store itself, with the layout from before
   *     cluster ids
   * @throws IllegalArgumentException when the id is not 1-128 characters of {@code [A-Za-z0-9._-]}
   */
  CheckpointStore forCluster(String clusterId);

  /** Releases clients the store created itself; a store is unusable afterwards. */
  @Override
  default void close() throws IOException {}
}
