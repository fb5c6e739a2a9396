package io.tern.agent.job;

import com.google.protobuf.Timestamp;
import io.tern.api.v1.CheckpointJob;
import io.tern.api.v1.JobSpec;
import io.tern.api.v1.JobStatus;
import io.tern.api.v1.JobStatus.Phase;
import io.tern.api.v1.RunningAttempt;
import io.tern.api.v1.StartJob;
import io.tern.api.v1.StopJob;
import io.tern.scheduler.spec.CheckpointDeadline;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The job attempts running on this node, and what happens to them on start, stop and checkpoint
 * commands and when their processes exit.
 *
 * <ul>
 *   <li>Start: {@link JobLauncher}; reports STARTED, or START_FAILED with the reason. A start for
 *       an attempt already running is ignored; one for another attempt of a job that runs here
 *       fails (a job never runs twice at once).
 *   <li>Stop: SIGTERM to the process group, SIGKILL after the job's grace ({@code
 *       spec.checkpoint.grace}, else the agent's default); reports STOPPED. A stop for an attempt
 *       not running here does nothing.
 *   <li>Checkpoint: the job's checkpoint signal (default SIGUSR1) to the group; exit 0 before the
 *       deadline reports CHECKPOINTED, another exit code EXITED, no exit by the deadline SIGKILL
 *       and STOPPED. A job without a checkpoint policy is stopped instead.
 *   <li>Exit: processes the leader left behind in its group get SIGKILL (no orphans); then EXITED
 *       with the exit code (128 + signal when killed by a signal).
 *   <li>Fence: when the agent's lease runs out ({@link #fence}) every attempt's shim sends the
 *       fence signal (the checkpoint signal, else SIGTERM) and SIGKILL at the lease's kill time;
 *       the attempt reports CHECKPOINTED (a checkpointing job that exits 0) or STOPPED. An exit the
 *       shim recorded as fenced is reported so even if the agent had not noticed.
 *   <li>Succeeded earlier: a start whose job the checkpoint store records as done by an earlier
 *       attempt (it exited 0 while its node was cut off) runs nothing and reports
 *       SUCCEEDED_EARLIER.
 *   <li>Refusal: after {@link #refuseStarts} a start reports REFUSED (the agent is shutting down)
 *       or STOPPED (it is fenced) without starting anything.
 *   <li>Checkpoints: every attempt's {@code TERN_CHECKPOINT_DIR} is handed to {@link
 *       CheckpointCommits}; an exit (of any kind) is reported only after it has committed what the
 *       attempt left, so the final checkpoint is committed, and announced, before CHECKPOINTED.
 * </ul>
 *
 * <p>Confined to one thread: every method, and the exit and timer callbacks, run on {@code loop},
 * which must run one task at a time.
 */
public final class JobSupervisor {
  private static final Logger log = LoggerFactory.getLogger(JobSupervisor.class);

  /** Told of every status change and of the GPUs in use. Called on the loop thread. */
  public interface Listener {
    void status(JobStatus status);

    void gpusInUse(Set<Integer> indices);
  }

  private final JobLauncher launcher;
  private final ScheduledExecutorService loop;
  private final Clock clock;
  private final Duration defaultGrace;
  private final Listener listener;
  private final CheckpointCommits commits;
  private final Map<AttemptId, RunningJob> jobs = new TreeMap<>();
  private Refusal refusal; // null while starts are accepted

  private record Refusal(Phase phase, String why) {}

  /** A supervisor that commits no checkpoints ({@link CheckpointCommits#NONE}). */
  public JobSupervisor(
      JobLauncher launcher,
      ScheduledExecutorService loop,
      Clock clock,
      Duration defaultGrace,
      Listener listener) {
    this(launcher, loop, clock, defaultGrace, listener, CheckpointCommits.NONE);
  }

  /**
   * @param commits told of every attempt's start, checkpoint signal and exit; an exit is reported
   *     once it has committed what the attempt left
   */
  public JobSupervisor(
      JobLauncher launcher,
      ScheduledExecutorService loop,
      Clock clock,
      Duration defaultGrace,
      Listener listener,
      CheckpointCommits commits) {
    this.launcher = launcher;
    this.loop = loop;
    this.clock = clock;
    this.defaultGrace = defaultGrace;
    this.listener = listener;
    this.commits = commits;
  }

  /** {@link #start(StartJob, long)} under epoch 0 (unknown). */
  public void start(StartJob start) {
    start(start, 0);
  }

