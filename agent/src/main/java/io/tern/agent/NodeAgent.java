package io.tern.agent;

import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import io.grpc.Status;
import io.tern.agent.checkpoint.CheckpointCommitter;
import io.tern.agent.checkpoint.StoreCheckpointRestorer;
import io.tern.agent.checkpoint.StoreHold;
import io.tern.agent.gpu.GpuProbe;
import io.tern.agent.job.AttemptId;
import io.tern.agent.job.AttemptRecord;
import io.tern.agent.job.CheckpointCommits;
import io.tern.agent.job.CheckpointRestorer;
import io.tern.agent.job.JobLauncher;
import io.tern.agent.job.JobLogs;
import io.tern.agent.job.JobSupervisor;
import io.tern.agent.job.LeaseFile;
import io.tern.agent.job.LeftoverAttempts;
import io.tern.agent.job.StatusText;
import io.tern.agent.job.WorkDir;
import io.tern.agent.link.Backoff;
import io.tern.agent.link.ChannelFactory;
import io.tern.agent.link.LeaderLease;
import io.tern.agent.link.SchedulerLink;
import io.tern.api.v1.AgentMessage;
import io.tern.api.v1.CheckpointCommitFailed;
import io.tern.api.v1.CheckpointCommitted;
import io.tern.api.v1.Gpu;
import io.tern.api.v1.GpuHealth;
import io.tern.api.v1.JobStatus;
import io.tern.api.v1.LogData;
import io.tern.api.v1.ReadLogs;
import io.tern.api.v1.Register;
import io.tern.api.v1.Registered;
import io.tern.api.v1.RunningAttempt;
import io.tern.api.v1.SchedulerMessage;
import io.tern.api.v1.SpotNotice;
import io.tern.api.v1.Telemetry;
import io.tern.checkpoint.CheckpointStore;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node agent: registers with the leader scheduler, sends telemetry (also the heartbeat) on the
 * interval the leader asks for, runs the jobs it is told to, and reports what happens to them.
 *
 * <p>Failover: when the stream ends the agent reconnects ({@link SchedulerLink}: to the leader a
 * follower names, else the next address, with backoff capped at 2 s) while its jobs keep running;
 * it registers again listing them in {@code running}. Job statuses and spot notices that could not
 * be sent wait in an outbox (at most {@value #OUTBOX_LIMIT}, oldest dropped first) and go out right
 * after the next Registered.
 *
 * <p>Exactly once: how each attempt ended (its final JobStatus) and each CheckpointCommitted are
 * numbered ({@code seq}) and kept, the final status also on disk ({@link AttemptRecord}), until the
 * leader acknowledges them; after every registration the unacknowledged ones are sent again. A job
 * that exited 0 while no leader could hear it is thus recorded SUCCEEDED, never run again. Before
 * it registers for the first time, the agent settles what earlier agents of this node left ({@link
 * LeftoverAttempts}): jobs still running are stopped, exits are reported.
 *
 * <p>Fencing: the agent holds a {@link LeaderLease}, renewed by the leader's acknowledgements of
 * its heartbeats. When it runs out, every job is fenced (checkpoint signal, SIGKILL after the fence
 * budget, by its shim, which reads the same deadlines from the {@link LeaseFile}) before the leader
 * may resume the jobs elsewhere; starts are refused and the stream is dropped until a leader
 * accepts a new registration. The lease is checked before each command and acknowledgement is
 * handled and every 100 ms, so an agent resumed after a pause (SIGSTOP, GC) fences before it does
 * anything else.
 *
 * <p>Checkpoints: with a checkpoint store, every attempt's finished checkpoints are committed in
 * the background ({@link CheckpointCommitter}) and announced as CheckpointCommitted, in order with
 * the job statuses: an attempt's final checkpoint is announced before its CHECKPOINTED.
 *
 * <p>Lifecycle: {@link #start} once, {@link #close} once (later closes do nothing); starting a
 * closed or started agent throws. By default closing stops every job ({@link
 * AgentConfig#stopJobsOnClose()}).
 *
 * <p>Threading: all state is confined to one loop thread ({@code loop}, which must run one task at
 * a time): stream callbacks, process exits and timers are tasks on it. Public methods are safe from
 * any thread except the loop itself.
 */
public final class NodeAgent implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(NodeAgent.class);
  static final int OUTBOX_LIMIT = 10_000;

  private enum State {
    LATENT,
    STARTED,
    CLOSED
  }

  private final AtomicReference<State> state = new AtomicReference<>(State.LATENT);
  private final AgentConfig config;

  /** The checkpoint store, held to the cluster's once a leader names it; null without one. */
  private final CheckpointStore store;

  private final GpuProbe probe;
  private final ScheduledExecutorService loop;
  private final boolean ownsLoop;
  private final Clock clock;

  /** The instance-action notice this agent has seen, if any: its node is being reclaimed. */
  private SpotNotice standingNotice;

  private final SchedulerLink link;
  private final JobSupervisor jobs;
  private final JobLogs logs;
  private final CheckpointCommitter committer; // null without a checkpoint store
  private final WorkDir workDir;
  private final StoreHold storeHold;
  private final LeaderLease lease;
  private final Deque<Pending> outbox = new ArrayDeque<>();

  /**
   * Register.agent_instance: drawn once, sent on every stream, so that the leader tells a reconnect
   * of this agent from a second agent started with the same node id.
   */
  private final String instance = drawInstance();

  private boolean refusedAsDuplicate; // the last stream ended ALREADY_EXISTS, already logged
  private long nextSeq = 1;
  private long registrations; // Registered answers so far: the stream a Pending was sent on
  private long registerSentNanos;
  private boolean fenced;
  private boolean leaderAcks; // the leader sets a node lease, and so acknowledges messages
  private ScheduledFuture<?> leaseCheck;
  private ScheduledFuture<?> telemetry;
  private List<Gpu> lastGpus;
  private boolean probeFailing;

  /**
   * An agent that commits no checkpoints and restores through {@code restorer}.
   *
   * @param loop runs the agent's tasks one at a time; the caller shuts it down after {@link #close}
   * @param clock timestamps of telemetry and statuses, and checkpoint deadlines
   */
  public NodeAgent(
      AgentConfig config,
      GpuProbe probe,
      ChannelFactory channels,
      ScheduledExecutorService loop,
      Clock clock,
      CheckpointRestorer restorer) {
    this(config, probe, channels, loop, false, clock, restorer, null);
  }

  /**
   * An agent that commits its jobs' checkpoints to {@code store} (scanning every {@link
   * AgentConfig#checkpointPoll()}) and restores resuming jobs from it.
   *
   * @param store closed by the caller, after the agent
   * @param clock must be the system clock outside tests: checkpoint save times compare it with file
   *     times
   */
  public NodeAgent(
      AgentConfig config,
      GpuProbe probe,
      ChannelFactory channels,
      ScheduledExecutorService loop,
      Clock clock,
      CheckpointStore store) {
    this(config, probe, channels, loop, false, clock, new StoreCheckpointRestorer(store), store);
  }

  private NodeAgent(
      AgentConfig config,
      GpuProbe probe,
      ChannelFactory channels,
      ScheduledExecutorService loop,
      boolean ownsLoop,
      Clock clock,
      CheckpointRestorer restorer,
      CheckpointStore store) {
    this.config = config;
    this.store = store;
    this.probe = probe;
    this.loop = loop;
    this.ownsLoop = ownsLoop;
    this.clock = clock;
    this.lastGpus = probe.sample();
    this.workDir = new WorkDir(config.workDir());
    this.storeHold =
        new StoreHold(
            store == null ? Optional.empty() : store.marker(), workDir, config.reportsStore());
    this.logs = new JobLogs(workDir);
    LeaseFile leaseFile = new LeaseFile(workDir);
    this.lease =
        new LeaderLease(
            System::nanoTime,
            new LeaderLease.Sink() {
              @Override
              public void deadlines(long fenceAtNanos, long killAtNanos) {
                try {
                  leaseFile.write(fenceAtNanos, killAtNanos);
                } catch (IOException e) {
                  log.error("cannot write {}: {}", leaseFile.path(), e.toString());
                }
              }

              @Override
              public void unbounded() {
                try {
                  leaseFile.unbounded();
                } catch (IOException e) {
                  log.error("cannot write {}: {}", leaseFile.path(), e.toString());
                }
              }
            });
    this.committer =
        store == null
            ? null
            : new CheckpointCommitter(
                store,
                config.checkpointPoll(),
                clock,
                new CheckpointCommitter.Listener() {
                  @Override
                  public void committed(CheckpointCommitted committed) {
                    NodeAgent.this.committed(committed);
                  }

                  @Override
                  public void commitFailed(CheckpointCommitFailed failed) {
                    announce(AgentMessage.newBuilder().setCheckpointCommitFailed(failed).build());
                  }
                });
    this.jobs =
        new JobSupervisor(
            new JobLauncher(workDir, lastGpus.size(), restorer, System.getenv(), config.jobShim()),
            loop,
            clock,
            config.defaultGrace(),
            new JobSupervisor.Listener() {
              @Override
              public void status(JobStatus status) {
                reportStatus(status);
              }

              @Override
              public void gpusInUse(Set<Integer> indices) {
                probe.assignmentsChanged(indices);
              }
            },
            committer == null ? CheckpointCommits.NONE : committer);
    this.link =
        new SchedulerLink(
            config.schedulers(),
            channels,
            loop,
            new Backoff(config.reconnectInitial(), config.reconnectMax(), new SplittableRandom()),
            new LinkListener());
  }

  /**
   * An agent with its own loop thread, the system clock, plaintext channels and no checkpoint store
   * (resuming starts fail until one is wired).
   */
  public static NodeAgent create(AgentConfig config, GpuProbe probe) {
    return new NodeAgent(
        config,
        probe,
        ChannelFactory.plaintext(),
        ownLoop(),
        true,
        Clock.systemUTC(),
        CheckpointRestorer.unavailable(),
        null);
  }

  /**
   * An agent with its own loop thread, the system clock and plaintext channels that commits its
   * jobs' checkpoints to {@code store} and restores resuming jobs from it.
   *
   * @param store closed by the caller, after the agent
   */
  public static NodeAgent create(AgentConfig config, GpuProbe probe, CheckpointStore store) {
    return create(config, probe, store, ChannelFactory.plaintext());
  }

  /**
   * An agent with its own loop thread and the system clock that reaches the scheduler through
   * {@code channels} (TLS with this node's certificate, in production), commits its jobs'
   * checkpoints to {@code store} and restores resuming jobs from it.
   *
   * @param store closed by the caller, after the agent
   */
  public static NodeAgent create(
      AgentConfig config, GpuProbe probe, CheckpointStore store, ChannelFactory channels) {
    return new NodeAgent(
        config,
        probe,
        channels,
        ownLoop(),
        true,
        Clock.systemUTC(),
        new StoreCheckpointRestorer(store),
        store);
  }

  /** A random (version 4) UUID: it tells agent processes apart. */
  static String drawInstance() {
    return java.util.UUID.randomUUID().toString();
  }

  private static ScheduledExecutorService ownLoop() {
    return Executors.newSingleThreadScheduledExecutor(
        r -> {
          Thread t = new Thread(r, "tern-agent");
          t.setDaemon(true);
          return t;
        });
  }

  /** The longest a leftover job gets between SIGTERM and SIGKILL when an agent starts. */
  static final Duration LEFTOVER_GRACE = Duration.ofSeconds(10);

  /**
   * Settles what earlier agents of this node left ({@link LeftoverAttempts}; this blocks while it
   * stops leftover jobs), then connects to the scheduler; once.
   */
  public void start() {
    if (!state.compareAndSet(State.LATENT, State.STARTED)) {
      throw new IllegalStateException(
          "node agent " + config.nodeId() + " is " + state.get() + "; start it once");
    }
    log.info(
        "node agent {} starting: {} GPUs, schedulers {}, work dir {}",
        config.nodeId(),
        lastGpus.size(),
        config.schedulers(),
        config.workDir());
    List<LeftoverAttempts.Found> leftovers;
    try {
      Duration grace =
          config.defaultGrace().compareTo(LEFTOVER_GRACE) < 0
              ? config.defaultGrace()
              : LEFTOVER_GRACE;
      leftovers = LeftoverAttempts.settle(workDir, grace, clock);
    } catch (IOException e) {
      log.error("cannot read what earlier agents left in {}: {}", workDir.jobs(), e.toString());
      leftovers = List.of();
    }
    storeHold.holdToTheLastNamed();
    storeHold.check();
    commitLeftoverCheckpoints(leftovers);
    List<LeftoverAttempts.Found> found = leftovers;
    loop.execute(
        () -> {
          for (LeftoverAttempts.Found f : found) {
            enqueue(
                AgentMessage.newBuilder().setJobStatus(f.status()).build(),
                true,
                f.record()::settle);
          }
          link.start();
          leaseCheck =
              loop.scheduleWithFixedDelay(
                  this::checkLease, LEASE_CHECK_MS, LEASE_CHECK_MS, TimeUnit.MILLISECONDS);
        });
  }

  /** The longest a starting agent waits for the commits of what earlier agents left. */
  static final Duration LEFTOVER_COMMITS = Duration.ofSeconds(60);

  /**
   * Commits the newest checkpoint of each leftover attempt that was stopped (the one its job wrote
   * on SIGTERM, from the shim's fence or from {@link LeftoverAttempts}), before its status goes
   * out: the leader then resumes the job from it rather than from the last one announced. The store
   * refuses it if the job has moved on to a newer attempt. A job whose spec names no checkpoint
   * policy counts too: a running one's checkpoints are committed all the same, and one it wrote
   * while no agent ran is work it saved.
   */
  private void commitLeftoverCheckpoints(List<LeftoverAttempts.Found> leftovers) {
    if (committer == null) {
      return;
    }
    List<CompletableFuture<Void>> commits = new ArrayList<>();
    for (LeftoverAttempts.Found f : leftovers) {
      var phase = f.status().getPhase();
      if (f.started().isPresent()
          && (phase == JobStatus.Phase.PHASE_STOPPED
              || phase == JobStatus.Phase.PHASE_CHECKPOINTED)) {
        AttemptRecord.Started started = f.started().get();
        AttemptId id = started.id();
        commits.add(
            committer.commitLeftover(
                id, started.epoch(), started.clusterId(), workDir.checkpoints(id)));
      }
    }
    try {
      CompletableFuture.allOf(commits.toArray(CompletableFuture[]::new))
          .get(LEFTOVER_COMMITS.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      log.warn("leftover checkpoints still committing after {}; registering", LEFTOVER_COMMITS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException e) {
      log.warn("leftover checkpoints: {}", e.getCause().toString());
    }
  }

  /** How often the lease is checked besides before each command. */
  static final long LEASE_CHECK_MS = 100;

  /**
   * Fences the jobs once the lease has run out; true from then until a leader accepts a new
   * registration.
   */
  private boolean checkLease() {
    if (fenced) {
      leaveQuietLeader(); // a stream to register again on may hang as well
      return true;
    }
    if (!lease.expired()) {
      leaveQuietLeader();
      return false;
    }
    fenced = true;
    String why =
        "no leader acknowledged this agent for "
            + lease.sinceBase().toMillis()
            + " ms (fence after "
            + lease.timing().fenceAfter().toMillis()
            + " ms of a "
            + lease.timing().lease().toMillis()
            + " ms lease)";
    log.error("lease expired: {}; fencing {} job(s)", why, jobs.running().size());
    jobs.refuseStarts("the agent's lease ran out; it must register with a leader again", false);
    // The shims signal and kill at the lease's deadlines; the agent's own SIGKILL is a backstop.
    jobs.fence(why, Duration.ofNanos(Math.max(0, lease.nanosUntilKill())));
    link.reconnect("lease expired");
    return true;
  }

  /**
   * Half way to the fence without an acknowledgement, leaves a stream that has gone quiet for a
   * quarter of it (a paused or hung leader keeps its port, so the stream does not break) for the
   * other schedulers: a standby elected meanwhile registers this agent and adopts its running jobs
   * before the lease would fence them. A leader that is only slow is registered with again. A
   * fenced agent leaves a quiet stream the same way, so that it finds the new leader to register
   * with.
   */
  private void leaveQuietLeader() {
    LeaderLease.Timing timing = lease.timing();
    if (timing == null || lease.sinceBase().compareTo(timing.fenceAfter().dividedBy(2)) < 0) {
      return;
    }
    link.dropIfQuiet(
        timing.fenceAfter().dividedBy(4),
        "no acknowledgement for "
            + lease.sinceBase().toMillis()
            + " ms (the jobs are fenced at "
            + timing.fenceAfter().toMillis()
            + " ms); trying the other schedulers");
  }

  /**
   * Reports a spot notice now, or right after the next registration, until a leader has it in
   * ZooKeeper (it acknowledges it): a notice sent to a leader that then failed goes to the next
   * one, which checkpoints the jobs here before the reclaim.
   */
  public void report(SpotNotice notice) {
    loop.execute(
        () -> {
          if (notice.getKind() == SpotNotice.Kind.KIND_INSTANCE_ACTION) {
            standingNotice = notice; // named in every Register from now on
            // Checkpointed at once, leader or not: a leader away (failing over, ZooKeeper down)
            // for longer than the notice would otherwise leave the jobs to the reclaim.
            Instant reclaimAt =
                notice.hasActionAt()
                    ? Instant.ofEpochSecond(
                        notice.getActionAt().getSeconds(), notice.getActionAt().getNanos())
                    : clock.instant().plus(Duration.ofMinutes(2));
            jobs.checkpointForReclaim(reclaimAt, "spot reclaim of " + config.nodeId());
          }
          enqueue(AgentMessage.newBuilder().setSpotNotice(notice).build(), true, () -> {});
        });
  }

  /** The attempts running now. */
  public List<RunningAttempt> running() {
    return onLoop(jobs::running);
  }

  /** The GPUs as last sampled (for the agent's metrics). */
  public List<Gpu> gpus() {
    return onLoop(() -> List.copyOf(lastGpus));
  }

  /** True while a leader has accepted this agent. */
  public boolean connected() {
    return onLoop(link::registered);
  }

  /** Reads attempts' logs ({@code tern logs}). */
  public JobLogs logs() {
    return logs;
  }

  /**
   * Stops the jobs (unless configured otherwise) and waits for them, ends the stream, releases the
   * probe. Once; later calls do nothing. Must not be called on the loop thread.
   */
  @Override
  public void close() {
    State was = state.getAndSet(State.CLOSED);
    if (was == State.CLOSED) {
      return;
    }
    try {
      if (was == State.STARTED) {
        CompletableFuture<Void> stopped =
            onLoop(
                () -> {
                  // Nothing placed from now on may start: it would be abandoned, still running.
                  jobs.refuseStarts("the agent is shutting down", true);
                  return config.stopJobsOnClose()
                      ? jobs.stopAll("the agent is shutting down")
                      : CompletableFuture.<Void>completedFuture(null);
                });
        Duration longest = onLoop(jobs::longestGrace);
        try {
          // Every job gets SIGKILL after its grace; allow that much, and some for the exits.
          stopped.get(longest.plusSeconds(30).toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
          log.error("jobs did not exit after SIGKILL; closing anyway");
        }
        awaitAcknowledged(CLOSE_ACK_WAIT);
        onLoop(
            () -> {
              cancelTelemetry();
              if (leaseCheck != null) {
                leaseCheck.cancel(false);
              }
              link.close();
              return null;
            });
        link.awaitClosed(Duration.ofSeconds(5));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException e) {
      log.error("closing failed", e.getCause());
    } finally {
      if (committer != null) {
        committer.close();
      }
      probe.close();
      if (ownsLoop) {
        loop.shutdownNow();
      }
      log.info("node agent {} closed", config.nodeId());
    }
  }

  /** How long a closing agent waits for the leader to acknowledge its last statuses. */
  static final Duration CLOSE_ACK_WAIT = Duration.ofSeconds(5);

  /**
   * Waits up to {@code atMost} for every final status to be acknowledged; what is not stays on disk
   * for the next agent to report.
   */
  private void awaitAcknowledged(Duration atMost) {
    long deadline = System.nanoTime() + atMost.toNanos();
    while (onLoop(() -> outbox.stream().anyMatch(p -> p.reliable))) {
      if (System.nanoTime() - deadline > 0) {
        log.warn(
            "closing with statuses the leader has not acknowledged; the next agent reports them");
        return;
      }
      java.util.concurrent.locks.LockSupport.parkNanos(20_000_000);
    }
  }

  private <T> T onLoop(java.util.concurrent.Callable<T> task) {
    try {
      return loop.submit(task).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    }
  }

  /** From the committer's thread: announce the commit, in order with the job's statuses. */
  private void committed(CheckpointCommitted committed) {
    try {
      loop.execute(
          () ->
              enqueue(
                  AgentMessage.newBuilder().setCheckpointCommitted(committed).build(),
                  true,
                  () -> {}));
    } catch (java.util.concurrent.RejectedExecutionException closed) {
      log.warn(
          "{}: checkpoint {} committed after the agent closed; not announced",
          committed.getJobId(),
          committed.getCheckpoint().getName());
    }
  }

  /** From the committer's thread: report a failed commit, in order with the job's statuses. */
  private void announce(AgentMessage message) {
    try {
      loop.execute(() -> sendOrQueue(message));
    } catch (java.util.concurrent.RejectedExecutionException closed) {
      log.debug("agent closed; {} not sent", message.getKindCase());
    }
  }

  /** Answers a ReadLogs with the bytes asked for, or with why there are none. */
  private AgentMessage readLogs(ReadLogs request) {
    LogData.Builder answer =
        LogData.newBuilder()
            .setRequestId(request.getRequestId())
            .setNextOffset(request.getOffset());
    try {
      long offset =
          request.getTailLines() > 0
              ? logs.tailOffset(request.getJobId(), request.getAttempt(), request.getTailLines())
              : request.getOffset();
      var chunk =
          logs.read(
              request.getJobId(),
              request.getAttempt(),
              offset,
              Math.max(1, Math.min(request.getMaxBytes(), JobLogs.MAX_CHUNK)));
      answer.setData(ByteString.copyFrom(chunk.data())).setNextOffset(chunk.nextOffset());
    } catch (java.nio.file.NoSuchFileException e) {
      answer.setError(
          "no log for "
              + request.getJobId()
              + " attempt "
              + request.getAttempt()
              + " on this node"
              + (config.keepFinished() == null
                  ? ""
                  : " (its agent removes a finished attempt's folder "
                      + io.tern.scheduler.spec.Durations.format(config.keepFinished())
                      + " after it ended: tern agent --keep-finished)"));
    } catch (IOException | IllegalArgumentException e) {
      answer.setError("cannot read the log: " + e.getMessage());
    }
    return AgentMessage.newBuilder().setLogData(answer).build();
  }

  /** A message waiting to be sent, or (reliable) to be acknowledged. */
  private static final class Pending {
    final AgentMessage message;
    final boolean reliable;
    final Runnable onAck;
    long sentOn = -1; // the registration it was last sent under

    Pending(AgentMessage message, boolean reliable, Runnable onAck) {
      this.message = message;
      this.reliable = reliable;
      this.onAck = onAck;
    }
  }

  /** A job status: a final one is kept on disk and in the outbox until acknowledged. */
  private void reportStatus(JobStatus reported) {
    JobStatus status = StatusText.fit(reported);
    AgentMessage message = AgentMessage.newBuilder().setJobStatus(status).build();
    if (status.getPhase() == JobStatus.Phase.PHASE_STARTED) {
      enqueue(message, false, null);
      return;
    }
    AttemptRecord record;
    try {
      record = AttemptRecord.of(workDir, new AttemptId(status.getJobId(), status.getAttempt()));
      record.saveStatus(status);
    } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
      log.warn("{}#{}: status kept in memory only: {}", status.getJobId(), status.getAttempt(), e);
      record = null;
    }
    enqueue(message, true, record == null ? () -> {} : record::settle);
  }

  /** Sends in order: behind anything still waiting in the outbox. */
  private void sendOrQueue(AgentMessage message) {
    enqueue(message, false, null);
  }

  /**
   * Queues {@code message} behind the outbox and sends what can go; a {@code reliable} one gets a
   * seq and stays until acknowledged, then runs {@code onAck}.
   */
  private void enqueue(AgentMessage message, boolean reliable, Runnable onAck) {
    if (outbox.size() >= OUTBOX_LIMIT) {
      log.warn("outbox full; dropping {}", outbox.pollFirst().message.getKindCase());
    }
    AgentMessage numbered = reliable ? message.toBuilder().setSeq(nextSeq++).build() : message;
    outbox.addLast(new Pending(numbered, reliable, onAck));
    flushOutbox();
  }

  /** Sends, in order, what has not been sent under the current registration. */
  private void flushOutbox() {
    if (!link.registered()) {
      return;
    }
    for (Iterator<Pending> it = outbox.iterator(); it.hasNext(); ) {
      Pending p = it.next();
      if (p.sentOn == registrations) {
        continue;
      }
      if (!link.send(p.message)) {
        return;
      }
      if (p.reliable && leaderAcks) {
        p.sentOn = registrations;
      } else {
        it.remove(); // a leader that acknowledges nothing: sent is as good as it gets
        if (p.reliable) {
          p.onAck.run();
        }
      }
    }
  }

  private void acknowledged(long seq) {
    checkLease();
    lease.acknowledged(seq);
    for (Iterator<Pending> it = outbox.iterator(); it.hasNext(); ) {
      Pending p = it.next();
      if (p.reliable && p.message.getSeq() == seq) {
        it.remove();
        try {
          p.onAck.run();
        } catch (RuntimeException e) {
          log.warn("after the ack of {}: {}", seq, e.toString());
        }
        return;
      }
    }
  }

  private List<Gpu> sampleGpus() {
    try {
      lastGpus = probe.sample();
      if (probeFailing) {
        log.info("GPU probe works again");
        probeFailing = false;
      }
    } catch (RuntimeException e) {
      if (!probeFailing) {
        log.error(
            "GPU probe failed; reporting the GPUs as lost until it recovers: {}", e.getMessage());
        probeFailing = true;
      }
      lastGpus =
          lastGpus.stream()
              .map(g -> g.toBuilder().setHealth(GpuHealth.GPU_HEALTH_LOST).build())
              .toList();
    }
    return lastGpus;
  }

  private void sendTelemetry() {
    if (checkLease()) {
      return; // heartbeats renew no expired lease; a new registration must
    }
    Instant now = clock.instant();
    Telemetry sample =
        Telemetry.newBuilder()
            .setSampledAt(
                Timestamp.newBuilder().setSeconds(now.getEpochSecond()).setNanos(now.getNano()))
            .addAllGpus(sampleGpus())
            .build();
    long seq = nextSeq++;
    lease.sent(seq); // before sending: the lease counts from no later than the send
    link.sendIfReady(AgentMessage.newBuilder().setTelemetry(sample).setSeq(seq).build());
  }

  private void cancelTelemetry() {
    if (telemetry != null) {
      telemetry.cancel(false);
      telemetry = null;
    }
  }

  /** A command as it came, with the stream it came on. */
  private record Queued(SchedulerMessage command, long stream) {}

  /** Commands not yet acted on, in the order they came. Loop thread only. */
  private final java.util.ArrayDeque<Queued> commands = new java.util.ArrayDeque<>();

  /** Whether a task to act on {@link #commands} is queued on the loop. */
  private boolean draining;

  /**
   * How long one loop task acts on queued commands before it yields to what else waits on the loop
   * (a heartbeat, an acknowledgement): far below any lease, long enough that a burst of trivial
   * starts still goes out in batches.
   */
  static final long COMMAND_SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

  /**
   * Acts on the queued commands, oldest first, for up to {@link #COMMAND_SLICE_NANOS}, then queues
   * itself again behind whatever the loop has meanwhile. A command whose stream has ended is
   * dropped, as if it had been lost with the stream: the leader learns what runs here from the next
   * registration.
   */
  private void actOnNextCommand() {
    long until = System.nanoTime() + COMMAND_SLICE_NANOS;
    Queued next;
    while ((next = commands.pollFirst()) != null) {
      if (next.stream() == link.stream()) {
        act(next.command());
      } else {
        log.info("{} dropped: the stream it came on has ended", next.command().getKindCase());
      }
      if (System.nanoTime() - until > 0) {
        break;
      }
    }
    if (commands.isEmpty()) {
      draining = false;
    } else {
      drainLater();
    }
  }

  /** Queues {@link #actOnNextCommand} on the loop; nothing once the agent has closed it. */
  private void drainLater() {
    try {
      loop.execute(this::actOnNextCommand);
    } catch (java.util.concurrent.RejectedExecutionException closed) {
      log.debug("agent closed; {} command(s) not acted on", commands.size());
      commands.clear();
      draining = false;
    }
  }

  private void act(SchedulerMessage command) {
    checkLease(); // first: after a pause, fence before acting on anything that queued meanwhile
    switch (command.getKindCase()) {
      case START_JOB -> jobs.start(command.getStartJob(), command.getEpoch());
      case STOP_JOB -> jobs.stop(command.getStopJob());
      case CHECKPOINT_JOB -> jobs.checkpoint(command.getCheckpointJob());
      case READ_LOGS -> sendOrQueue(readLogs(command.getReadLogs()));
      default -> log.warn("unexpected {}; ignored", command.getKindCase());
    }
  }

  private final class LinkListener implements SchedulerLink.Listener {
    @Override
    public Register registration() {
      registerSentNanos = lease.now();
      Register.Builder register = Register.newBuilder();
      storeHold.report(register);
      register
          .setNodeId(config.nodeId())
          .setCapacityType(config.capacityType())
          .setPool(config.pool())
          .setPricePerHourUsd(config.pricePerHourUsd())
          .addAllGpus(sampleGpus())
          .setCpu(config.cpu())
          .setMemoryGib(config.memoryGib())
          .putAllLabels(config.labels())
          .addAllRunning(jobs.running())
          .setAgentVersion(config.agentVersion())
          .setAgentInstance(instance);
      if (standingNotice != null) {
        register.setSpotNotice(standingNotice);
      }
      return register.build();
    }

    @Override
    public void registered(String address, Registered registered) {
      Duration interval =
          registered.getTelemetryIntervalMs() > 0
              ? Duration.ofMillis(registered.getTelemetryIntervalMs())
              : config.defaultTelemetryInterval();
      registrations++;
      if (refusedAsDuplicate) {
        log.info("registered as node {}: no other agent holds it now", config.nodeId());
        refusedAsDuplicate = false;
      }
      storeHold.holdTo(registered);
      leaderAcks = registered.getNodeLeaseMs() > 0;
      lease.granted(Duration.ofMillis(registered.getNodeLeaseMs()), registerSentNanos);
      if (fenced) {
        log.info("registered again after fencing: jobs may start again");
      }
      fenced = false;
      jobs.acceptStarts();
      flushOutbox();
      cancelTelemetry();
      telemetry =
          loop.scheduleAtFixedRate(
              NodeAgent.this::sendTelemetry, 0, interval.toNanos(), TimeUnit.NANOSECONDS);
    }

    /**
     * Queues the command and acts on the queue in slices of loop time: a burst of starts (each one
     * spawns a process) then leaves room between slices for the heartbeats, the leader's
     * acknowledgements and the lease check, instead of holding them back until the whole burst is
     * done (300 starts at once took longer than the fence time and fenced the agent).
     */
    @Override
    public void command(SchedulerMessage command) {
      commands.addLast(new Queued(command, link.stream()));
      if (!draining) {
        draining = true;
        drainLater();
      }
    }

    @Override
    public void disconnected(String address, Status status) {
      cancelTelemetry();
      if (status.getCode() == Status.Code.ALREADY_EXISTS && !refusedAsDuplicate) {
        // Another agent holds the node id. Logged once until this agent registers: it keeps
        // retrying (the link's backoff), as the other may go away.
        refusedAsDuplicate = true;
        log.error(
            "scheduler {} refuses node {} (this agent is instance {}): {}; retrying until it is"
                + " free",
            address,
            config.nodeId(),
            instance,
            status.getDescription());
      }
    }

    @Override
    public void acknowledged(long seq) {
      NodeAgent.this.acknowledged(seq);
    }
  }
}
