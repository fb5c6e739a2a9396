package io.tern.checkpoint;

import io.tern.checkpoint.CheckpointManifest.ManifestFile;
import io.tern.checkpoint.RestoreResult.SkippedCheckpoint;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The parts of a {@link CheckpointStore} that do not depend on where bytes live: validation,
 * attempt fencing, sequence numbers, idempotent re-commits, retention, and verified restore with
 * fallback. A subclass supplies the storage primitives: list keys, read a manifest, open a stored
 * file, stage-then-publish, delete, and read, create and delete attempt markers.
 */
public abstract class AbstractCheckpointStore implements CheckpointStore {

  private static final Logger log = LoggerFactory.getLogger(AbstractCheckpointStore.class);

  /** Newest first: highest attempt, then highest sequence, then latest commit time, then name. */
  static final Comparator<CommittedCheckpoint> NEWEST_FIRST =
      Comparator.comparingInt(CommittedCheckpoint::attempt)
          .thenComparingLong(CommittedCheckpoint::sequence)
          .thenComparing(CommittedCheckpoint::committedAt)
          .thenComparing(CommittedCheckpoint::name)
          .reversed();

  /** The most bytes of an attempt marker a store needs to read. */
  protected static final int MAX_MARKER_BYTES = AttemptMarker.MAX_BYTES;

  protected final CheckpointStoreSettings settings;

  protected AbstractCheckpointStore(CheckpointStoreSettings settings) {
    this.settings = settings;
  }

  /** The folder or key prefix under the store's root that a cluster's jobs are kept in. */
  protected static final String CLUSTERS = "clusters";

  @Override
  public final CheckpointStore forCluster(String clusterId) {
    if (clusterId.isEmpty()) {
      return this;
    }
    if (!CheckpointNames.isValidName(clusterId)) {
      throw new IllegalArgumentException(
          "cluster id "
              + CheckpointNames.quote(clusterId)
              + " is not 1-128 characters of [A-Za-z0-9._-] starting with a letter or digit");
    }
    return clusterView(clusterId);
  }

  /**
   * A view of the whole store (not of this view) whose jobs are kept under {@code
   * CLUSTERS/clusterId}, on this store's clients; {@code clusterId} is a valid name.
   */
  protected abstract CheckpointStore clusterView(String clusterId);

  /** A checkpoint whose files are stored but not yet published. */
  protected interface Staging {
    /** The files as copied: path, size and SHA-256 of the bytes actually stored. */
    List<ManifestFile> files();

    /** Stores the manifest and makes the checkpoint visible, atomically. */
    void publish(byte[] manifest) throws IOException;

    /** Removes whatever was staged; best effort, never throws. */
    void abort();
  }

  /**
   * Storage keys ({@link CheckpointNames#storageKey}) of the checkpoints (published or not) stored
   * for a job, in any order; other entries are ignored.
   */
  protected abstract List<String> listNames(String jobId) throws IOException;

  /**
   * The stored manifest bytes; empty when there is none. Throws {@link CorruptCheckpointException}
   * when it is over {@link CheckpointLimits#maxManifestBytes()} or not a plain file/object.
   */
  protected abstract Optional<byte[]> readManifest(String jobId, String key) throws IOException;

  /**
   * Opens a stored file; {@link NoSuchFileException} (or a corrupt exception) when it is absent.
   */
  protected abstract InputStream openStored(String jobId, String key, String path)
      throws IOException;

  /**
   * Copies every file of {@code source} into unpublished storage for {@code (jobId, key)}, hashing
   * what it stores. On failure it removes what it copied and throws.
   */
  protected abstract Staging stage(String jobId, String key, CheckpointSource source)
      throws IOException;

  /** Unpublishes, then removes, everything stored for {@code (jobId, key)}. */
  protected abstract boolean deleteStored(String jobId, String key) throws IOException;

  /**
   * The attempt markers stored for a job, by attempt number; at most {@link
   * AttemptMarker#MAX_BYTES} bytes of each are needed.
   */
  protected abstract Map<Integer, byte[]> readMarkers(String jobId) throws IOException;

  /**
   * Stores the marker of {@code attempt} unless one exists: the first writer wins, and a reader
   * sees the whole marker or none.
   */
  protected abstract void createMarker(String jobId, int attempt, byte[] marker) throws IOException;

  /** Deletes the marker of {@code attempt}, if any. */
  protected abstract void deleteMarker(String jobId, int attempt) throws IOException;