  /**
   * Starts the attempt, placed by the leader of {@code epoch} (recorded with it), unless starts are
   * refused ({@link #refuseStarts}): then it reports STOPPED at once, so the leader requeues it.
   */
  public void start(StartJob start, long epoch) {
    AttemptId id;
    try {
      id = JobLauncher.attemptId(start);
    } catch (LaunchException e) {
      report(
          start.getJobId(),
          start.getAttempt(),
          start.getClusterId(),
          Phase.PHASE_START_FAILED,
          0,
          e.getMessage());
      return;
    }
    RunningJob running = jobs.get(id);
    if (running != null) {
      if (running.clusterId.equals(start.getClusterId())) {
        log.info("{}: already running; start ignored", id);
      } else {
        // Job ids start again at job-000001 in every cluster: this is another cluster's job,
        // placed here while this agent still runs the one of the same id it started before.
        log.warn("{}: another cluster's attempt of that id still runs here; not started", id);
        report(
            id,
            start.getClusterId(),
            Phase.PHASE_START_FAILED,
            0,
            "not started: this node still runs an attempt of the same id for another cluster ("
                + (running.clusterId.isEmpty() ? "one from before cluster ids" : running.clusterId)
                + ")");
      }
      return;
    }
    if (refusal != null) {
      log.warn("{}: not started: {}", id, refusal);
      report(id, start.getClusterId(), refusal.phase, 0, "not started: " + refusal.why);
      return;
    }
    for (AttemptId other : jobs.keySet()) {
      if (other.jobId().equals(id.jobId())) {
        report(
            id,
            start.getClusterId(),
            Phase.PHASE_START_FAILED,
            0,
            "attempt " + other.attempt() + " still runs here");
        return;
      }
    }
    RunningJob job;
    try {
      JobSpec spec = start.getSpec();
      String signal =
          spec.hasCheckpoint() && !spec.getCheckpoint().getSignal().isBlank()
              ? Signals.normalize(spec.getCheckpoint().getSignal())
              : Signals.DEFAULT_CHECKPOINT;
      Duration grace =
          spec.hasCheckpoint() && spec.getCheckpoint().hasGrace()
              ? Duration.ofSeconds(
                  spec.getCheckpoint().getGrace().getSeconds(),
                  spec.getCheckpoint().getGrace().getNanos())
              : defaultGrace;
      String fenceSignal = spec.hasCheckpoint() ? signal : "TERM";
      JobLauncher.Launched launched =
          launcher.launch(
              start,
              new AttemptRecord.Started(
                  id,
                  epoch,
                  start.getClusterId(),
                  spec.hasCheckpoint(),
                  fenceSignal,
                  grace.toMillis()));
      job =
          new RunningJob(
              launched,
              List.copyOf(start.getGpuIndicesList()),
              spec.hasCheckpoint(),
              signal,
              fenceSignal,
              grace,
              start.getEpoch(),
              start.getClusterId());
    } catch (LaunchException.SucceededEarlier e) {
      listener.status(
          status(
                  id.jobId(),
                  id.attempt(),
                  start.getClusterId(),
                  Phase.PHASE_SUCCEEDED_EARLIER,
                  0,
                  e.getMessage())
              .setSucceededAttempt(e.succeededAttempt())
              .build());
      return;
    } catch (LaunchException.NodeFault e) {
      log.error("{}: not started, this node cannot prepare it: {}", id, e.getMessage());
      report(id, start.getClusterId(), Phase.PHASE_NODE_FAULT, 0, e.getMessage());
      return;
    } catch (LaunchException.StoreFault e) {
      log.error("{}: not started, the checkpoint store failed: {}", id, e.getMessage());
      report(id, start.getClusterId(), Phase.PHASE_STORE_FAULT, 0, e.getMessage());
      return;
    } catch (LaunchException | IllegalArgumentException e) {
      log.warn("{}: start failed: {}", id, e.getMessage());
      report(id, start.getClusterId(), Phase.PHASE_START_FAILED, 0, e.getMessage());
      return;
    } catch (RuntimeException e) {
      // A bug, not the job's fault: still report it, or the job stays STARTING for good.
      log.error("{}: start failed", id, e);
      report(
          id,
          start.getClusterId(),
          Phase.PHASE_START_FAILED,
          0,
          "the agent failed to start it: " + e);
      return;
    }
    // The attempt is this node's from now on (a second start of it is ignored, a stop or a
    // checkpoint finds it); it is reported STARTED once its shim has recorded the job's group,
    // which is waited for off the loop so that starts on this node overlap.
    jobs.put(id, job);
    RunningJob launching = job;
    Thread.ofVirtual()
        .name("tern-start-" + id)
        .start(
            () -> {
              ProcessGroup group;
              try {
                group = JobLauncher.awaitJobGroup(launching.launched);
              } catch (LaunchException e) {
                onLoop(() -> startFailed(launching, e));
                return;
              }
              onLoop(() -> running(launching, group));
            });
  }

