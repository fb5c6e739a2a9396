package io.tern.scheduler.server.loop;

import io.tern.api.v1.Attempt;
import io.tern.api.v1.Job;
import io.tern.checkpoint.CheckpointStore;
import io.tern.checkpoint.workdir.WorkdirStore;
import io.tern.scheduler.server.zk.ZkWrite;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader's side of the checkpoint store's lifecycle: a while after a job finishes for good
 * (SUCCEEDED, FAILED or CANCELLED: no state leaves those), its checkpoints are deleted with {@link
 * CheckpointStore#retire}, which also fences every attempt so that an agent still running it cannot
 * put one back. Without it a store fills with the checkpoints of jobs that will never resume, and
 * then every resuming job waits on a full store.
 *
 * <p>Progress is kept in ZooKeeper as one instant (the {@code checkpoints-retired} mark): every
 * finished job whose last attempt ended before it is retired. Each round takes the jobs that ended
 * between a day before the mark (an end reported late may carry an earlier time) and {@code keep}
 * ago, oldest first, at most {@link #BATCH}; a new leader starts from the mark, not from every job
 * the cluster ever ran. The store calls run on their own worker thread and the result comes back to
 * the loop; a job the store fails to retire holds the mark at its end and is tried again each
 * round, for at most {@link #GIVE_UP}, while the jobs after it are retired.
 *
 * <p>Each round also prunes the shipped code ({@link WorkdirStore}): an archive that no job of this
 * cluster still runs or keeps (unfinished, or finished less than {@code keep} ago) and that nobody
 * has used for {@code keep}, and for at least {@link #CODE_UNUSED_AT_LEAST}, is deleted. The store
 * is shared by every cluster, so "used" is the archive's last-use time, not this cluster's jobs
 * alone: a submit that names an archive marks it used, and each round, whatever the keep time
 * ({@code forever} too, which deletes nothing), marks used the archives of this cluster's jobs
 * whose mark is older than a round. A live archive's mark is then never more than two rounds (20
 * min) old, a third of the least time any cluster waits before it deletes unused code. One archive
 * the store fails to mark or delete is logged and the others go on.
 *
 * <p>Everything but the store calls runs on the loop thread. Without a store nothing is done.
 */
final class CheckpointRetirement implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CheckpointRetirement.class);

  /**
   * How often the leader looks for jobs to retire: a tenth of how long it keeps their checkpoints,
   * between {@link #MIN_EVERY} and {@link #MAX_EVERY}.
   */
  static Duration every(Duration keep) {
    Duration tenth = keep.dividedBy(10);
    return tenth.compareTo(MIN_EVERY) < 0
        ? MIN_EVERY
        : tenth.compareTo(MAX_EVERY) > 0 ? MAX_EVERY : tenth;
  }

  static final Duration MIN_EVERY = Duration.ofSeconds(10);
  static final Duration MAX_EVERY = Duration.ofMinutes(10);

  /** How far before the mark a round looks again, for ends reported late. */
  static final Duration LOOKBACK = Duration.ofDays(1);

  /**
   * The least time shipped code goes unused before it is deleted, whatever the keep time: three
   * times the longest a live archive goes unmarked, so that a cluster with a short keep never takes
   * the code of another cluster sharing the store for unused.
   */
  static final Duration CODE_UNUSED_AT_LEAST = Duration.ofHours(1);

  /** Jobs retired in one round at most. */
  static final int BATCH = 500;

  /**
   * How long a job the store keeps failing to retire (a file it may not delete) holds the mark;
   * then it is given up, with an error that says so.
   */
  static final Duration GIVE_UP = Duration.ofDays(1);

  private final LoopThread loop;
  private final Clock clock;
  private final StateWrites writes;
  private final ExecutorService worker;
  private final Supplier<LoopEvents> events;

  private CheckpointStore store;
  private Optional<Duration> keep = Optional.empty();

  /** The term the last round belongs to: its state is reset when the term changes. */
  private LeaderTerm roundTerm;

  private boolean running;
  private Instant nextRound = Instant.MIN;

  /**
   * Jobs retired in this term and when they ended, back to the lookback before the mark (a round
   * that looks back skips them).
   */
  private final Map<String, Instant> retired = new HashMap<>();

  /** Jobs the store failed to retire in this term, since when. */
  private final Map<String, Instant> failingSince = new HashMap<>();

  CheckpointRetirement(
      LoopThread loop,
      Clock clock,
      StateWrites writes,
      ExecutorService worker,
      Supplier<LoopEvents> events) {
    this.loop = loop;
    this.clock = clock;
    this.writes = writes;
    this.worker = worker;
    this.events = events;
  }

  /**
   * Retires the checkpoints of jobs in {@code store} (the whole store: each term uses its cluster's
   * view) {@code keep} after they finished; {@code keep} empty keeps them for ever. Before the
   * election starts.
   */
  void configure(CheckpointStore store, Optional<Duration> keep) {
    this.store = store;
    this.keep = keep;
  }

  /** On each leader tick: starts a round when one is due. */
  void tick(LeaderTerm term) {
    if (store == null) {
      return;
    }
    if (term != roundTerm) {
      roundTerm = term;
      running = false;
      retired.clear();
      failingSince.clear();
      nextRound = Instant.MIN;
    }
    Instant now = clock.instant();
    if (running || now.isBefore(nextRound)) {
      return;
    }
    if (keep.isEmpty()) {
      markCodeUsed(term, now); // kept for ever: nothing is deleted, but other clusters must know
      return;
    }
    nextRound = now.plus(every(keep.get()));
    Instant endedBefore = now.minus(keep.get());
    Instant from =
        term.checkpointsRetired == null
            ? Instant.MIN
            : term.checkpointsRetired.value.minus(LOOKBACK);
    retired.values().removeIf(ended -> ended.isBefore(from));
    List<Due> due = new ArrayList<>();
    for (JobEntry entry : term.jobs.values()) {
      // Every finished job that ran: a job writes checkpoints whether or not its spec says how
      // it is asked to (the agent commits what it finds in TERN_CHECKPOINT_DIR).
      if (entry.finished() && !retired.containsKey(entry.id())) {
        Optional<Instant> ended = lastActivity(entry.job);
        if (ended.isPresent() && !ended.get().isBefore(from) && ended.get().isBefore(endedBefore)) {
          due.add(new Due(entry.id(), ended.get()));
        }
      }
    }
    due.sort(Comparator.comparing(Due::endedAt).thenComparing(Due::jobId));
    boolean whole = due.size() <= BATCH;
    List<Due> round = whole ? due : List.copyOf(due.subList(0, BATCH));
    Set<String> codeInUse = codeInUse(term, endedBefore);
    Instant markUsedBefore = now.minus(every(keep.get()));
    Instant codeUnusedBefore = now.minus(max(keep.get(), CODE_UNUSED_AT_LEAST));
    running = true;
    CheckpointStore view = store.forCluster(term.clusterId);
    worker.execute(
        () -> {
          List<Outcome> outcomes = new ArrayList<>(round.size());
          for (Due d : round) {
            try {
              outcomes.add(new Outcome(d, view.retire(d.jobId()), null));
            } catch (Exception e) {
              outcomes.add(new Outcome(d, 0, e.toString()));
            }
          }
          int pruned = pruneCode(view.workdirs(), codeInUse, markUsedBefore, codeUnusedBefore);
          loop.execute(() -> finished(term, whole, endedBefore, outcomes, pruned));
        });
  }

  /**
   * The archives of this cluster's jobs that are not finished, or finished after {@code
   * endedBefore} (kept as long as their checkpoints).
   */
  private static Set<String> codeInUse(LeaderTerm term, Instant endedBefore) {
    Set<String> inUse = new HashSet<>();
    for (JobEntry entry : term.jobs.values()) {
      String digest = entry.job.getSpec().getWorkdirDigest();
      if (!digest.isEmpty()
          && (!entry.finished()
              || lastActivity(entry.job).filter(t -> !t.isBefore(endedBefore)).isPresent())) {
        inUse.add(digest);
      }
    }
    return inUse;
  }

  /** A round of a cluster that keeps everything for ever: marks its jobs' code used, no more. */
  private void markCodeUsed(LeaderTerm term, Instant now) {
    nextRound = now.plus(MAX_EVERY);
    Set<String> inUse = codeInUse(term, Instant.MIN);
    Instant markUsedBefore = now.minus(MAX_EVERY);
    running = true;
    WorkdirStore code = store.workdirs();
    worker.execute(
        () -> {
          pruneCode(code, inUse, markUsedBefore, null);
          loop.execute(
              () -> {
                if (term == roundTerm) {
                  running = false;
                }
              });
        });
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  /**
   * On the worker: marks used the archives in {@code inUse} last used before {@code
   * markUsedBefore}, then deletes the others last used before {@code unusedBefore} (none when it is
   * null); returns how many it deleted. An archive the store fails to mark or delete is skipped,
   * and the round's failures are logged once.
   */
  private static int pruneCode(
      WorkdirStore code, Set<String> inUse, Instant markUsedBefore, Instant unusedBefore) {
    Map<String, Instant> archives;
    try {
      archives = code.lastUsed();
    } catch (IOException | RuntimeException e) {
      log.warn("could not list the shipped code in the checkpoint store: {}", e.toString());
      return 0;
    }
    int deleted = 0;
    int failed = 0;
    String firstFailure = null;
    for (boolean deleting : new boolean[] {false, true}) {
      for (Map.Entry<String, Instant> archive : archives.entrySet()) {
        String digest = archive.getKey();
        boolean live = inUse.contains(digest);
        try {
          if (!deleting && live && archive.getValue().isBefore(markUsedBefore)) {
            code.keep(digest);
          } else if (deleting
              && !live
              && unusedBefore != null
              && archive.getValue().isBefore(unusedBefore)
              && code.deleteUnusedSince(digest, unusedBefore)) {
            deleted++;
          }
        } catch (IOException | RuntimeException e) {
          failed++;
          if (firstFailure == null) {
            firstFailure = "sha256-" + digest + ": " + e;
          }
        }
      }
    }
    if (failed > 0) {
      log.warn(
          "could not mark or delete {} shipped code archive(s) in the checkpoint store (tried"
              + " again next round), first {}",
          failed,
          firstFailure);
    }
    return deleted;
  }

  private void finished(
      LeaderTerm term, boolean whole, Instant endedBefore, List<Outcome> outcomes, int pruned) {
    if (term != roundTerm) {
      return; // a later term starts from the mark it read
    }
    running = false;
    if (pruned > 0) {
      log.info("deleted {} shipped code archive(s) no job keeps", pruned);
      events.get().codeArchivesDeleted(pruned);
    }
    Instant now = clock.instant();
    int jobs = 0;
    int checkpoints = 0;
    Instant heldAt = null;
    int failures = 0;
    String firstFailure = null;
    for (Outcome o : outcomes) {
      Due d = o.due();
      if (o.error() == null) {
        retired.put(d.jobId(), d.endedAt());
        failingSince.remove(d.jobId());
        if (o.deleted() > 0) {
          jobs++;
          checkpoints += o.deleted();
        }
        continue;
      }
      Instant since = failingSince.computeIfAbsent(d.jobId(), id -> now);
      if (Duration.between(since, now).compareTo(GIVE_UP) >= 0) {
        log.error(
            "gave up retiring the checkpoints of {} after failing for {}: {}; delete what is left"
                + " of it in the store by hand",
            d.jobId(),
            GIVE_UP,
            o.error());
        retired.put(d.jobId(), d.endedAt());
        failingSince.remove(d.jobId());
      } else {
        if (heldAt == null) {
          heldAt = d.endedAt(); // outcomes come oldest first
          firstFailure = d.jobId() + ": " + o.error();
        }
        failures++;
      }
    }
    if (failures > 0) {
      // One line a round, not one a job: a store that is gone fails every job alike.
      log.warn(
          "could not retire the checkpoints of {} job(s) (tried again in {}; each given up after {}),"
              + " first {}",
          failures,
          every(keep.get()),
          GIVE_UP,
          firstFailure);
    }
    if (jobs > 0) {
      log.info(
          "deleted {} checkpoint(s) of {} finished job(s) that ended before {}",
          checkpoints,
          jobs,
          endedBefore);
      events.get().checkpointsRetired(jobs, checkpoints);
    }
    Instant reached =
        whole || outcomes.isEmpty()
            ? endedBefore
            : outcomes.get(outcomes.size() - 1).due().endedAt();
    // A job the store fails to retire holds the mark at its end (a new leader tries it again),
    // the others go on.
    advanceMark(term, heldAt != null && heldAt.isBefore(reached) ? heldAt : reached);
    if (!whole) {
      nextRound = now; // more are due: go on at the next tick
    }
  }

  /** Moves the mark forward (never back) and writes it to ZooKeeper. */
  private void advanceMark(LeaderTerm term, Instant mark) {
    LeaderTerm.Stored<Instant> stored = term.checkpointsRetired;
    if (stored != null && !mark.isAfter(stored.value)) {
      return;
    }
    String path = writes.paths().checkpointsRetired();
    byte[] data = mark.toString().getBytes(StandardCharsets.UTF_8);
    ZkWrite write;
    if (stored == null) {
      write = new ZkWrite.Create(path, data);
      term.checkpointsRetired = new LeaderTerm.Stored<>(mark, 0);
    } else {
      write = new ZkWrite.Update(path, data, stored.version);
      stored.value = mark;
      stored.version++;
    }
    writes.write(List.of(write), () -> {});
  }

  /** When the job last ran: the latest end (or, for an attempt that never reported one, start). */
  static Optional<Instant> lastActivity(Job job) {
    Instant last = null;
    for (Attempt a : job.getAttemptsList()) {
      var t =
          a.hasEndedAt() ? a.getEndedAt() : a.hasStartedAt() ? a.getStartedAt() : a.getPlacedAt();
      if (t.getSeconds() > 0 || t.getNanos() > 0) {
        Instant i = CoreSnapshots.instant(t);
        if (last == null || i.isAfter(last)) {
          last = i;
        }
      }
    }
    return Optional.ofNullable(last);
  }

  @Override
  public void close() {
    worker.shutdownNow();
  }

  private record Due(String jobId, Instant endedAt) {}

  /** What retiring one job came to: checkpoints deleted, or the store's error. */
  private record Outcome(Due due, int deleted, String error) {}
}