  /** The attempts whose success is recorded for a job ({@link #recordSuccess}). */
  protected abstract Set<Integer> readSuccessRecords(String jobId) throws IOException;

  /** Stores the success record of {@code attempt}; storing it again changes nothing. */
  protected abstract void createSuccessRecord(String jobId, int attempt) throws IOException;

  /** Deletes the success record of {@code attempt}, if any. */
  protected abstract void deleteSuccessRecord(String jobId, int attempt) throws IOException;

  /** Removes leftovers of crashed commits or deletes for a job; called after retention. */
  protected void sweepLeftovers(String jobId) throws IOException {}

  /**
   * Throws when the store itself is gone (a file system's root unmounted or deleted), so that a
   * begin, commit or retire fails rather than take the store for empty and write a new one in its
   * place. Nothing by default.
   */
  protected void requireReachable() throws IOException {}

  /**
   * What a deletion of the job's checkpoints left behind because it could not be deleted (a file
   * store's trash folders), after {@link #sweepLeftovers}; none by default.
   */
  protected List<String> leftovers(String jobId) throws IOException {
    return List.of();
  }

  @Override
  public final RestoreResult beginAttempt(
      String jobId, AttemptFence attempt, Optional<Path> restoreInto) throws IOException {
    CheckpointNames.requireValidName("job id", jobId);
    if (restoreInto.isPresent()) {
      VerifiedRestore.requireRestorableTarget(restoreInto.get());
    }
    requireReachable();
    JobState state = load(jobId);
    requireCurrent(jobId, state.markers, attempt);
    OptionalInt succeeded = succeededBefore(jobId, attempt.attempt());
    if (succeeded.isPresent()) {
      throw new JobSucceededEarlierException(jobId, succeeded.getAsInt());
    }
    RestoreResult result =
        restoreInto.isPresent()
            ? restoreNewest(jobId, state, restoreInto.get())
            : new RestoreResult(Optional.empty(), List.of());
    if (state.marker(attempt.attempt()).isEmpty()) {
      recordAttempt(
          jobId,
          attempt,
          state,
          result.restored().map(CommittedCheckpoint::storageKey),
          result.skipped().stream()
              .map(k -> CheckpointNames.storageKey(k.attempt(), k.name()))
              .toList());
      // A newer attempt that began meanwhile wins; what was restored is then of no use.
      requireCurrent(jobId, loadMarkers(jobId), attempt);
      log.info("{}: {} began in the checkpoint store", jobId, attempt);
    }
    return result;
  }

  private OptionalInt succeededBefore(String jobId, int attempt) throws IOException {
    return readSuccessRecords(jobId).stream().mapToInt(a -> a).filter(a -> a < attempt).min();
  }

  @Override
  public final void recordSuccess(String jobId, int attempt) throws IOException {
    CheckpointNames.requireValidName("job id", jobId);
    if (attempt < 1) {
      throw new IllegalArgumentException("attempt must be at least 1: " + attempt);
    }
    requireReachable();
    createSuccessRecord(jobId, attempt);
    log.info("{}: attempt {} recorded its success in the checkpoint store", jobId, attempt);
  }

  @Override
  public final OptionalInt succeededAttempt(String jobId) throws IOException {
    CheckpointNames.requireValidName("job id", jobId);
    return succeededBefore(jobId, Integer.MAX_VALUE);
  }

