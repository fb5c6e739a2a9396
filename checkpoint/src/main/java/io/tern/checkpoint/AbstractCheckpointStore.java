package io.tern.checkpoint;

import io.tern.checkpoint.CheckpointManifest.ManifestFile;
import io.tern.checkpoint.RestoreResult.SkippedCheckpoint;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The parts of a {@link CheckpointStore} that do not depend on where bytes live: validation,
 * sequence numbers, idempotent re-commits, retention, and verified restore with fallback. A
 * subclass supplies five storage primitives: list names, read a manifest, open a stored file,
 * stage-then-publish, and delete.
 */
public abstract class AbstractCheckpointStore implements CheckpointStore {

  private static final Logger log = LoggerFactory.getLogger(AbstractCheckpointStore.class);

  /** Newest first: highest sequence, then latest commit time, then name. */
  static final Comparator<CommittedCheckpoint> NEWEST_FIRST =
      Comparator.comparingLong(CommittedCheckpoint::sequence)
          .thenComparing(CommittedCheckpoint::committedAt)
          .thenComparing(CommittedCheckpoint::name)
          .reversed();

  protected final CheckpointStoreSettings settings;

  protected AbstractCheckpointStore(CheckpointStoreSettings settings) {
    this.settings = settings;
  }

  /** A checkpoint whose files are stored but not yet published. */
  protected interface Staging {
    /** The files as copied: path, size and SHA-256 of the bytes actually stored. */
    List<ManifestFile> files();

    /** Stores the manifest and makes the checkpoint visible, atomically. */
    void publish(byte[] manifest) throws IOException;

    /** Removes whatever was staged; best effort, never throws. */
    void abort();
  }

  /** Names of the checkpoints (published or not) stored for a job, in any order. */
  protected abstract List<String> listNames(String jobId) throws IOException;

  /**
   * The stored manifest bytes; empty when there is none. Throws {@link CorruptCheckpointException}
   * when it is over {@link CheckpointLimits#maxManifestBytes()} or not a plain file/object.
   */
  protected abstract Optional<byte[]> readManifest(String jobId, String name) throws IOException;

  /**
   * Opens a stored file; {@link NoSuchFileException} (or a corrupt exception) when it is absent.
   */
  protected abstract InputStream openStored(String jobId, String name, String path)
      throws IOException;

  /**
   * Copies every file of {@code source} into unpublished storage for {@code (jobId, name)}, hashing
   * what it stores. On failure it removes what it copied and throws.
   */
  protected abstract Staging stage(String jobId, String name, CheckpointSource source)
      throws IOException;

  /** Unpublishes, then removes, everything stored for {@code (jobId, name)}. */
  protected abstract boolean deleteStored(String jobId, String name) throws IOException;

  /** Removes leftovers of crashed commits or deletes for a job; called after retention. */
  protected void sweepLeftovers(String jobId) throws IOException {}

  @Override
  public final CommittedCheckpoint commit(
      String jobId, int attempt, Path localDir, String name, OptionalLong step) throws IOException {
    CheckpointNames.requireValidName("job id", jobId);
    CheckpointNames.requireValidName("checkpoint name", name);
    if (attempt < 0 || (step.isPresent() && step.getAsLong() < 0)) {
      throw new InvalidCheckpointException("attempt and step must not be negative");
    }
    CheckpointSource source = CheckpointSource.scan(localDir, settings.limits());
    List<Stored> existing = loadAll(jobId);
    long sequence = 1;
    for (Stored s : existing) {
      if (s.committed != null) {
        sequence = Math.max(sequence, s.committed.sequence() + 1);
      }
      if (s.name.equals(name)) {
        if (s.committed != null) {
          return sameOrConflict(s, source);
        }
        log.warn("replacing unrestorable checkpoint {}/{}: {}", jobId, name, s.problem);
        deleteStored(jobId, name);
      }
    }
    Staging staging = stage(jobId, name, source);
    CommittedCheckpoint committed;
    try {
      CheckpointManifest manifest =
          new CheckpointManifest(
              CheckpointManifest.FORMAT_VERSION,
              jobId,
              name,
              attempt,
              step,
              sequence,
              settings.clock().instant(),
              staging.files().stream().mapToLong(ManifestFile::size).sum(),
              staging.files());
      byte[] bytes = ManifestCodec.encode(manifest);
      staging.publish(bytes);
      committed = CommittedCheckpoint.of(manifest, Sha256.of(bytes));
    } catch (IOException | RuntimeException e) {
      staging.abort();
      throw e;
    }
    applyRetention(jobId);
    return committed;
  }

  @Override
  public final List<CommittedCheckpoint> list(String jobId) throws IOException {
    CheckpointNames.requireValidName("job id", jobId);
    return loadAll(jobId).stream()
        .filter(s -> s.committed != null)
        .map(s -> s.committed)
        .sorted(NEWEST_FIRST)
        .toList();
  }

