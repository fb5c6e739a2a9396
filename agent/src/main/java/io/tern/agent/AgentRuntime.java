package io.tern.agent;

import io.tern.agent.gpu.GpuProbe;
import io.tern.agent.gpu.GpuProbeSpec;
import io.tern.agent.job.AttemptId;
import io.tern.agent.job.FinishedAttempts;
import io.tern.agent.job.WorkDir;
import io.tern.agent.job.WorkDirLock;
import io.tern.agent.link.ChannelFactory;
import io.tern.agent.metrics.AgentMetrics;
import io.tern.agent.spot.SpotInterruptionWatcher;
import io.tern.checkpoint.CheckpointStore;
import io.tern.checkpoint.CheckpointStoreSettings;
import io.tern.checkpoint.config.CheckpointStoreLocation;
import io.tern.security.tls.ClientTls;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node agent process, wired: the GPU probe, the checkpoint store, the {@link NodeAgent} and the
 * spot-notice watcher, from {@link Settings}. {@code tern agent} only turns its flags into those
 * settings. Started once by {@link #start}, closed once by {@link #close} (the watcher, then the
 * agent with its jobs and last commits, then the store). Not thread-safe.
 */
public final class AgentRuntime implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AgentRuntime.class);

  /**
   * What one agent process runs with.
   *
   * @param config the node agent's own configuration
   * @param tls the TLS files to reach the scheduler with; null for plaintext
   * @param gpus real GPUs through NVML, or simulated ones
   * @param nvmlLibrary the NVML library to load for {@code nvml}; empty for the system's
   * @param imdsEndpoint the instance metadata service to watch for spot notices; empty for none
   * @param imdsInterval how often it is polled
   * @param checkpointStore where checkpoints are committed and restored from
   * @param keepCheckpoints checkpoints kept per job in the store
   */
  public record Settings(
      AgentConfig config,
      ClientTls tls,
      GpuProbeSpec gpus,
      Optional<Path> nvmlLibrary,
      Optional<URI> imdsEndpoint,
      Duration imdsInterval,
      CheckpointStoreLocation checkpointStore,
      int keepCheckpoints) {
    public Settings {
      Objects.requireNonNull(config, "config");
      Objects.requireNonNull(gpus, "gpus");
      Objects.requireNonNull(nvmlLibrary, "nvmlLibrary");
      Objects.requireNonNull(imdsEndpoint, "imdsEndpoint");
      Objects.requireNonNull(imdsInterval, "imdsInterval");
      Objects.requireNonNull(checkpointStore, "checkpointStore");
    }
  }

  private final Settings settings;
  private final WorkDirLock lock;
  private final AgentMetrics metrics;
  private final int metricsPort;
  private final CheckpointStore store;
  private final NodeAgent agent;
  private final AutoCloseable watcher;

  private AgentRuntime(
      Settings settings,
      WorkDirLock lock,
      AgentMetrics metrics,
      int metricsPort,
      CheckpointStore store,
      NodeAgent agent,
      AutoCloseable watcher) {
    this.settings = settings;
    this.lock = lock;
    this.metrics = metrics;
    this.metricsPort = metricsPort;
    this.store = store;
    this.agent = agent;
    this.watcher = watcher;
  }

  /**
   * Refuses an {@code imdsEndpoint} where nothing answers: such a spot node would run jobs and
   * never hear of its reclaim, losing their work since the last periodic checkpoint each time, with
   * nothing to show for it. Failing is what makes the mistake visible (the unit fails, the node
   * never registers). On EC2 the metadata service is up before any process; a restart (systemd's,
   * with its back-off) covers a slow boot.
   *
   * @throws IOException when the endpoint did not answer three tries a second apart
   */
  public static void requireImds(Settings settings) throws IOException {
    if (settings.imdsEndpoint().isEmpty()) {
      return;
    }
    try (SpotInterruptionWatcher probe =
        new SpotInterruptionWatcher(
            settings.imdsEndpoint().get(), settings.imdsInterval(), notice -> {})) {
      probe.requireReachable(3, Duration.ofSeconds(1));
    }
  }

  /**
   * Opens the probe and the store, starts the agent (it registers with a leader in the background)
   * and, with an {@code imdsEndpoint}, the spot-notice watcher.
   *
   * @param clock the checkpoint store's clock
   */
  public static AgentRuntime start(Settings settings, Clock clock) throws IOException {
    return start(settings, clock, -1);
  }

  /**
   * As {@link #start(Settings, Clock)}, serving the agent's own Prometheus metrics ({@link
   * AgentMetrics}: per-GPU utilization and memory, job processes, checkpoint commit and restore
   * times) on {@code metricsPort}: -1 for none, 0 for any free port.
   */
  public static AgentRuntime start(Settings settings, Clock clock, int metricsPort)
      throws IOException {
    WorkDirLock lock = WorkDirLock.acquire(new WorkDir(settings.config().workDir()));
    GpuProbe probe;
    try {
      probe = settings.gpus().open(settings.config().nodeId(), settings.nvmlLibrary());
    } catch (RuntimeException e) {
      closeQuietly(lock, e);
      throw e;
    }
    AgentMetrics metrics = new AgentMetrics();
    CheckpointStore store = null;
    NodeAgent agent = null;
    AutoCloseable watcher = null;
    try {
      store = metrics.timed(openStore(settings, clock));
      agent = NodeAgent.create(settings.config(), probe, store, channels(settings.tls()));
      watcher = watchSpotNotices(settings, agent);
      agent.start();
      AutoCloseable sweeper = sweepFinishedAttempts(settings.config(), agent, clock);
      AutoCloseable notices = watcher;
      watcher =
          () -> {
            try (AutoCloseable n = notices;
                AutoCloseable f = sweeper) {
              // the sweeper first, then the notices
            }
          };
      int port = -1;
      if (metricsPort >= 0) {
        metrics.watch(settings.config().nodeId(), agent);
        port = metrics.serve("0.0.0.0", metricsPort);
      }
      return new AgentRuntime(settings, lock, metrics, port, store, agent, watcher);
    } catch (IOException | RuntimeException e) {
      closeQuietly(watcher, e);
      closeQuietly(agent, e);
      closeQuietly(store, e);
      closeQuietly(metrics, e);
      closeQuietly(lock, e);
      throw e;
    }
  }

  /**
   * One line for the log: the node, its GPUs, where it reports, where its jobs and checkpoints go.
   */
  public String describe() {
    return "node agent "
        + settings.config().nodeId()
        + " ("
        + settings.gpus()
        + ", "
        + settings.config().capacityType()
        + ") reporting to "
        + String.join(",", settings.config().schedulers())
        + (settings.tls() == null ? " (plaintext)" : " (TLS)")
        + "; jobs in "
        + settings.config().workDir()
        + "; checkpoints in "
        + where(settings.checkpointStore())
        + settings.imdsEndpoint().map(u -> "; spot notices from " + u).orElse("")
        + (metricsPort >= 0 ? "; metrics on :" + metricsPort + "/metrics" : "");
  }

  public NodeAgent agent() {
    return agent;
  }

  @Override
  public void close() throws Exception {
    try (WorkDirLock l = lock;
        AgentMetrics m = metrics;
        CheckpointStore s = store;
        NodeAgent a = agent;
        AutoCloseable w = watcher) {
      // closed in reverse: the watcher, the agent (its jobs and their last commits), the store, and
      // the metrics endpoint, and the work dir's lock last
    }
  }

  private static void closeQuietly(AutoCloseable c, Exception cause) {
    if (c == null) {
      return;
    }
    try {
      c.close();
    } catch (Exception e) {
      cause.addSuppressed(e);
    }
  }

  private static ChannelFactory channels(ClientTls tls) throws IOException {
    return tls == null ? ChannelFactory.plaintext() : ChannelFactory.tls(tls);
  }

  private static String where(CheckpointStoreLocation location) {
    URI uri = location.uri();
    return "file".equals(uri.getScheme())
        ? location.path() + (uri.getQuery() == null ? "" : " (" + uri.getQuery() + ")")
        : uri.toString();
  }

  /**
   * Opens the store. An agent never makes or initialises a file store (the scheduler does): a
   * folder that is missing or holds no marker may be a volume not mounted, so starts that need the
   * store wait on it as store faults until it is there. The agent checks it when it starts, once it
   * holds it to the store its leader last named, and the log says what it finds.
   */
  private static CheckpointStore openStore(Settings settings, Clock clock) throws IOException {
    return settings
        .checkpointStore()
        .open(CheckpointStoreSettings.of(settings.keepCheckpoints(), clock));
  }

  /**
   * How often the folders of finished attempts are looked over, the first time a minute after the
   * agent started (after what an earlier agent left is settled).
   */
  static final Duration SWEEP_EVERY = Duration.ofMinutes(10);

  static final Duration FIRST_SWEEP = Duration.ofMinutes(1);

  /**
   * Removes the folders of attempts that ended {@code keepFinished} ago, every {@link #SWEEP_EVERY}
   * on a thread of its own (a large folder takes a while to remove).
   */
  private static AutoCloseable sweepFinishedAttempts(
      AgentConfig config, NodeAgent agent, Clock clock) {
    if (config.keepFinished() == null) {
      return () -> {};
    }
    FinishedAttempts finished =
        new FinishedAttempts(new WorkDir(config.workDir()), config.keepFinished());
    java.util.concurrent.ScheduledExecutorService thread =
        java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "tern-finished-attempts");
              t.setDaemon(true);
              return t;
            });
    thread.scheduleWithFixedDelay(
        () -> {
          try {
            java.util.Set<AttemptId> running = new java.util.HashSet<>();
            agent.running().forEach(r -> running.add(new AttemptId(r.getJobId(), r.getAttempt())));
            finished.sweep(running, clock.instant());
          } catch (RuntimeException e) {
            log.warn("cannot look over the finished attempts' folders: {}", e.toString());
          }
        },
        FIRST_SWEEP.toMillis(),
        SWEEP_EVERY.toMillis(),
        java.util.concurrent.TimeUnit.MILLISECONDS);
    return thread::shutdownNow;
  }

  private static AutoCloseable watchSpotNotices(Settings settings, NodeAgent agent) {
    if (settings.imdsEndpoint().isEmpty()) {
      return () -> {};
    }
    SpotInterruptionWatcher watcher =
        new SpotInterruptionWatcher(
            settings.imdsEndpoint().get(), settings.imdsInterval(), agent::report);
    watcher.start();
    return watcher;
  }
}