  /** The shim of {@code job} died before it started the job, or never recorded it. */
  private void startFailed(RunningJob job, LaunchException e) {
    if (jobs.get(job.id()) == job) {
      jobs.remove(job.id());
      if (job.killTimer != null) {
        job.killTimer.cancel(false);
      }
      log.warn("{}: start failed: {}", job.id(), e.getMessage());
      report(job, Phase.PHASE_START_FAILED, 0, e.getMessage());
    }
    job.exited.complete(null);
  }

  /** The shim recorded the job's process group: the job runs. */
  private void running(RunningJob job, ProcessGroup group) {
    job.group = group;
    for (String signal : job.pendingSignals) {
      group.signal(signal);
    }
    job.pendingSignals.clear();
    AttemptId id = job.id();
    commits.watch(id, job.startEpoch, job.clusterId, job.launched.checkpointDir());
    String resume = job.launched.resumeNote();
    log.info(
        "{}: started, pid {}, GPUs {}, log {}{}",
        id,
        job.pid(),
        job.gpus,
        job.launched.log(),
        resume.isEmpty() ? "" : "; " + resume);
    JobStatus.Builder started =
        status(
            id.jobId(),
            id.attempt(),
            job.clusterId,
            Phase.PHASE_STARTED,
            0,
            "pid "
                + job.pid()
                + ", log "
                + job.launched.log()
                + (resume.isEmpty() ? "" : "; " + resume));
    if (!job.launched.restore().isEmpty()) {
      started.setRestore(job.launched.restore().report());
    }
    listener.status(started.build());
    listener.gpusInUse(gpusInUse());
    job.launched.process().onExit().whenComplete((p, t) -> onLoop(() -> exited(job)));
  }

  public void stop(StopJob stop) {
    RunningJob job = find(stop.getJobId(), stop.getAttempt());
    if (job == null) {
      log.info("{}#{}: not running here; stop ignored", stop.getJobId(), stop.getAttempt());
      return;
    }
    stop(job, stop.getReason().isBlank() ? "stopped by the scheduler" : stop.getReason());
  }

  public void checkpoint(CheckpointJob checkpoint) {
    RunningJob job = find(checkpoint.getJobId(), checkpoint.getAttempt());
    String reason =
        checkpoint.getReason().isBlank() ? "checkpoint requested" : checkpoint.getReason();
    if (job == null) {
      log.info(
          "{}#{}: not running here; checkpoint ignored",
          checkpoint.getJobId(),
          checkpoint.getAttempt());
      return;
    }
    if (job.state != State.RUNNING) {
      log.info("{}: already {}; checkpoint ignored", job.id(), job.state);
      return;
    }
    if (!job.checkpoints) {
      stop(job, reason + " (the job has no checkpoint policy)");
      return;
    }
    Instant deadline =
        checkpoint.hasDeadline()
            ? Instant.ofEpochSecond(
                checkpoint.getDeadline().getSeconds(), checkpoint.getDeadline().getNanos())
            : clock.instant().plus(job.grace);
    job.state = State.CHECKPOINTING;
    job.reason = reason;
    log.info("{}: SIG{} for a checkpoint by {} ({})", job.id(), job.signal, deadline, reason);
    commits.signalled(job.id(), clock.instant());
    signal(job, job.signal);
    killAfter(job, Duration.between(clock.instant(), deadline));
  }

  /**
   * The node will be reclaimed at {@code reclaimAt} (a spot notice): every running attempt that
   * checkpoints is asked to, as its leader would ask (it asks for every job on the node), so that
   * the checkpoint does not wait on a leader that is away (a failover, ZooKeeper down) while the
   * notice runs out. Its checkpoint is due as the leader would set it ({@link
   * CheckpointDeadline#beforeReclaim}). The leader's own request then finds it checkpointing
   * already. Jobs that do not checkpoint are left to the leader.
   */
  public void checkpointForReclaim(Instant reclaimAt, String reason) {
    Instant now = clock.instant();
    for (RunningJob job : List.copyOf(jobs.values())) {
      if (job.state != State.RUNNING || !job.checkpoints) {
        continue;
      }
      Instant deadline = CheckpointDeadline.beforeReclaim(now, job.grace, reclaimAt);
      checkpoint(
          CheckpointJob.newBuilder()
              .setJobId(job.id().jobId())
              .setAttempt(job.id().attempt())
              .setDeadline(
                  com.google.protobuf.Timestamp.newBuilder()
                      .setSeconds(deadline.getEpochSecond())
                      .setNanos(deadline.getNano()))
              .setReason(reason)
              .build());
    }
  }