  @Override
  public final RestoreResult restoreLatest(String jobId, Path targetDir) throws IOException {
    CheckpointNames.requireValidName("job id", jobId);
    VerifiedRestore.requireRestorableTarget(targetDir);
    List<Stored> all = loadAll(jobId);
    List<SkippedCheckpoint> skipped = new ArrayList<>();
    // A checkpoint without a readable manifest cannot be placed in the order; it may have been the
    // newest, so it is reported first.
    all.stream()
        .filter(s -> s.committed == null)
        .sorted(Comparator.comparing((Stored s) -> s.name))
        .forEach(s -> skipped.add(new SkippedCheckpoint(s.name, s.problem)));
    List<Stored> candidates =
        all.stream()
            .filter(s -> s.committed != null)
            .sorted(Comparator.comparing((Stored s) -> s.committed, NEWEST_FIRST))
            .toList();
    for (Stored candidate : candidates) {
      try {
        VerifiedRestore.restore(
            candidate.manifest, path -> openStored(jobId, candidate.name, path), targetDir);
        for (SkippedCheckpoint s : skipped) {
          log.warn("checkpoint {}/{} not restored: {}", jobId, s.name(), s.reason());
        }
        return new RestoreResult(Optional.of(candidate.committed), skipped);
      } catch (CorruptCheckpointException e) {
        skipped.add(new SkippedCheckpoint(candidate.name, e.getMessage()));
      }
    }
    return new RestoreResult(Optional.empty(), skipped);
  }

  @Override
  public final CommittedCheckpoint restore(String jobId, String name, Path targetDir)
      throws IOException {
    CheckpointNames.requireValidName("job id", jobId);
    CheckpointNames.requireValidName("checkpoint name", name);
    VerifiedRestore.requireRestorableTarget(targetDir);
    Stored stored = load(jobId, name);
    if (stored.committed == null) {
      throw new CorruptCheckpointException(jobId + "/" + name + ": " + stored.problem);
    }
    VerifiedRestore.restore(stored.manifest, path -> openStored(jobId, name, path), targetDir);
    return stored.committed;
  }

  @Override
  public final boolean delete(String jobId, String name) throws IOException {
    CheckpointNames.requireValidName("job id", jobId);
    CheckpointNames.requireValidName("checkpoint name", name);
    return deleteStored(jobId, name);
  }

  @Override
  public final int deleteAll(String jobId) throws IOException {
    CheckpointNames.requireValidName("job id", jobId);
    int deleted = 0;
    for (String name : listNames(jobId)) {
      if (deleteStored(jobId, name)) {
        deleted++;
      }
    }
    sweepLeftovers(jobId);
    return deleted;
  }

  /** What the store holds under one name: a readable manifest, or why not. */
  private record Stored(
      String name, CheckpointManifest manifest, CommittedCheckpoint committed, String problem) {}

  private List<Stored> loadAll(String jobId) throws IOException {
    List<Stored> all = new ArrayList<>();
    for (String name : listNames(jobId)) {
      if (CheckpointNames.isValidName(name)) {
        all.add(load(jobId, name));
      }
    }
    return all;
  }

  private Stored load(String jobId, String name) throws IOException {
    Optional<byte[]> bytes;
    try {
      bytes = readManifest(jobId, name);
    } catch (CorruptCheckpointException e) {
      return new Stored(name, null, null, e.getMessage());
    }
    if (bytes.isEmpty()) {
      return new Stored(name, null, null, "manifest missing");
    }
    try {
      CheckpointManifest m = ManifestCodec.decode(bytes.get(), settings.limits());
      if (!m.jobId().equals(jobId) || !m.name().equals(name)) {
        return new Stored(
            name, null, null, "manifest belongs to " + m.jobId() + "/" + m.name() + ", not here");
      }
      return new Stored(name, m, CommittedCheckpoint.of(m, Sha256.of(bytes.get())), null);
    } catch (CorruptCheckpointException e) {
      return new Stored(name, null, null, e.getMessage());
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
            + existing.name
            + " is already committed with other files");
  }

  private void applyRetention(String jobId) {
    try {
      List<Stored> all = loadAll(jobId);
      List<Stored> readable =
          all.stream()
              .filter(s -> s.committed != null)
              .sorted(Comparator.comparing((Stored s) -> s.committed, NEWEST_FIRST))
              .toList();
      for (Stored s :
          readable.subList(Math.min(settings.keepLast(), readable.size()), readable.size())) {
        deleteStored(jobId, s.name);
      }
      for (Stored s : all) {
        if (s.committed == null) {
          log.warn("deleting unrestorable checkpoint {}/{}: {}", jobId, s.name, s.problem);
          deleteStored(jobId, s.name);
        }
      }
      sweepLeftovers(jobId);
    } catch (IOException | UncheckedIOException e) {
      log.warn("retention for job {} failed; will retry after the next commit", jobId, e);
    }
  }

  /** Deletes a tree without following links; best effort, used for cleanup. */
  protected static void deleteTree(Path root) {
    if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try {
      Files.walkFileTree(
          root,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
                throws IOException {
              Files.deleteIfExists(file);
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
              Files.deleteIfExists(dir);
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      log.warn("could not delete {}", root, e);
    }
  }
}
