package io.tern.agent.checkpoint;

import com.google.protobuf.Timestamp;
import io.tern.agent.job.AttemptId;
import io.tern.agent.job.CheckpointCommits;
import io.tern.api.v1.CheckpointCommitFailed;
import io.tern.api.v1.CheckpointCommitted;
import io.tern.api.v1.CheckpointRef;
import io.tern.checkpoint.AttemptFence;
import io.tern.checkpoint.CheckpointConflictException;
import io.tern.checkpoint.CheckpointDirectoryScanner;
import io.tern.checkpoint.CheckpointDirectoryScanner.CompletedCheckpoint;
import io.tern.checkpoint.CheckpointDirectoryScanner.RejectedCheckpoint;
import io.tern.checkpoint.CheckpointStore;
import io.tern.checkpoint.CheckpointStoreFullException;
import io.tern.checkpoint.CommittedCheckpoint;
import io.tern.checkpoint.FileTrees;
import io.tern.checkpoint.InvalidCheckpointException;
import io.tern.checkpoint.StaleAttemptException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Commits the checkpoints that running attempts finish ({@code NAME/} with {@code NAME.done} beside
 * it, found by {@link CheckpointDirectoryScanner}) to a {@link CheckpointStore}, and announces each
 * as a {@link CheckpointCommitted}.
 *
 * <p>Every attempt's directory is scanned every {@code poll} and once more when it exits ({@link
 * #settle}). A scan commits the newest finished checkpoint; older ones finished since the last scan
 * are passed over, never committed: a resume starts from the newest, so a committer that falls
 * behind (many jobs, a slow store) catches up at once instead of working through stale ones. A
 * checkpoint the store refuses (a bad name, a path that leaves the directory, a name reused with
 * other files) is logged and never retried. An attempt the store fences (the job has a newer
 * attempt) commits nothing more. A commit that fails for another reason:
 *
 * <ul>
 *   <li>on a full store ({@link CheckpointStoreFullException}), first prunes the job's older
 *       checkpoints ({@link CheckpointStore#makeRoom}) and tries once more;
 *   <li>is reported to the scheduler ({@link Listener#commitFailed}: the job's status says that its
 *       commits fail, since when and why) and retried with a back-off that doubles from {@code
 *       poll} up to {@link #MAX_BACKOFF}; the back-off ends as soon as a commit of any attempt
 *       works again (the store is back), so commits resume within a poll of the store's return
 *       wherever another attempt commits;
 *   <li>is given up as soon as a newer checkpoint of the attempt is ready: the newer one holds more
 *       work, so the committer tries it at once, back-off or not, rather than retry a stale one;
 *   <li>once the attempt has ended ({@link #settle}), is retried for up to {@link #SETTLE_PATIENCE}
 *       before the end is reported without it.
 * </ul>
 *
 * A successful commit ends the failure episode. Work lost to a checkpoint that never committed is
 * the work since the attempt's last committed one, which is what the scheduler books.
 *
 * <p>The save time reported ({@code save_millis}) is, for the checkpoint that follows a checkpoint
 * signal, the time from the signal to its {@code .done} marker; for a periodic checkpoint, from the
 * creation of its {@code NAME/} directory to the marker (its birth time where the filesystem
 * records one, else its last change). Marker times are file times, compared with the signal time
 * {@link #signalled} was given: the agent's clock must be the system clock outside tests.
 *
 * <p>Threading: the list of watched attempts is confined to one thread of the committer's own,
 * never the agent's loop. It hands each attempt's scans and commits to a small pool ({@link
 * #COMMIT_THREADS}), one at a time per attempt and in order (a chain of tasks per attempt), so
 * attempts commit side by side (a commit waits on the store's fsyncs or S3) while each attempt's
 * commits and its settle keep their order. The listener is called from the pool. The public methods
 * are thread-safe and return at once.
 */
public final class CheckpointCommitter implements CheckpointCommits, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CheckpointCommitter.class);

  /** The longest wait between two tries of a failing commit. */
  public static final Duration MAX_BACKOFF = Duration.ofMinutes(1);

  /** How many attempts commit at once. */
  public static final int COMMIT_THREADS = 4;

  /**
   * How long an attempt that has ended keeps retrying the commit of its last checkpoint (the one a
   * requeue or a checkpoint signal asked for) while the store fails, before its end is reported
   * without it: a store that was full a moment ago often has room again by then, and the next
   * attempt then resumes from that checkpoint rather than from an older one.
   */
  public static final Duration SETTLE_PATIENCE = Duration.ofSeconds(30);

  /** The longest wait between two tries of an ended attempt's last commit. */
  static final Duration SETTLE_RETRY_EVERY = Duration.ofSeconds(3);

  /** Told of every commit and every failed commit, from the committer's pool. */
  public interface Listener {
    void committed(CheckpointCommitted committed);

    /** A commit failed (after making room, for a full store); also when the attempt is fenced. */
    default void commitFailed(CheckpointCommitFailed failed) {}
  }

  private final CheckpointStore store;
  private final Duration poll;
  private final Clock clock;
  private final Listener listener;
  private final ScheduledExecutorService thread;
  private final ExecutorService commits;
  private final Map<AttemptId, Watched> watched = new HashMap<>();

  /** Commits that worked, of every attempt: one after a failure ends every attempt's back-off. */
  private final AtomicLong commitsDone = new AtomicLong();

  /**
   * Starts scanning every {@code poll}.
   *
   * @param store not closed by {@link #close}: it belongs to the caller
   * @param clock stamps failures (the time a failure episode began)
   */
  public CheckpointCommitter(CheckpointStore store, Duration poll, Clock clock, Listener listener) {
    this.store = store;
    this.poll = poll;
    this.clock = clock;
    this.listener = listener;
    this.thread =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "tern-checkpoints");
              t.setDaemon(true);
              return t;
            });
    this.commits =
        Executors.newFixedThreadPool(
            COMMIT_THREADS,
            r -> {
              Thread t = new Thread(r, "tern-checkpoint-commits");
              t.setDaemon(true);
              return t;
            });
    thread.scheduleWithFixedDelay(
        this::scanAll, poll.toNanos(), poll.toNanos(), TimeUnit.NANOSECONDS);
  }

  @Override
  public void watch(AttemptId attempt, long epoch, String clusterId, Path checkpointDir) {
    run(
        () ->
            watched.put(
                attempt, new Watched(attempt, epoch, store.forCluster(clusterId), checkpointDir)));
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
  public CompletableFuture<Void> settle(AttemptId attempt, boolean succeeded) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    boolean queued =
        run(
            () -> {
              Watched w = watched.remove(attempt);
              if (w == null) {
                done.complete(null);
                return;
              }
              Runnable finish =
                  () -> {
                    try {
                      if (succeeded) {
                        recordSuccess(w);
                      }
                    } finally {
                      done.complete(null);
                    }
                  };
              long giveUpAt = System.nanoTime() + SETTLE_PATIENCE.toNanos();
              after(w, () -> settleStep(w, giveUpAt, finish), () -> done.complete(null));
            });
    if (!queued) {
      done.complete(null);
    }
    return done;
  }

  /**
   * One of the last scans of an attempt that has ended, on the pool: its newest checkpoint is
   * committed; while the store fails it, the next try is scheduled after the back-off, until {@code
   * giveUpAt}; then {@code finish} runs. No thread waits meanwhile, so a store that fails many
   * attempts' ends at once holds up no other attempt's commits.
   */
  private void settleStep(Watched w, long giveUpAt, Runnable finish) {
    w.retryAt = 0;
    try {
      scan(w);
    } catch (RuntimeException e) {
      log.error("{}: checkpoint scan failed", w.attempt, e);
      finish.run(); // the attempt's end must still be reported
      return;
    }
    long left = giveUpAt - System.nanoTime();
    if (w.fenced || w.failed.isEmpty() || left <= 0) {
      if (!w.failed.isEmpty()) {
        log.warn(
            "{}: its last checkpoint did not commit within {} s of its end; it is reported ended"
                + " without it",
            w.attempt,
            SETTLE_PATIENCE.toSeconds());
      }
      finish.run();
      return;
    }
    // At most a few seconds apart: room made late in the patience is still seen before it ends.
    long next = Math.min(backoff(w.failures).toNanos(), SETTLE_RETRY_EVERY.toNanos());
    later(
        Math.min(left, next),
        () -> after(w, () -> settleStep(w, giveUpAt, finish), finish),
        finish);
  }

  /** Runs {@code task} on the watch thread after {@code nanos}; {@code closed} once it is shut. */
  private void later(long nanos, Runnable task, Runnable closed) {
    try {
      thread.schedule(task, nanos, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      closed.run();
    }
  }

  private static void recordSuccess(Watched w) {
    try {
      w.jobs.recordSuccess(w.attempt.jobId(), w.attempt.attempt());
    } catch (IOException | RuntimeException e) {
      log.warn(
          "{}: cannot record its success in the checkpoint store ({}); the leader hears it from"
              + " this agent only",
          w.attempt,
          e.toString());
    }
  }

  /**
   * Commits the newest finished checkpoint of an attempt an earlier agent of this node left (the
   * one its job wrote when it was stopped, usually); older ones were that agent's to commit. A
   * store that fails it is tried again every poll for up to {@link #SETTLE_PATIENCE}. Completes
   * when done, whatever the outcome (a fenced attempt commits nothing).
   *
   * @param clusterId as recorded with the attempt ({@code AttemptRecord.Started#clusterId})
   */
  public CompletableFuture<Void> commitLeftover(
      AttemptId attempt, long epoch, String clusterId, Path checkpointDir) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    Runnable gone = () -> done.complete(null);
    boolean queued =
        run(
            () -> {
              Watched w = new Watched(attempt, epoch, store.forCluster(clusterId), checkpointDir);
              long giveUpAt = System.nanoTime() + SETTLE_PATIENCE.toNanos();
              after(w, () -> leftoverStep(w, giveUpAt, gone), gone);
            });
    if (!queued) {
      done.complete(null);
    }
    return done;
  }

  /**
   * One try at a leftover attempt's newest checkpoint, on the pool; while the store fails it (a
   * full store), the next try is scheduled a poll later, until {@code giveUpAt}, then {@code
   * finish} runs. The agent registers once every leftover is done (or given up): the job then
   * resumes from it if it committed.
   */
  private void leftoverStep(Watched w, long giveUpAt, Runnable finish) {
    Result result;
    try {
      List<CompletedCheckpoint> ready = w.scanner.scan(w.ignore).ready();
      result = ready.isEmpty() ? Result.DONE : commit(w, ready.getLast());
    } catch (IOException | RuntimeException e) {
      log.warn("{}: cannot commit what it left in {}: {}", w.attempt, w.dir, e.toString());
      result = Result.DONE;
    }
    long left = giveUpAt - System.nanoTime();
    if (result != Result.FAILED || left <= 0) {
      if (result == Result.FAILED) {
        log.warn(
            "{}: the checkpoint it left did not commit within {} s; it is reported ended without"
                + " it, and the job resumes from its last committed checkpoint",
            w.attempt,
            SETTLE_PATIENCE.toSeconds());
      }
      finish.run();
      return;
    }
    later(
        Math.min(left, poll.toNanos()),
        () -> after(w, () -> leftoverStep(w, giveUpAt, finish), finish),
        finish);
  }

  /**
   * Stops scanning; commits under way, and those already handed to the pool, finish first (for up
   * to {@code wait}).
   */
  public void close(Duration wait) {
    long until = System.nanoTime() + wait.toNanos();
    thread.shutdown();
    try {
      // The watch thread first: it may still hand a settle's commit to the pool.
      boolean ended =
          thread.awaitTermination(until - System.nanoTime(), TimeUnit.NANOSECONDS)
              && shutdownAndAwait(until);
      if (!ended) {
        log.warn("checkpoint commits still running after {}; abandoning them", wait);
        thread.shutdownNow();
        commits.shutdownNow();
      }
    } catch (InterruptedException e) {
      thread.shutdownNow();
      commits.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  private boolean shutdownAndAwait(long until) throws InterruptedException {
    commits.shutdown();
    return commits.awaitTermination(until - System.nanoTime(), TimeUnit.NANOSECONDS);
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
      if (w.tail.isDone()) { // a scan still under way covers this poll too
        after(w, () -> scan(w), () -> {});
      }
    }
  }

  /**
   * Runs {@code task} on the pool after the attempt's earlier tasks; {@code rejected} instead once
   * the pool is closed. On the watch thread, which alone extends the chains.
   */
  private void after(Watched w, Runnable task, Runnable rejected) {
    w.tail =
        w.tail.thenRunAsync(
            () -> {
              try {
                task.run();
              } catch (RuntimeException e) {
                log.error("{}: checkpoint scan failed", w.attempt, e);
              }
            },
            command -> {
              try {
                commits.execute(command);
              } catch (RejectedExecutionException closed) {
                rejected.run();
              }
            });
  }

  private void scan(Watched w) {
    if (w.fenced) {
      return;
    }
    CheckpointDirectoryScanner.ScanResult found;
    try {
      found = w.scanner.scan(skipped(w));
    } catch (IOException e) {
      log.warn("{}: cannot scan {}: {}", w.attempt, w.dir, e.toString());
      return;
    }
    for (RejectedCheckpoint rejected : found.rejected()) {
      log.error(
          "{}: checkpoint {} refused: {}", w.attempt, rejected.printableEntry(), rejected.reason());
      w.ignore.add(rejected.entry());
    }
    List<CompletedCheckpoint> ready = found.ready().stream().map(c -> rewriteName(w, c)).toList();
    if (ready.isEmpty()) {
      return;
    }
    CompletedCheckpoint newest = ready.get(ready.size() - 1);
    if (backingOff(w, newest)) {
      return;
    }
    for (CompletedCheckpoint older : ready.subList(0, ready.size() - 1)) {
      passOver(w, older);
      w.superseded.add(older);
    }
    Result result = commit(w, newest);
    if (result == Result.FAILED) {
      w.retryAt = System.nanoTime() + backoff(w.failures).toNanos();
      w.commitsAtFailure = commitsDone.get();
    } else if (result == Result.DONE && w.ignore.contains(newest.name())) {
      String folder = folderName(newest);
      w.committedMarkers.put(folder, newest.completedAt());
      if (!newest.name().equals(folder)) {
        w.rewrites.merge(folder, 2, (was, first) -> was + 1);
      }
      // Committed: the attempt's folder keeps only this one (the store keeps the job's last few).
      // A job that checkpoints often would otherwise fill its node's disk, and then fail to
      // write the next checkpoint; so would the ones passed over while the store failed. A name
      // the job reuses is its newest checkpoint's folder now, and stays.
      if (w.lastCommitted != null) {
        w.superseded.add(w.lastCommitted);
      }
      w.superseded.stream()
          .filter(o -> !o.directory().equals(newest.directory()))
          .forEach(o -> removeLocal(w, o));
      w.superseded.clear();
      w.lastCommitted = newest;
    }
  }

  /**
   * The names a scan passes over: those committed or refused, except a committed one whose marker
   * the job has since written again (it reuses the name: {@code latest/}, then {@code latest.done},
   * each time), which is a new checkpoint.
   */
  private static Set<String> skipped(Watched w) {
    Set<String> skip = null;
    for (var e : w.committedMarkers.entrySet()) {
      Path marker = w.dir.resolve(e.getKey() + CheckpointDirectoryScanner.DONE_SUFFIX);
      try {
        Instant written =
            Files.getLastModifiedTime(marker, java.nio.file.LinkOption.NOFOLLOW_LINKS).toInstant();
        if (written.isAfter(e.getValue())) {
          if (skip == null) {
            skip = new HashSet<>(w.ignore);
          }
          skip.remove(e.getKey());
        }
      } catch (IOException gone) {
        // Removed, or being rewritten: nothing new yet.
      }
    }
    return skip == null ? w.ignore : skip;
  }

  /**
   * A rewritten checkpoint under a name of its own in the store ({@code latest.2}, {@code
   * latest.3}, ...): the store keeps one checkpoint per name and attempt.
   */
  private static CompletedCheckpoint rewriteName(Watched w, CompletedCheckpoint c) {
    if (!w.committedMarkers.containsKey(c.name())) {
      return c;
    }
    int generation = w.rewrites.getOrDefault(c.name(), 1) + 1;
    String name = c.name() + "." + generation;
    if (!io.tern.checkpoint.CheckpointNames.isValidName(name)) {
      name =
          c.name().substring(0, c.name().length() - String.valueOf(generation).length() - 1)
              + "."
              + generation;
    }
    return new CompletedCheckpoint(name, c.directory(), c.marker(), c.completedAt());
  }

  /** The name the job gave the checkpoint's folder (the store's name may add a generation). */
  private static String folderName(CompletedCheckpoint c) {
    return c.directory().getFileName().toString();
  }

  /** Whether the checkpoint's marker is still the one the scan found (same file, same time). */
  private static boolean markerUnchanged(CompletedCheckpoint checkpoint) {
    try {
      return Files.getLastModifiedTime(checkpoint.marker(), java.nio.file.LinkOption.NOFOLLOW_LINKS)
          .toInstant()
          .equals(checkpoint.completedAt());
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Removes a committed or passed-over checkpoint from the attempt's folder: its marker first, so
   * that a removal cut short never leaves a marker beside a partial folder.
   */
  private static void removeLocal(Watched w, CompletedCheckpoint checkpoint) {
    // Gone from the folder: no marker to look at for a rewrite in every later scan.
    w.committedMarkers.remove(folderName(checkpoint));
    try {
      Files.deleteIfExists(checkpoint.marker());
      FileTrees.remove(checkpoint.directory());
    } catch (IOException e) {
      log.warn(
          "{}: cannot remove checkpoint {} from {}: {}",
          w.attempt,
          checkpoint.name(),
          w.dir,
          e.toString());
    }
  }

  /**
   * Whether the commit of {@code newest} waits out its back-off: only a checkpoint whose commit
   * failed waits, and only while no other commit has worked since; a newer checkpoint (more work)
   * is tried at once, and so is every failed one as soon as the store commits for any attempt.
   */
  private boolean backingOff(Watched w, CompletedCheckpoint newest) {
    return w.failed.contains(newest.name())
        && System.nanoTime() - w.retryAt < 0
        && commitsDone.get() == w.commitsAtFailure;
  }

  private Duration backoff(int failures) {
    Duration d = poll;
    for (int i = 1; i < failures && d.compareTo(MAX_BACKOFF) < 0; i++) {
      d = d.multipliedBy(2);
    }
    return d.compareTo(MAX_BACKOFF) < 0 ? d : MAX_BACKOFF;
  }

  /** A checkpoint that a newer ready one makes useless: never committed. */
  private static void passOver(Watched w, CompletedCheckpoint checkpoint) {
    if (w.failed.remove(checkpoint.name())) {
      log.warn(
          "{}: giving up on checkpoint {}: its commit failed and a newer one is ready",
          w.attempt,
          checkpoint.name());
    } else {
      log.info(
          "{}: checkpoint {} not committed: a newer one was ready by the time it was found",
          w.attempt,
          checkpoint.name());
    }
    w.ignore.add(checkpoint.name());
  }

  private enum Result {
    DONE,
    FENCED,
    FAILED
  }

  /** Commits one checkpoint, making room in a full store first. */
  private Result commit(Watched w, CompletedCheckpoint checkpoint) {
    long saveMillis = saveMillis(w, checkpoint);
    long started = System.nanoTime();
    CommittedCheckpoint committed;
    try {
      committed = commitMakingRoom(w, checkpoint);
    } catch (InvalidCheckpointException | CheckpointConflictException e) {
      log.error(
          "{}: checkpoint {} refused by the store, not retried: {}",
          w.attempt,
          checkpoint.name(),
          e.getMessage());
      w.ignore.add(checkpoint.name());
      return Result.DONE;
    } catch (StaleAttemptException e) {
      log.error(
          "{}: the checkpoint store fences this attempt; it commits nothing more: {}",
          w.attempt,
          e.getMessage());
      w.fenced = true;
      failed(w, checkpoint, e.getMessage(), true);
      return Result.FENCED;
    } catch (IOException | RuntimeException e) {
      String error = e.getMessage() == null ? e.toString() : e.getMessage();
      w.failed.add(checkpoint.name());
      failed(w, checkpoint, error, false);
      return Result.FAILED;
    }
    long commitMillis = (System.nanoTime() - started) / 1_000_000;
    if (!markerUnchanged(checkpoint)) {
      // The job took the checkpoint back while it was copied (it reuses the name, and removed
      // its marker to write it again): what was copied may mix two checkpoints. Not kept; the
      // rewrite is committed once its marker is back.
      log.warn(
          "{}: checkpoint {} was written again while it was committed; that copy is not kept",
          w.attempt,
          checkpoint.name());
      try {
        w.jobs.delete(w.attempt.jobId(), w.attempt.attempt(), committed.name());
      } catch (IOException | RuntimeException e) {
        log.error(
            "{}: cannot delete the torn copy of checkpoint {} from the store: {}",
            w.attempt,
            checkpoint.name(),
            e.toString());
      }
      return Result.DONE;
    }
    w.ignore.add(checkpoint.name());
    w.failed.remove(checkpoint.name());
    w.previousDone = checkpoint.completedAt();
    if (w.failures > 0) {
      log.info(
          "{}: checkpoint commits work again after {} failures since {}",
          w.attempt,
          w.failures,
          w.failingSince);
    }
    w.failures = 0;
    w.failingSince = null;
    w.retryAt = 0;
    commitsDone.incrementAndGet();
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
                    .setCommittedAt(timestamp(at))
                    .setSizeBytes(committed.sizeBytes())
                    .setManifestSha256(committed.manifestSha256()))
            .setSaveMillis(saveMillis)
            .build());
    return Result.DONE;
  }

  private CommittedCheckpoint commitMakingRoom(Watched w, CompletedCheckpoint checkpoint)
      throws IOException {
    try {
      return commitOnce(w, checkpoint);
    } catch (CheckpointStoreFullException full) {
      int pruned;
      try {
        pruned = w.jobs.makeRoom(w.attempt.jobId());
      } catch (IOException e) {
        full.addSuppressed(e);
        throw full;
      }
      log.warn(
          "{}: {}; pruned {} older checkpoints of the job to make room",
          w.attempt,
          full.getMessage(),
          pruned);
      if (pruned == 0) {
        throw full;
      }
      return commitOnce(w, checkpoint);
    }
  }

  private CommittedCheckpoint commitOnce(Watched w, CompletedCheckpoint checkpoint)
      throws IOException {
    return w.jobs.commit(
        w.attempt.jobId(),
        new AttemptFence(w.attempt.attempt(), w.epoch),
        checkpoint.directory(),
        checkpoint.name(),
        OptionalLong.empty());
  }

  private void failed(Watched w, CompletedCheckpoint checkpoint, String error, boolean fenced) {
    Instant now = clock.instant();
    if (w.failingSince == null) {
      w.failingSince = now;
    }
    w.failures++;
    log.warn(
        "{}: commit of checkpoint {} failed ({} failures since {}): {}",
        w.attempt,
        checkpoint.name(),
        w.failures,
        w.failingSince,
        error);
    listener.commitFailed(
        CheckpointCommitFailed.newBuilder()
            .setJobId(w.attempt.jobId())
            .setAttempt(w.attempt.attempt())
            .setCheckpoint(checkpoint.name())
            .setError(error.length() > 500 ? error.substring(0, 497) + "..." : error)
            .setFailingSince(timestamp(w.failingSince))
            .setFailures(w.failures)
            .setFenced(fenced)
            .build());
  }

  private static Timestamp timestamp(Instant at) {
    return Timestamp.newBuilder().setSeconds(at.getEpochSecond()).setNanos(at.getNano()).build();
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
    final long epoch;

    /** The store as the jobs of the cluster that placed the attempt see it. */
    final CheckpointStore jobs;

    final Path dir;
    final CheckpointDirectoryScanner scanner;
    final Set<String> ignore = new HashSet<>();

    /** Checkpoints whose commit failed and that are still the newest ready. */
    final Set<String> failed = new HashSet<>();

    /** Set from the watch thread, read by the attempt's tasks. */
    volatile Instant signalledAt;

    /** The last of the attempt's tasks on the pool; the watch thread alone replaces it. */
    CompletableFuture<Void> tail = CompletableFuture.completedFuture(null);

    Instant previousDone;

    /** The last checkpoint committed by a scan, kept in the attempt's folder until the next. */
    CompletedCheckpoint lastCommitted;

    /** Checkpoints passed over for newer ones, removed from the folder at the next commit. */
    final List<CompletedCheckpoint> superseded = new ArrayList<>();

    /** The folder name of each checkpoint committed by a scan, and when its marker was written. */
    final Map<String, Instant> committedMarkers = new HashMap<>();

    /** The generation of each reused name's last commit (its first is 1, unnumbered). */
    final Map<String, Integer> rewrites = new HashMap<>();

    boolean fenced;
    int failures;
    Instant failingSince;

    /** System.nanoTime() before which a failing commit is not tried again. */
    long retryAt;

    /**
     * The committer's count of commits that worked when the last commit failed: a commit since
     * shows the store works.
     */
    long commitsAtFailure;

    Watched(AttemptId attempt, long epoch, CheckpointStore jobs, Path dir) {
      this.attempt = attempt;
      this.epoch = epoch;
      this.jobs = jobs;
      this.dir = dir;
      this.scanner = new CheckpointDirectoryScanner(dir);
      this.retryAt = System.nanoTime();
    }
  }
}