  /** The attempts running now, for a Register after reconnecting. */
  public List<RunningAttempt> running() {
    List<RunningAttempt> running = new ArrayList<>(jobs.size());
    for (RunningJob job : jobs.values()) {
      RunningAttempt.Builder attempt =
          RunningAttempt.newBuilder()
              .setJobId(job.id().jobId())
              .setAttempt(job.id().attempt())
              .setClusterId(job.clusterId)
              .addAllGpuIndices(job.gpus);
      if (!job.launched.restore().isEmpty()) {
        attempt.setRestore(job.launched.restore().report()); // its STARTED may have been lost
      }
      running.add(attempt.build());
    }
    return running;
  }

  /** The longest stop grace of the attempts running now (the default when none runs). */
  public Duration longestGrace() {
    Duration longest = defaultGrace;
    for (RunningJob job : jobs.values()) {
      if (job.grace.compareTo(longest) > 0) {
        longest = job.grace;
      }
    }
    return longest;
  }

  /**
   * From now on every start is refused with {@code why}, never started: an agent that is shutting
   * down must not start what it would then abandon (reported REFUSED: the leader places nothing
   * more here), and a fenced agent must not start before it registers again (reported STOPPED: the
   * job is requeued).
   *
   * @param shuttingDown the agent is going away (REFUSED), rather than fenced for now (STOPPED)
   */
  public void refuseStarts(String why, boolean shuttingDown) {
    if (refusal == null || shuttingDown) {
      refusal = new Refusal(shuttingDown ? Phase.PHASE_REFUSED : Phase.PHASE_STOPPED, why);
    }
  }

  /** Starts are accepted again after a fence (a shutdown is for good). */
  public void acceptStarts() {
    if (refusal != null && refusal.phase != Phase.PHASE_REFUSED) {
      refusal = null;
    }
  }

  /**
   * The agent's lease ran out ({@code why}): every attempt gets the fence signal once (from its
   * shim, or from here when the shim has not noticed yet: the file {@code fenced} decides), then
   * SIGKILL {@code killIn} from now (the lease's kill time; the shim enforces it, the agent sends
   * one more {@link #FENCE_BACKSTOP} later). Each ends CHECKPOINTED (a checkpointing job that exits
   * 0) or STOPPED.
   */
  public void fence(String why, Duration killIn) {
    long killAt = System.nanoTime() + killIn.toNanos();
    for (RunningJob job : List.copyOf(jobs.values())) {
      if (job.state == State.FENCED) {
        continue;
      }
      job.unfencedState = job.state;
      job.unfencedReason = job.reason;
      job.state = State.FENCED;
      job.reason = "fenced: " + why;
      boolean mine;
      try {
        mine = job.launched.record().claimFence(launcher.leaseFile().uptimeCentisAt(killAt));
      } catch (IOException e) {
        // Not recorded (a full disk may leave the file empty, which the shim takes as no claim):
        // the agent signals, so the job is fenced whatever the shim does.
        log.warn("{}: cannot record the fence: {}", job.id(), e.toString());
        mine = true;
      }
      if (mine) {
        // Before the shim noticed: a new lease may follow at once, so it must not be left to it.
        log.warn("{}: fenced ({}); SIG{}, SIGKILL in {}", job.id(), why, job.fenceSignal, killIn);
        signal(job, job.fenceSignal);
      } else {
        log.warn("{}: fenced by its shim ({}); SIGKILL in {}", job.id(), why, killIn);
      }
      killAfter(job, killIn.plus(FENCE_BACKSTOP));
    }
  }

  /** How long after a fenced job's kill time the agent sends SIGKILL itself, if it still runs. */
  static final Duration FENCE_BACKSTOP = Duration.ofSeconds(1);

  /** Stops every attempt; completes when all have exited. */
  public CompletableFuture<Void> stopAll(String reason) {
    List<CompletableFuture<Void>> exits = new ArrayList<>();
    for (RunningJob job : List.copyOf(jobs.values())) {
      if (job.state != State.STOPPING && job.state != State.FENCED) {
        stop(job, reason);
      }
      exits.add(job.exited);
    }
    return CompletableFuture.allOf(exits.toArray(CompletableFuture[]::new));
  }

