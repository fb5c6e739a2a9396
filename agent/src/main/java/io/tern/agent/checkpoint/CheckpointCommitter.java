package io.tern.agent.checkpoint;

import com.google.protobuf.Timestamp;
import io.tern.agent.job.AttemptId;
import io.tern.agent.job.CheckpointCommits;
import io.tern.api.v1.CheckpointCommitted;
import io.tern.api.v1.CheckpointRef;
import io.tern.checkpoint.CheckpointConflictException;
import io.tern.checkpoint.CheckpointDirectoryScanner;
import io.tern.checkpoint.CheckpointDirectoryScanner.CompletedCheckpoint;
import io.tern.checkpoint.CheckpointDirectoryScanner.RejectedCheckpoint;
import io.tern.checkpoint.CheckpointStore;
import io.tern.checkpoint.CommittedCheckpoint;
import io.tern.checkpoint.InvalidCheckpointException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Commits the checkpoints that running attempts finish ({@code NAME/} with {@code NAME.done} beside
 * it, found by {@link CheckpointDirectoryScanner}) to a {@link CheckpointStore}, oldest first, and
 * announces each as a {@link CheckpointCommitted}.
 *
 * <p>Every attempt's directory is scanned every {@code poll} and once more when it exits ({@link
 * #settle}). A checkpoint the store refuses (a bad name, a path that leaves the directory, a name
 * reused with other files) is logged and never retried; one that fails for another reason (the
 * store is unreachable) is retried on the next scan.
 *
 * <p>The save time reported ({@code save_millis}) is, for the checkpoint that follows a checkpoint
 * signal, the time from the signal to its {@code .done} marker; for a periodic checkpoint, from the
 * creation of its {@code NAME/} directory to the marker (its birth time where the filesystem
 * records one, else its last change). Marker times are file times, compared with the signal time
 * {@link #signalled} was given: the agent's clock must be the system clock outside tests.
 *
 * <p>Threading: scans and commits run on one thread of their own, never on the agent's loop; all
 * state is confined to it. The public methods are thread-safe and return at once.
 */
public final class CheckpointCommitter implements CheckpointCommits, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CheckpointCommitter.class);

  /** Told of every commit, on the committer's thread. */
  @FunctionalInterface
  public interface Listener {
    void committed(CheckpointCommitted committed);
  }

  private final CheckpointStore store;
  private final Listener listener;
  private final ScheduledExecutorService thread;
  private final Map<AttemptId, Watched> watched = new HashMap<>();

  /**
   * Starts scanning every {@code poll}.
   *
   * @param store not closed by {@link #close}: it belongs to the caller
   */
  public CheckpointCommitter(CheckpointStore store, Duration poll, Listener listener) {
    this.store = store;
    this.listener = listener;
    this.thread =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "tern-checkpoints");
              t.setDaemon(true);
              return t;
            });
    thread.scheduleWithFixedDelay(
        this::scanAll, poll.toNanos(), poll.toNanos(), TimeUnit.NANOSECONDS);
  }

  @Override
  public void watch(AttemptId attempt, Path checkpointDir) {
    run(() -> watched.put(attempt, new Watched(attempt, checkpointDir)));
  }

  @Override
  public void signalled(AttemptId attempt, Instant at) {
    run(
        () -> {
          Watched w = watched.get(attempt);
          if (w != null) {
            w.signalledAt = at;
          }
        });
  }

  @Override
  public CompletableFuture<Void> settle(AttemptId attempt) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    boolean queued =
        run(
            () -> {
              try {
                Watched w = watched.remove(attempt);
                if (w != null) {
                  scan(w);
                }
              } finally {
                done.complete(null);
              }
            });
    if (!queued) {
      done.complete(null);
    }
    return done;
  }

  /** Stops scanning; a commit under way finishes first (for up to {@code wait}). */
  public void close(Duration wait) {
    thread.shutdown();
    try {
      if (!thread.awaitTermination(wait.toMillis(), TimeUnit.MILLISECONDS)) {
        log.warn("checkpoint commits still running after {}; abandoning them", wait);
        thread.shutdownNow();
      }
    } catch (InterruptedException e) {
      thread.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    close(Duration.ofSeconds(30));
  }

  private boolean run(Runnable task) {
    try {
      thread.execute(task);
      return true;
    } catch (RejectedExecutionException closed) {
      log.debug("checkpoint committer closed; ignored");
      return false;
    }
  }

  private void scanAll() {
    for (Watched w : watched.values()) {
      try {
        scan(w);
      } catch (RuntimeException e) {
        log.error("{}: checkpoint scan failed", w.attempt, e);
      }
    }
  }

  private void scan(Watched w) {
    CheckpointDirectoryScanner.ScanResult found;
    try {
      found = w.scanner.scan(w.ignore);
    } catch (IOException e) {
      log.warn("{}: cannot scan {}: {}", w.attempt, w.dir, e.toString());
      return;
    }
    for (RejectedCheckpoint rejected : found.rejected()) {
      log.error(
          "{}: checkpoint {} refused: {}", w.attempt, rejected.printableEntry(), rejected.reason());
      w.ignore.add(rejected.entry());
    }
    for (CompletedCheckpoint checkpoint : found.ready()) {
      if (!commit(w, checkpoint)) {
        return; // keep the job's order: retry this one, and those after it, on the next scan
      }
    }
  }

  /** Commits one checkpoint; false when it should be tried again later. */
  private boolean commit(Watched w, CompletedCheckpoint checkpoint) {
    long saveMillis = saveMillis(w, checkpoint);
    long started = System.nanoTime();
    CommittedCheckpoint committed;
    try {
      committed =
          store.commit(
              w.attempt.jobId(),
              w.attempt.attempt(),
              checkpoint.directory(),
              checkpoint.name(),
              OptionalLong.empty());
    } catch (InvalidCheckpointException | CheckpointConflictException e) {
      log.error(
          "{}: checkpoint {} refused by the store, not retried: {}",
          w.attempt,
          checkpoint.name(),
          e.getMessage());
      w.ignore.add(checkpoint.name());
      return true;
    } catch (IOException | RuntimeException e) {
      log.warn(
          "{}: commit of checkpoint {} failed, will retry: {}",
          w.attempt,
          checkpoint.name(),
          e.toString());
      return false;
    }
    long commitMillis = (System.nanoTime() - started) / 1_000_000;
    w.ignore.add(checkpoint.name());
    w.previousDone = checkpoint.completedAt();
    log.info(
        "{}: committed checkpoint {} ({} bytes, {} files) at {}; the job took {} ms to write it,"
            + " the commit {} ms",
        w.attempt,
        committed.name(),
        committed.sizeBytes(),
        committed.fileCount(),
        committed.committedAt(),
        saveMillis,
        commitMillis);
    Instant at = committed.committedAt();
    listener.committed(
        CheckpointCommitted.newBuilder()
            .setJobId(w.attempt.jobId())
            .setCheckpoint(
                CheckpointRef.newBuilder()
                    .setName(committed.name())
                    .setAttempt(committed.attempt())
                    .setCommittedAt(
                        Timestamp.newBuilder()
                            .setSeconds(at.getEpochSecond())
                            .setNanos(at.getNano()))
                    .setSizeBytes(committed.sizeBytes())
                    .setManifestSha256(committed.manifestSha256()))
            .setSaveMillis(saveMillis)
            .build());
    return true;
  }

  private long saveMillis(Watched w, CompletedCheckpoint checkpoint) {
    Instant done = checkpoint.completedAt();
    Instant from;
    if (w.signalledAt != null
        && !done.isBefore(w.signalledAt)
        && (w.previousDone == null || w.previousDone.isBefore(w.signalledAt))) {
      from = w.signalledAt;
    } else {
      try {
        BasicFileAttributes dir =
            Files.readAttributes(
                checkpoint.directory(), BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        from = dir.creationTime().toInstant();
      } catch (IOException e) {
        return 0;
      }
    }
    return Math.max(0, Duration.between(from, done).toMillis());
  }

  private static final class Watched {
    final AttemptId attempt;
    final Path dir;
    final CheckpointDirectoryScanner scanner;
    final Set<String> ignore = new HashSet<>();
    Instant signalledAt;
    Instant previousDone;

    Watched(AttemptId attempt, Path dir) {
      this.attempt = attempt;
      this.dir = dir;
      this.scanner = new CheckpointDirectoryScanner(dir);
    }
  }
}