  @Override
  public final CommittedCheckpoint commit(
      String jobId, AttemptFence attempt, Path localDir, String name, OptionalLong step)
      throws IOException {
    CheckpointNames.requireValidName("job id", jobId);
    CheckpointNames.requireValidName("checkpoint name", name);
    if (step.isPresent() && step.getAsLong() < 0) {
      throw new InvalidCheckpointException("step must not be negative");
    }
    CheckpointSource source = CheckpointSource.scan(localDir, settings.limits());
    requireReachable();
    JobState state = load(jobId);
    requireCurrent(jobId, state.markers, attempt);
    if (state.marker(attempt.attempt()).isEmpty()) {
      // An attempt that commits without having begun (an older agent) fences its predecessors now.
      recordAttempt(jobId, attempt, state, Optional.empty(), List.of());
    }
    String key = CheckpointNames.storageKey(attempt.attempt(), name);
    for (Stored s : state.stored) {
      if (s.key.equals(key)) {
        if (s.committed != null) {
          return sameOrConflict(s, source);
        }
        log.warn("replacing unrestorable checkpoint {}/{}: {}", jobId, key, s.problem);
        deleteStored(jobId, key);
      }
    }
    long sequence = state.maxSequence() + 1;
    CommittedCheckpoint committed;
    Staging staging;
    try {
      staging = stage(jobId, key, source);
    } catch (IOException e) {
      throw CheckpointStoreFullException.classify(e);
    }
    try {
      CheckpointManifest manifest =
          new CheckpointManifest(
              CheckpointManifest.FORMAT_VERSION,
              jobId,
              name,
              attempt.attempt(),
              attempt.epoch(),
              step,
              sequence,
              settings.clock().instant(),
              staging.files().stream().mapToLong(ManifestFile::size).sum(),
              staging.files());
      byte[] bytes = ManifestCodec.encode(manifest);
      staging.publish(bytes);
      committed = CommittedCheckpoint.of(manifest, Sha256.of(bytes));
    } catch (IOException e) {
      staging.abort();
      throw CheckpointStoreFullException.classify(e);
    } catch (RuntimeException e) {
      staging.abort();
      throw e;
    }
    // A newer attempt may have begun between the check above and the publish: if its marker fences
    // this checkpoint, no restore will ever use it, so it is withdrawn and the commit refused.
    for (AttemptMarker m : loadMarkers(jobId)) {
      if (m.fences(committed)) {
        deleteStored(jobId, key);
        throw stale(jobId, m, attempt);
      }
    }
    applyRetention(jobId, settings.keepLast());
    return committed;
  }

  /** Writes the attempt's marker: it fences every checkpoint older attempts publish from now on. */
  private void recordAttempt(
      String jobId,
      AttemptFence attempt,
      JobState state,
      Optional<String> restored,
      List<String> passedOver)
      throws IOException {
    createMarker(
        jobId,
        attempt.attempt(),
        new AttemptMarker(
                attempt, state.maxSequence(), restored, passedOver, settings.clock().instant())
            .encode());
  }

  @Override
  public final List<CommittedCheckpoint> list(String jobId) throws IOException {
    CheckpointNames.requireValidName("job id", jobId);
    return load(jobId).restorable().stream().map(s -> s.committed).toList();
  }

  @Override
  public final RestoreResult restoreLatest(String jobId, Path targetDir) throws IOException {
    CheckpointNames.requireValidName("job id", jobId);
    VerifiedRestore.requireRestorableTarget(targetDir);
    return restoreNewest(jobId, load(jobId), targetDir);
  }

  private RestoreResult restoreNewest(String jobId, JobState state, Path targetDir)
      throws IOException {
    List<SkippedCheckpoint> skipped = new ArrayList<>();
    // A checkpoint without a readable manifest cannot be placed in the order; it may have been the
    // newest, so it is reported first.
    state.stored.stream()
        .filter(s -> s.committed == null)
        .sorted(Comparator.comparing((Stored s) -> s.key))
        .forEach(
            s ->
                skipped.add(
                    new SkippedCheckpoint(
                        CheckpointNames.nameOfKey(s.key),
                        CheckpointNames.attemptOfKey(s.key),
                        s.problem)));
    for (Stored candidate : state.restorable()) {
      try {
        VerifiedRestore.restore(
            candidate.manifest, path -> openStored(jobId, candidate.key, path), targetDir);
        for (SkippedCheckpoint s : skipped) {
          log.warn("checkpoint {}/{} not restored: {}", jobId, s.name(), s.reason());
        }
        return new RestoreResult(Optional.of(candidate.committed), skipped);
      } catch (CorruptCheckpointException e) {
        skipped.add(
            new SkippedCheckpoint(
                candidate.committed.name(), candidate.committed.attempt(), e.getMessage()));
      }
    }
    return new RestoreResult(Optional.empty(), skipped);
  }

  @Override
  public final CommittedCheckpoint restore(String jobId, int attempt, String name, Path targetDir)
      throws IOException {
    CheckpointNames.requireValidName("job id", jobId);
    CheckpointNames.requireValidName("checkpoint name", name);
    VerifiedRestore.requireRestorableTarget(targetDir);
    String key = CheckpointNames.storageKey(attempt, name);
    Stored stored = load(jobId, key);
    if (stored.committed == null) {
      throw new CorruptCheckpointException(jobId + "/" + key + ": " + stored.problem);
    }
    VerifiedRestore.restore(stored.manifest, path -> openStored(jobId, key, path), targetDir);
    return stored.committed;
  }