  private void stop(RunningJob job, String reason) {
    if (job.state == State.STOPPING || job.state == State.FENCED) {
      return;
    }
    job.state = State.STOPPING;
    job.reason = reason;
    log.info("{}: SIGTERM to {} ({}); SIGKILL in {}", job.id(), job.groupName(), reason, job.grace);
    signal(job, "TERM");
    killAfter(job, job.grace);
  }

  private void killAfter(RunningJob job, Duration delay) {
    if (job.killTimer != null) {
      job.killTimer.cancel(false);
    }
    long nanos = Math.max(0, delay.toNanos());
    job.killTimer =
        loop.schedule(
            () -> {
              if (jobs.get(job.id()) == job) {
                log.warn(
                    "{}: still running after {}; SIGKILL to {}", job.id(), delay, job.groupName());
                job.killed = true;
                signal(job, "KILL");
              }
            },
            nanos,
            TimeUnit.NANOSECONDS);
  }

  private static void signal(RunningJob job, String signal) {
    try {
      job.launched.record().markSignalled();
    } catch (UncheckedIOException e) {
      log.error("{}: {}; an exit 0 may be taken for its success", job.id(), e.getMessage());
    }
    if (job.group == null) {
      job.pendingSignals.add(signal); // sent as soon as the shim has recorded the group
    } else {
      job.group.signal(signal);
    }
  }

  private void exited(RunningJob job) {
    if (jobs.get(job.id()) != job) {
      return;
    }
    jobs.remove(job.id());
    if (job.killTimer != null) {
      job.killTimer.cancel(false);
    }
    // The shim's record says how the job ended, and whether the shim fenced it (its exit code is
    // the job's too, but a killed shim's is not).
    Optional<AttemptRecord.Exit> recorded = job.launched.record().readExit();
    AttemptRecord.Exit exit =
        recorded.orElseGet(
            () ->
                new AttemptRecord.Exit(
                    job.launched.process().exitValue(), job.launched.record().fenced()));
    int code = exit.code();
    if (exit.fenced() && job.state != State.FENCED) {
      job.state = State.FENCED;
      job.reason = "fenced: the agent's lease ran out";
    } else if (recorded.isPresent() && !exit.fenced() && job.state == State.FENCED) {
      // It ended on its own before any fence (say while the agent was stopped past its lease, and
      // fenced what it believed still ran once it woke): the exit is the job's own.
      log.info("{}: ended by itself (exit {}) before the fence", job.id(), code);
      job.state = job.unfencedState;
      job.reason = job.unfencedReason;
    }
    // A shim that recorded the exit killed what was left of the group before it did (the native
    // one also what left the group); one that did not (killed itself) may have left processes
    // behind, and job-shim.sh leaves those that left the group.
    if (job.group != null && (recorded.isEmpty() || !launcher.shimKillsWhatLeftTheGroup())) {
      List<Long> left = job.group.killLeft();
      if (!left.isEmpty()) {
        log.warn("{}: leader exited, {} left in {}; SIGKILL", job.id(), left, job.group);
      }
    }
    listener.gpusInUse(gpusInUse());
    // Commit what the attempt left first: the scheduler resumes from the latest checkpoint it has
    // heard of, so CheckpointCommitted must reach it before CHECKPOINTED (or STOPPED, EXITED).
    commits
        .settle(job.id(), job.state == State.RUNNING && code == 0)
        .whenComplete(
            (ignored, failure) ->
                onLoop(
                    () -> {
                      reportExit(job, code);
                      job.exited.complete(null);
                    }));
  }

  private void reportExit(RunningJob job, int code) {
    switch (job.state) {
      case FENCED -> {
        if (job.checkpoints && code == 0) {
          report(job, Phase.PHASE_CHECKPOINTED, 0, job.reason);
        } else {
          report(job, Phase.PHASE_STOPPED, code, job.reason + " (exit " + code + ")");
        }
      }
      case RUNNING -> report(job, Phase.PHASE_EXITED, code, "exited with code " + code);
      case STOPPING ->
          report(
              job,
              Phase.PHASE_STOPPED,
              code,
              job.reason + (job.killed ? " (SIGKILL after " + words(job.grace) + ")" : ""));
      case CHECKPOINTING -> {
        if (job.killed) {
          report(
              job,
              Phase.PHASE_STOPPED,
              code,
              job.reason + ": no exit by the checkpoint deadline; killed");
        } else if (code == 0) {
          report(job, Phase.PHASE_CHECKPOINTED, 0, job.reason);
        } else {
          report(
              job,
              Phase.PHASE_EXITED,
              code,
              "exited with code " + code + " after a checkpoint request (" + job.reason + ")");
        }
      }
    }
  }

