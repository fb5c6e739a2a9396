package io.tern.agent.job;

import com.google.protobuf.Timestamp;
import io.tern.api.v1.JobStatus;
import io.tern.api.v1.JobStatus.Phase;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What earlier agents of this node left: a starting agent settles every unsettled {@link
 * AttemptRecord} before it registers, so that no job runs on a node whose agent does not know it
 * and no exit is forgotten.
 *
 * <ul>
 *   <li>A job still running (an agent killed with -9 and restarted within the lease) is stopped:
 *       SIGTERM to its group, SIGKILL after its grace (at most {@code maxGrace}), and reported
 *       STOPPED. The agent cannot take over a process it did not start (no exit code, no pipes);
 *       stopping it makes the leader resume the job from its last checkpoint, at once.
 *   <li>A job that ended meanwhile is reported as the shim recorded it: EXITED with its code (a job
 *       that exited 0 while no agent ran is SUCCEEDED, not rerun), or CHECKPOINTED/STOPPED when the
 *       shim fenced it.
 *   <li>A final status reported but never acknowledged is reported again.
 *   <li>A job gone without a recorded exit (its shim was killed, the node rebooted) is reported
 *       STOPPED, exit unknown: the leader resumes it from its last checkpoint.
 * </ul>
 *
 * Each status goes out like any other final status: kept until the leader acknowledges it, then the
 * record is settled.
 */
public final class LeftoverAttempts {
  private static final Logger log = LoggerFactory.getLogger(LeftoverAttempts.class);
  private static final Duration POLL = Duration.ofMillis(50);

  /**
   * A settled leftover: the status to report, the record to settle once it is acknowledged, and
   * what the record says of the attempt's start (empty for a status reported again).
   */
  public record Found(
      AttemptRecord record, JobStatus status, Optional<AttemptRecord.Started> started) {}

  private LeftoverAttempts() {}

  /**
   * Finds and settles what earlier agents left under {@code workDir}; blocks while it stops jobs
   * (at most {@code maxGrace} plus a few seconds).
   */
  public static List<Found> settle(WorkDir workDir, Duration maxGrace, Clock clock)
      throws IOException {
    List<AttemptRecord> records = unsettled(workDir);
    List<Found> found = new ArrayList<>();
    List<Live> live = new ArrayList<>();
    for (AttemptRecord record : records) {
      Optional<JobStatus> saved = record.readStatus();
      if (saved.isPresent()) {
        log.warn(
            "{}#{}: reporting its {} again (never acknowledged)",
            saved.get().getJobId(),
            saved.get().getAttempt(),
            saved.get().getPhase());
        found.add(new Found(record, saved.get(), Optional.empty()));
        continue;
      }
      Optional<AttemptRecord.Started> started;
      try {
        started = record.readStarted();
      } catch (IOException e) {
        log.warn("{}: {}; settled without a report", record.dir(), e.getMessage());
        record.settle();
        continue;
      }
      if (started.isEmpty()) {
        record.settle();
        continue;
      }
      Optional<ProcessGroup> group = liveGroup(record, workDir, started.get().id());
      if (group.isPresent()) {
        Duration grace = Duration.ofMillis(started.get().graceMillis());
        grace = grace.compareTo(maxGrace) > 0 ? maxGrace : grace;
        log.warn(
            "{}: still running from an earlier agent ({}); SIGTERM, SIGKILL after {}",
            started.get().id(),
            group.get(),
            grace);
        record.markSignalled();
        group.get().signal("TERM");
        live.add(new Live(record, started.get(), group.get(), grace));
        continue;
      }
      found.add(new Found(record, ended(record, started.get(), clock), started));
    }
    stop(live);
    for (Live l : live) {
      found.add(new Found(l.record, stopped(l, clock), Optional.of(l.started)));
    }
    if (!found.isEmpty()) {
      log.warn("settled {} attempt(s) left by an earlier agent", found.size());
    }
    return found;
  }

  /**
   * How a leftover the restarted agent stopped ended: CHECKPOINTED when its job checkpoints and its
   * shim recorded an exit 0 (on the SIGTERM, after writing the checkpoint the agent commits before
   * it reports), else STOPPED.
   */
  private static JobStatus stopped(Live l, Clock clock) {
    Optional<AttemptRecord.Exit> exit = l.record.readExit();
    String why = "a restarted agent: it was still running from the agent before";
    return l.started.checkpoints() && exit.isPresent() && exit.get().code() == 0
        ? status(
            l.started, Phase.PHASE_CHECKPOINTED, 0, "checkpointed and stopped by " + why, clock)
        : status(
            l.started,
            Phase.PHASE_STOPPED,
            exit.map(AttemptRecord.Exit::code).orElse(0),
            "stopped by " + why,
            clock);
  }

  private record Live(
      AttemptRecord record, AttemptRecord.Started started, ProcessGroup group, Duration grace) {}