  @Override
  public final int makeRoom(String jobId) throws IOException {
    CheckpointNames.requireValidName("job id", jobId);
    return prune(jobId, 1);
  }

  @Override
  public final boolean delete(String jobId, int attempt, String name) throws IOException {
    CheckpointNames.requireValidName("job id", jobId);
    CheckpointNames.requireValidName("checkpoint name", name);
    return deleteStored(jobId, CheckpointNames.storageKey(attempt, name));
  }

  @Override
  public final int retire(String jobId) throws IOException {
    CheckpointNames.requireValidName("job id", jobId);
    requireReachable();
    JobState state = load(jobId);
    if (state.stored.isEmpty() && state.markers.isEmpty() && readSuccessRecords(jobId).isEmpty()) {
      return 0; // nothing of it here (its agents used another store): nothing to fence
    }
    if (state.marker(AttemptMarker.RETIRED.attempt()).isEmpty()) {
      recordAttempt(jobId, AttemptMarker.RETIRED, state, Optional.empty(), List.of());
    }
    // What the load listed: a checkpoint published after it has a higher sequence than the retired
    // marker's fence, and its commit withdraws it.
    int deleted = 0;
    for (Stored s : state.stored) {
      if (deleteStored(jobId, s.key)) {
        deleted++;
      }
    }
    sweepLeftovers(jobId);
    List<String> left = leftovers(jobId);
    if (!left.isEmpty()) {
      throw new IOException(
          jobId
              + ": could not delete "
              + left
              + " (the log says why); retiring it again tries again");
    }
    if (deleted > 0) {
      log.info("{}: retired, {} checkpoint(s) deleted", jobId, deleted);
    }
    return deleted;
  }

  /** What the store holds under one key: a readable manifest, or why not. */
  private record Stored(
      String key, CheckpointManifest manifest, CommittedCheckpoint committed, String problem) {}

  /** Everything stored for one job, read once. */
  private record JobState(List<Stored> stored, List<AttemptMarker> markers) {

    Optional<AttemptMarker> marker(int attempt) {
      return markers.stream().filter(m -> m.attempt() == attempt).findFirst();
    }

    Optional<AttemptMarker> current() {
      return markers.stream().max(Comparator.comparing(AttemptMarker::fence));
    }

    boolean fenced(CommittedCheckpoint c) {
      return markers.stream().anyMatch(m -> m.fences(c));
    }

    /** A restore passed it over: it failed verification once, and will again. */
    boolean passedOver(String key) {
      return markers.stream().anyMatch(m -> m.passedOver().contains(key));
    }

    /** Readable, not fenced and not passed over, newest first. */
    List<Stored> restorable() {
      return stored.stream()
          .filter(s -> s.committed != null && !fenced(s.committed) && !passedOver(s.key))
          .sorted(Comparator.comparing((Stored s) -> s.committed, NEWEST_FIRST))
          .toList();
    }

    long maxSequence() {
      return stored.stream()
          .filter(s -> s.committed != null)
          .mapToLong(s -> s.committed.sequence())
          .max()
          .orElse(0);
    }
  }

  private JobState load(String jobId) throws IOException {
    List<Stored> all = new ArrayList<>();
    for (String key : listNames(jobId)) {
      if (CheckpointNames.isStorageKey(key)) {
        all.add(load(jobId, key));
      }
    }
    return new JobState(all, loadMarkers(jobId));
  }

  private List<AttemptMarker> loadMarkers(String jobId) throws IOException {
    List<AttemptMarker> markers = new ArrayList<>();
    for (Map.Entry<Integer, byte[]> e : readMarkers(jobId).entrySet()) {
      markers.add(AttemptMarker.decode(e.getKey(), e.getValue()));
    }
    return markers;
  }

  private static void requireCurrent(String jobId, List<AttemptMarker> markers, AttemptFence mine)
      throws StaleAttemptException {
    for (AttemptMarker m : markers) {
      if (m.fence().compareTo(mine) > 0) {
        throw stale(jobId, m, mine);
      }
    }
  }

