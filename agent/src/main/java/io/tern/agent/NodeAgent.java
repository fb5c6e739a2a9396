package io.tern.agent;

import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import io.grpc.Status;
import io.tern.agent.checkpoint.CheckpointCommitter;
import io.tern.agent.checkpoint.StoreCheckpointRestorer;
import io.tern.agent.gpu.GpuProbe;
import io.tern.agent.job.CheckpointCommits;
import io.tern.agent.job.CheckpointRestorer;
import io.tern.agent.job.JobLauncher;
import io.tern.agent.job.JobLogs;
import io.tern.agent.job.JobSupervisor;
import io.tern.agent.job.WorkDir;
import io.tern.agent.link.Backoff;
import io.tern.agent.link.ChannelFactory;
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
import java.util.Deque;
import java.util.List;
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
 * follower names, else the next address, with backoff) while its jobs keep running; it registers
 * again listing them in {@code running}. Job statuses and spot notices that could not be sent wait
 * in an outbox (at most {@value #OUTBOX_LIMIT}, oldest dropped first) and go out right after the
 * next Registered. A status sent just before a stream broke may be lost; the next Register's {@code
 * running} list is what the leader reconciles against.
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
  private final GpuProbe probe;
  private final ScheduledExecutorService loop;
  private final boolean ownsLoop;
  private final Clock clock;
  private final SchedulerLink link;
  private final JobSupervisor jobs;
  private final JobLogs logs;
  private final CheckpointCommitter committer; // null without a checkpoint store
  private final Deque<AgentMessage> outbox = new ArrayDeque<>();
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
    this.probe = probe;
    this.loop = loop;
    this.ownsLoop = ownsLoop;
    this.clock = clock;
    this.lastGpus = probe.sample();
    WorkDir workDir = new WorkDir(config.workDir());
    this.logs = new JobLogs(workDir);
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
            new JobLauncher(workDir, lastGpus.size(), restorer, System.getenv()),
            loop,
            clock,
            config.defaultGrace(),
            new JobSupervisor.Listener() {
              @Override
              public void status(JobStatus status) {
                sendOrQueue(AgentMessage.newBuilder().setJobStatus(status).build());
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

  private static ScheduledExecutorService ownLoop() {
    return Executors.newSingleThreadScheduledExecutor(
        r -> {
          Thread t = new Thread(r, "tern-agent");
          t.setDaemon(true);
          return t;
        });
  }

  /** Connects to the scheduler; once. */
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
    loop.execute(link::start);
  }

  /** Reports a spot notice now, or right after the next registration. */
  public void report(SpotNotice notice) {
    loop.execute(() -> sendOrQueue(AgentMessage.newBuilder().setSpotNotice(notice).build()));
  }

  /** The attempts running now. */
  public List<RunningAttempt> running() {
    return onLoop(jobs::running);
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
                () ->
                    config.stopJobsOnClose()
                        ? jobs.stopAll("the agent is shutting down")
                        : CompletableFuture.<Void>completedFuture(null));
        Duration longest = onLoop(jobs::longestGrace);
        try {
          // Every job gets SIGKILL after its grace; allow that much, and some for the exits.
          stopped.get(longest.plusSeconds(30).toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
          log.error("jobs did not exit after SIGKILL; closing anyway");
        }
        onLoop(
            () -> {
              cancelTelemetry();
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
          () -> sendOrQueue(AgentMessage.newBuilder().setCheckpointCommitted(committed).build()));
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
      var chunk =
          logs.read(
              request.getJobId(),
              request.getAttempt(),
              request.getOffset(),
              Math.max(1, Math.min(request.getMaxBytes(), JobLogs.MAX_CHUNK)));
      answer.setData(ByteString.copyFrom(chunk.data())).setNextOffset(chunk.nextOffset());
    } catch (java.nio.file.NoSuchFileException e) {
      answer.setError(
          "no log for "
              + request.getJobId()
              + " attempt "
              + request.getAttempt()
              + " on this node");
    } catch (IOException | IllegalArgumentException e) {
      answer.setError("cannot read the log: " + e.getMessage());
    }
    return AgentMessage.newBuilder().setLogData(answer).build();
  }

  /** Sends in order: behind anything still waiting in the outbox. */
  private void sendOrQueue(AgentMessage message) {
    if (outbox.size() >= OUTBOX_LIMIT) {
      log.warn("outbox full; dropping {}", outbox.pollFirst().getKindCase());
    }
    outbox.addLast(message);
    flushOutbox();
  }

  private void flushOutbox() {
    while (!outbox.isEmpty() && link.send(outbox.peekFirst())) {
      outbox.pollFirst();
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
    Instant now = clock.instant();
    Telemetry sample =
        Telemetry.newBuilder()
            .setSampledAt(
                Timestamp.newBuilder().setSeconds(now.getEpochSecond()).setNanos(now.getNano()))
            .addAllGpus(sampleGpus())
            .build();
    link.sendIfReady(AgentMessage.newBuilder().setTelemetry(sample).build());
  }

  private void cancelTelemetry() {
    if (telemetry != null) {
      telemetry.cancel(false);
      telemetry = null;
    }
  }

  private final class LinkListener implements SchedulerLink.Listener {
    @Override
    public Register registration() {
      return Register.newBuilder()
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
          .build();
    }

    @Override
    public void registered(String address, Registered registered) {
      Duration interval =
          registered.getTelemetryIntervalMs() > 0
              ? Duration.ofMillis(registered.getTelemetryIntervalMs())
              : config.defaultTelemetryInterval();
      flushOutbox();
      cancelTelemetry();
      telemetry =
          loop.scheduleAtFixedRate(
              NodeAgent.this::sendTelemetry, 0, interval.toNanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    public void command(SchedulerMessage command) {
      switch (command.getKindCase()) {
        case START_JOB -> jobs.start(command.getStartJob());
        case STOP_JOB -> jobs.stop(command.getStopJob());
        case CHECKPOINT_JOB -> jobs.checkpoint(command.getCheckpointJob());
        case READ_LOGS -> sendOrQueue(readLogs(command.getReadLogs()));
        default -> log.warn("unexpected {}; ignored", command.getKindCase());
      }
    }

    @Override
    public void disconnected(String address, Status status) {
      cancelTelemetry();
    }
  }
}