  /** SIGKILL after each one's grace; returns once all have exited (or 10 s after the kills). */
  private static void stop(List<Live> live) {
    long start = System.nanoTime();
    List<Live> left = new ArrayList<>(live);
    boolean killed = false;
    while (!left.isEmpty()) {
      long elapsed = System.nanoTime() - start;
      // One look at /proc per leftover and poll: its members while in its grace, then a kill of
      // what is left (nothing left: it is gone).
      for (Iterator<Live> it = left.iterator(); it.hasNext(); ) {
        Live l = it.next();
        boolean graceOver = elapsed >= l.grace.toNanos();
        if (graceOver ? l.group.killLeft().isEmpty() : l.group.members().isEmpty()) {
          it.remove();
        } else if (graceOver) {
          killed = true;
        }
      }
      if (killed && elapsed > maxGrace(live).plusSeconds(10).toNanos()) {
        log.error("{} still running after SIGKILL; registering anyway", left);
        return;
      }
      LockSupport.parkNanos(POLL.toNanos());
    }
  }

  private static Duration maxGrace(List<Live> live) {
    return live.stream().map(Live::grace).max(Duration::compareTo).orElse(Duration.ZERO);
  }

  /** How an attempt whose processes are gone ended, as its shim recorded it. */
  private static JobStatus ended(AttemptRecord record, AttemptRecord.Started started, Clock clock) {
    AttemptId id = started.id();
    Optional<AttemptRecord.Exit> exit = record.readExit();
    JobStatus status;
    if (exit.isEmpty()) {
      status =
          status(
              started,
              Phase.PHASE_STOPPED,
              0,
              "lost: its processes ended while no agent watched (exit unknown)",
              clock);
    } else if (exit.get().fenced()) {
      status =
          started.checkpoints() && exit.get().code() == 0
              ? status(
                  started, Phase.PHASE_CHECKPOINTED, 0, "fenced: the agent's lease ran out", clock)
              : status(
                  started,
                  Phase.PHASE_STOPPED,
                  exit.get().code(),
                  "fenced: the agent's lease ran out (exit " + exit.get().code() + ")",
                  clock);
    } else if (record.signalled()) {
      // The agent before asked it to checkpoint or stop (a requeue, a preemption, a reclaim) and
      // died: its exit answers that request, it is not the job finishing its work.
      status =
          started.checkpoints() && exit.get().code() == 0
              ? status(
                  started,
                  Phase.PHASE_CHECKPOINTED,
                  0,
                  "checkpointed as asked, while no agent ran",
                  clock)
              : status(
                  started,
                  Phase.PHASE_STOPPED,
                  exit.get().code(),
                  "stopped as asked, while no agent ran (exit " + exit.get().code() + ")",
                  clock);
    } else {
      status =
          status(
              started,
              Phase.PHASE_EXITED,
              exit.get().code(),
              "exited with code " + exit.get().code() + " while no agent ran",
              clock);
    }
    log.warn("{}: ended while no agent ran; reporting {}", id, status.getPhase());
    return status;
  }

  /**
   * The attempt's process group if any process of it (in the group, or one that left it with the
   * attempt's environment) still runs and it is the one recorded.
   */
  static Optional<ProcessGroup> liveGroup(AttemptRecord record, WorkDir workDir, AttemptId id) {
    Optional<AttemptRecord.JobPid> pid = record.readPid();
    if (pid.isEmpty() || pid.get().pid() <= 1) {
      return Optional.empty();
    }
    ProcessGroup group = new ProcessGroup(pid.get().pid(), workDir, id);
    if (group.members().isEmpty()) {
      return Optional.empty();
    }
    // The leader may have exited while its children run (the pgid cannot be reused then); if it
    // is there, it must be the process the shim recorded, not a later one with a reused pid.
    Optional<Long> ticks = startTicks(pid.get().pid());
    if (ticks.isPresent() && pid.get().startTicks() != 0 && ticks.get() != pid.get().startTicks()) {
      return Optional.empty();
    }
    return Optional.of(group);
  }

  /** Field 22 of /proc/PID/stat: when the process started, in clock ticks after boot. */
  static Optional<Long> startTicks(long pid) {
    try {
      String stat =
          Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.US_ASCII);
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Optional.of(Long.parseLong(fields[19]));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  private static List<AttemptRecord> unsettled(WorkDir workDir) throws IOException {
    Path jobs = workDir.jobs();
    if (!Files.isDirectory(jobs)) {
      return List.of();
    }
    List<AttemptRecord> records = new ArrayList<>();
    try (Stream<Path> jobDirs = Files.list(jobs)) {
      for (Path job : jobDirs.sorted().toList()) {
        if (!Files.isDirectory(job)) {
          continue;
        }
        try (Stream<Path> attempts = Files.list(job)) {
          attempts
              .filter(a -> a.getFileName().toString().startsWith("attempt-"))
              .sorted()
              .map(AttemptRecord::new)
              .filter(AttemptRecord::unsettled)
              .forEach(records::add);
        }
      }
    }
    return records;
  }

  /** The status of {@code started}'s attempt, from the cluster that started it. */
  static JobStatus status(
      AttemptRecord.Started started, Phase phase, int code, String message, Clock clock) {
    Instant now = clock.instant();
    return JobStatus.newBuilder()
        .setJobId(started.id().jobId())
        .setAttempt(started.id().attempt())
        .setClusterId(started.clusterId())
        .setPhase(phase)
        .setExitCode(code)
        .setMessage(message)
        .setAt(Timestamp.newBuilder().setSeconds(now.getEpochSecond()).setNanos(now.getNano()))
        .build();
  }
}