  private static StaleAttemptException stale(String jobId, AttemptMarker newer, AttemptFence mine) {
    if (newer.fence().equals(AttemptMarker.RETIRED)) {
      return new StaleAttemptException(
          "job "
              + jobId
              + " is retired in the checkpoint store (it finished and its checkpoints were"
              + " deleted): "
              + mine
              + " may no longer begin or commit");
    }
    return new StaleAttemptException(
        "job "
            + jobId
            + " is at "
            + newer.fence()
            + " in the checkpoint store: "
            + mine
            + " was replaced and may no longer commit");
  }

  private Stored load(String jobId, String key) throws IOException {
    Optional<byte[]> bytes;
    try {
      bytes = readManifest(jobId, key);
    } catch (CorruptCheckpointException e) {
      return new Stored(key, null, null, e.getMessage());
    }
    if (bytes.isEmpty()) {
      return new Stored(key, null, null, "manifest missing");
    }
    try {
      CheckpointManifest m = ManifestCodec.decode(bytes.get(), settings.limits());
      if (!m.jobId().equals(jobId)
          || !CheckpointNames.storageKey(m.attempt(), m.name()).equals(key)) {
        return new Stored(
            key,
            null,
            null,
            "manifest belongs to "
                + m.jobId()
                + "/"
                + CheckpointNames.storageKey(m.attempt(), m.name())
                + ", not here");
      }
      return new Stored(key, m, CommittedCheckpoint.of(m, Sha256.of(bytes.get())), null);
    } catch (CorruptCheckpointException e) {
      return new Stored(key, null, null, e.getMessage());
    }
  }

  private CommittedCheckpoint sameOrConflict(Stored existing, CheckpointSource source)
      throws IOException {
    List<ManifestFile> local = new ArrayList<>();
    for (CheckpointSource.SourceFile f : source.files()) {
      try (InputStream in = settings.sourceOpener().open(f.file())) {
        Sha256.Digest d = Sha256.copy(in, null, settings.limits().maxFileBytes());
        local.add(new ManifestFile(f.path(), d.size(), d.sha256()));
      }
    }
    if (local.equals(existing.manifest.files())) {
      return existing.committed;
    }
    throw new CheckpointConflictException(
        "checkpoint "
            + existing.committed.jobId()
            + "/"
            + existing.key
            + " is already committed with other files");
  }

  private void applyRetention(String jobId, int keep) {
    try {
      prune(jobId, keep);
    } catch (IOException | UncheckedIOException e) {
      log.warn("retention for job {} failed; will retry after the next commit", jobId, e);
    }
  }

  /**
   * Keeps the newest {@code keep} restorable checkpoints and the one the current attempt restored;
   * deletes the rest, fenced and unrestorable ones included, and the markers of attempts older than
   * anything kept (never the current one).
   */
  private int prune(String jobId, int keep) throws IOException {
    JobState state = load(jobId);
    Optional<AttemptMarker> current = state.current();
    Optional<String> base = current.flatMap(AttemptMarker::restored);
    List<Stored> restorable = state.restorable();
    Set<String> kept = new HashSet<>();
    for (int i = 0; i < restorable.size(); i++) {
      if (i < keep || base.equals(Optional.of(restorable.get(i).key))) {
        kept.add(restorable.get(i).key);
      }
    }
    int deleted = 0;
    for (Stored s : state.stored) {
      if (kept.contains(s.key)) {
        continue;
      }
      if (s.committed == null) {
        log.warn("deleting unrestorable checkpoint {}/{}: {}", jobId, s.key, s.problem);
      } else if (state.passedOver(s.key)) {
        log.warn("deleting checkpoint {}/{}: it failed verification on a restore", jobId, s.key);
      } else if (state.fenced(s.committed)) {
        log.warn(
            "deleting checkpoint {}/{}: published after a newer attempt began (fenced)",
            jobId,
            s.key);
      }
      if (deleteStored(jobId, s.key)) {
        deleted++;
      }
    }
    int oldestKept =
        state.stored.stream()
            .filter(s -> kept.contains(s.key))
            .mapToInt(s -> s.committed.attempt())
            .min()
            .orElse(Integer.MAX_VALUE);
    for (AttemptMarker m : state.markers) {
      if (m.attempt() < oldestKept && !current.equals(Optional.of(m))) {
        deleteMarker(jobId, m.attempt());
      }
    }
    sweepLeftovers(jobId);
    return deleted;
  }

  /** Deletes a tree without following links; best effort, used for cleanup. */
  protected static void deleteTree(Path root) {
    try {
      FileTrees.remove(root);
    } catch (IOException e) {
      log.warn("could not delete {}", root, e);
    }
  }
}