  static String words(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
  }

  private Set<Integer> gpusInUse() {
    Set<Integer> busy = new TreeSet<>();
    jobs.values().forEach(j -> busy.addAll(j.gpus));
    return busy;
  }

  private void onLoop(Runnable task) {
    try {
      loop.execute(task);
    } catch (RejectedExecutionException e) {
      log.debug("loop stopped; exit not reported");
    }
  }

  private RunningJob find(String jobId, int attempt) {
    try {
      return jobs.get(new AttemptId(jobId, attempt));
    } catch (IllegalArgumentException e) {
      return null; // an id no attempt here can have
    }
  }

  /**
   * A status of {@code job}'s attempt; one that ends it repeats what its start restored, as its
   * STARTED status said: that one may have been lost with a stream that broke just then.
   */
  private void report(RunningJob job, Phase phase, int exitCode, String message) {
    JobStatus.Builder status =
        status(job.id().jobId(), job.id().attempt(), job.clusterId, phase, exitCode, message);
    if (!job.launched.restore().isEmpty()) {
      status.setRestore(job.launched.restore().report());
    }
    listener.status(status.build());
  }

  private void report(AttemptId id, String clusterId, Phase phase, int exitCode, String message) {
    report(id.jobId(), id.attempt(), clusterId, phase, exitCode, message);
  }

  private void report(
      String jobId, int attempt, String clusterId, Phase phase, int exitCode, String message) {
    listener.status(status(jobId, attempt, clusterId, phase, exitCode, message).build());
  }

  /**
   * A status of an attempt the cluster {@code clusterId} started (its {@code StartJob.cluster_id}):
   * a leader of another cluster ignores it.
   */
  private JobStatus.Builder status(
      String jobId, int attempt, String clusterId, Phase phase, int exitCode, String message) {
    Instant now = clock.instant();
    return JobStatus.newBuilder()
        .setJobId(jobId)
        .setAttempt(attempt)
        .setClusterId(clusterId)
        .setPhase(phase)
        .setExitCode(exitCode)
        .setMessage(message)
        .setAt(Timestamp.newBuilder().setSeconds(now.getEpochSecond()).setNanos(now.getNano()));
  }

  private enum State {
    RUNNING,
    STOPPING,
    CHECKPOINTING,
    /** The lease ran out: the shim signals and kills; the exit is not the job's own. */
    FENCED
  }

  private static final class RunningJob {
    final JobLauncher.Launched launched;
    final List<Integer> gpus;
    final boolean checkpoints;
    final String signal;
    final String fenceSignal;
    final Duration grace;
    final CompletableFuture<Void> exited = new CompletableFuture<>();
    State state = State.RUNNING;
    String reason = "";
    // The state and reason the fence replaced, in case the job turns out to have ended before it.
    State unfencedState = State.RUNNING;
    String unfencedReason = "";
    boolean killed;
    ScheduledFuture<?> killTimer;

    /** The epoch its StartJob carried, which its checkpoint commits are fenced by. */
    final long startEpoch;

    /** The cluster its StartJob came from, whose view of the store its commits go to. */
    final String clusterId;

    /** Null until the shim has recorded it; signals meanwhile wait in {@link #pendingSignals}. */
    ProcessGroup group;

    final List<String> pendingSignals = new ArrayList<>(1);

    RunningJob(
        JobLauncher.Launched launched,
        List<Integer> gpus,
        boolean checkpoints,
        String signal,
        String fenceSignal,
        Duration grace,
        long startEpoch,
        String clusterId) {
      this.launched = launched;
      this.gpus = gpus;
      this.checkpoints = checkpoints;
      this.signal = signal;
      this.fenceSignal = fenceSignal;
      this.grace = grace;
      this.startEpoch = startEpoch;
      this.clusterId = clusterId;
    }

    AttemptId id() {
      return launched.id();
    }

    /** The job's pid (its process group's id), not the shim's. */
    long pid() {
      return group.pgid();
    }

    String groupName() {
      return group == null ? "the job's process group (not yet recorded)" : group.toString();
    }
  }
}
