package io.tern.cli.agent;

import io.tern.agent.AgentConfig;
import io.tern.agent.AgentRuntime;
import io.tern.agent.AgentRuntime.Settings;
import io.tern.agent.gpu.GpuProbeSpec;
import io.tern.checkpoint.config.CheckpointStoreLocation;
import io.tern.cli.UserInputException;
import io.tern.cli.client.ClientConfig;
import io.tern.security.pki.TlsLayout;
import io.tern.security.tls.ClientTls;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tern agent}: the node agent of one GPU host. */
@Command(
    name = "agent",
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = {
      "Run the node agent of this host: register with the leader scheduler, report GPU telemetry,"
          + " run the jobs placed here and report what happens to them. Jobs keep running while"
          + " the agent reconnects after a scheduler failover; they are stopped (SIGTERM, then"
          + " SIGKILL after their grace) when the agent exits, unless --keep-jobs-on-exit.",
      "",
      "Exactly once: every job runs under a shim that records it in the work dir; a starting"
          + " agent stops jobs an earlier agent left running, and reports jobs that ended"
          + " meanwhile, before it registers. An agent no leader has acknowledged for longer than"
          + " about 57%% of the scheduler's --node-lease (8.5 s of 15 s) fences itself: the shims"
          + " send the checkpoint signal (SIGTERM for jobs without one) and SIGKILL by 90%% of the"
          + " lease, even when the agent was killed or paused, so the scheduler never resumes a job"
          + " elsewhere while it still runs here.",
      "Examples:",
      "  tern agent --scheduler s1:50051,s2:50051 --node-id gpu-07 --capacity on-demand --gpus nvml",
      "  tern agent --scheduler localhost:50051 --node-id sim-1 --capacity spot --gpus sim:8xH100",
      "  tern agent --scheduler s1:50051 --node-id spot-3 --capacity spot --gpus nvml \\",
      "      --imds-endpoint http://169.254.169.254 --checkpoint-store s3://ckpts/tern",
      "",
      "Checkpoints: each job's TERN_CHECKPOINT_DIR is watched; every NAME/ with NAME.done beside it"
          + " is committed to the checkpoint store, under clusters/CLUSTER_ID/JOB_ID/ (the id the"
          + " scheduler sends: each cluster numbers its jobs from job-000001), the newest"
          + " --keep-checkpoints per job kept, and announced to the scheduler, which resumes the"
          + " job from it elsewhere. Each attempt"
          + " is recorded in the store when it starts, and the store refuses commits from attempts"
          + " that were replaced. Commits that fail (a full store) are retried with a back-off,"
          + " older checkpoints are pruned to make room, and the job's status says so. The default"
          + " store, ${TERN_HOME:-~/.tern}/checkpoints, is shared by the agents of one machine;"
          + " agents on different hosts need a shared filesystem or s3:// location. An agent makes"
          + " no store folder but its default: a file store is the folder holding .tern-store.json,"
          + " which the cluster's first tern scheduler --checkpoint-store (or tern admin"
          + " init-store) writes, and until it is there (a volume not mounted) starts that need"
          + " the store wait for it.",
      ""
    })
public final class AgentCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec commandSpec;

  @Option(
      names = "--scheduler",
      required = true,
      paramLabel = "HOST:PORT[,...]",
      description = "Scheduler replicas; any will do, followers point to the leader.")
  String schedulers;

  @Option(
      names = "--node-id",
      required = true,
      paramLabel = "ID",
      description = "This node's id, unique in the cluster.")
  String nodeId;

  @Option(
      names = "--capacity",
      required = true,
      paramLabel = "spot|on-demand",
      description = "Whether this node is spot (may be reclaimed) or on-demand capacity.")
  String capacity;

  @Option(
      names = "--gpus",
      required = true,
      paramLabel = "nvml|sim:COUNTxMODEL[:MEMGiB]",
      description =
          "The real GPUs through NVML, or simulated ones, e.g. sim:8xH100 or sim:2xL4:24.")
  String gpus;

  @Option(
      names = "--nvml-lib",
      paramLabel = "PATH",
      description = "The NVML library to load with --gpus nvml (default: the system's).")
  Path nvmlLibrary;

  @Option(
      names = "--pool",
      defaultValue = "local",
      paramLabel = "POOL",
      description =
          "Instance type and zone, e.g. p4d.24xlarge/us-east-1a (default ${DEFAULT-VALUE}).")
  String pool;

  @Option(
      names = "--price",
      defaultValue = "0",
      paramLabel = "USD",
      description = "What this node costs per hour in US dollars (default ${DEFAULT-VALUE}).")
  double price;

  @Option(
      names = "--label",
      paramLabel = "KEY=VALUE",
      description = "A label for placement constraints; repeatable.")
  Map<String, String> labels = new LinkedHashMap<>();

  @Option(
      names = "--work-dir",
      paramLabel = "DIR",
      description = "Where job logs and checkpoints go (default ~/.tern/agent/NODE_ID).")
  Path workDir;

  @Option(
      names = "--stop-grace",
      defaultValue = "10",
      paramLabel = "SECONDS",
      description =
          "Time between SIGTERM and SIGKILL for jobs whose spec gives no checkpoint grace"
              + " (default ${DEFAULT-VALUE}).")
  int stopGraceSeconds;

  @Option(
      names = "--keep-jobs-on-exit",
      description =
          "Leave jobs running when the agent exits. They stop anyway once the agent's lease runs"
              + " out (their shims send the checkpoint signal, then SIGKILL), and the next agent"
              + " started here stops any still running before it registers.")
  boolean keepJobsOnExit;

  @Option(
      names = "--job-shim",
      defaultValue = "auto",
      paramLabel = "auto|native|bash",
      description =
          "What each job runs under: the native shim built for this machine, or job-shim.sh"
              + " (setsid, bash and setpriv: several program starts per job). auto takes the"
              + " native one where it runs (default ${DEFAULT-VALUE}).")
  String jobShim;

  @Option(
      names = "--checkpoint-store",
      paramLabel = "LOCATION",
      description =
          "Where checkpoints are committed and restored from: a path, file:///PATH,"
              + " file:///PATH?quota=SIZE (e.g. 50GiB: commits over it fail as on a full disk),"
              + " s3://BUCKET/PREFIX or s3://BUCKET/PREFIX?endpoint=URL (default"
              + " ${TERN_HOME:-~/.tern}/checkpoints, shared by the agents of this machine).")
  String checkpointStore;

  @Option(
      names = "--keep-checkpoints",
      defaultValue = "3",
      paramLabel = "N",
      description = "Checkpoints kept per job in the store (default ${DEFAULT-VALUE}).")
  int keepCheckpoints;

  @Option(
      names = "--keep-finished",
      defaultValue = "7d",
      paramLabel = "DURATION|forever",
      description =
          "How long the folder of an attempt that ended here (WORK_DIR/jobs/JOB/attempt-N: its"
              + " log, which tern logs reads, its checkpoints and run folder) stays once the"
              + " scheduler has its end, e.g. 12h, 7d; at least 10m; forever keeps every one"
              + " (default ${DEFAULT-VALUE}).")
  String keepFinished;

  @Option(
      names = "--imds-endpoint",
      paramLabel = "URL",
      description =
          "Watch this instance metadata service for spot notices (instance-action, rebalance) and"
              + " report them at once; on an EC2 spot instance: http://169.254.169.254. Not"
              + " watched unless given; the agent does not start when it is given and nothing"
              + " answers there.")
  String imdsEndpoint;

  @Option(
      names = "--imds-interval-ms",
      defaultValue = "5000",
      paramLabel = "MS",
      description = "How often the metadata service is polled (default ${DEFAULT-VALUE}).")
  long imdsIntervalMs;

  @Option(
      names = "--tls-dir",
      paramLabel = "DIR",
      description =
          "Speak TLS to the scheduler, trusting DIR/ca.pem and presenting DIR/agents/NODE.pem and"
              + " .key (made by 'tern admin certs agent NODE').")
  Path tlsDir;

  @Option(
      names = "--tls-ca",
      paramLabel = "FILE",
      description = "The CA of the scheduler's certificate (PEM), instead of --tls-dir's.")
  Path tlsCa;

  @Option(
      names = "--tls-cert",
      paramLabel = "FILE",
      description = "This agent's certificate (PEM; its CN is the node id), with --tls-ca.")
  Path tlsCert;

  @Option(names = "--tls-key", paramLabel = "FILE", description = "Its key (PEM), with --tls-cert.")
  Path tlsKey;

  @Option(
      names = "--metrics-port",
      paramLabel = "PORT",
      defaultValue = "-1",
      description =
          "Serve this agent's Prometheus metrics (GPUs, job processes, checkpoint commits and"
              + " restores) on PORT; 0 picks one; -1 (default) serves none.")
  int metricsPort = -1;

  @Override
  public Integer call() throws InterruptedException {
    if (metricsPort < -1 || metricsPort > 65535) {
      throw new UserInputException(
          "--metrics-port: expected 0..65535, or -1 for none; got " + metricsPort);
    }
    Settings settings = settings();
    try {
      AgentRuntime.requireImds(settings);
    } catch (IOException e) {
      throw new UserInputException(
          "--imds-endpoint: "
              + e.getMessage()
              + "; a spot node that cannot read it never hears of a reclaim. Give the metadata"
              + " service's URL (on EC2: http://169.254.169.254), or leave the flag out.");
    }
    if (checkpointStore == null) {
      // The default store is a folder on this machine's own disk, not a volume that may be
      // unmounted: the agent initialises it. A store it is given is never made by an agent.
      try {
        settings.checkpointStore().initialise(Clock.systemUTC());
      } catch (IOException e) {
        throw new IllegalStateException(
            "cannot initialise the checkpoint store "
                + settings.checkpointStore().path()
                + ": "
                + e.getMessage(),
            e);
      }
    }
    CountDownLatch stop = new CountDownLatch(1);
    CountDownLatch closed = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  stop.countDown(); // SIGTERM or Ctrl-C: close the agent before the JVM exits
                  try {
                    closed.await();
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                },
                "tern-agent-shutdown"));
    return run(settings, stop, closed);
  }

  /** Runs the agent until {@code stop} opens, then closes it and opens {@code closed}. */
  int run(Settings settings, CountDownLatch stop, CountDownLatch closed)
      throws InterruptedException {
    try (AgentRuntime agent = AgentRuntime.start(settings, Clock.systemUTC(), metricsPort)) {
      PrintWriter out = commandSpec.commandLine().getOut();
      out.println(agent.describe());
      out.flush();
      stop.await();
    } catch (InterruptedException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(e.getMessage(), e);
    } finally {
      closed.countDown();
    }
    return 0;
  }

  /** The TLS files from --tls-dir or --tls-ca/--tls-cert/--tls-key; null for plaintext. */
  private ClientTls tls(String id) {
    boolean explicit = tlsCa != null || tlsCert != null || tlsKey != null;
    if (tlsDir != null && explicit) {
      throw new UserInputException("--tls-dir: give it or --tls-ca/--tls-cert/--tls-key, not both");
    }
    ClientTls tls;
    if (tlsDir != null) {
      TlsLayout layout = new TlsLayout(tlsDir);
      tls = new ClientTls(layout.caCertificate(), layout.agentCertificate(id), layout.agentKey(id));
    } else if (explicit) {
      if (tlsCa == null || tlsCert == null || tlsKey == null) {
        throw new UserInputException(
            (tlsCa == null ? "--tls-ca" : tlsCert == null ? "--tls-cert" : "--tls-key")
                + ": --tls-ca, --tls-cert and --tls-key go together");
      }
      tls = new ClientTls(tlsCa, tlsCert, tlsKey);
    } else {
      return null;
    }
    for (Path file : List.of(tls.ca(), tls.certificateChain(), tls.privateKey())) {
      if (!Files.isRegularFile(file)) {
        throw new UserInputException(
            (tlsDir != null ? "--tls-dir" : "--tls-ca/--tls-cert/--tls-key")
                + ": no file "
                + file
                + (tlsDir != null
                    ? " (make it with: tern admin certs agent " + id + " --dir " + tlsDir + ")"
                    : ""));
      }
    }
    return tls;
  }

  /**
   * The shortest --keep-finished: a finished attempt's checkpoints are committed (or given up) and
   * its end acknowledged well within it.
   */
  static final Duration MIN_KEEP_FINISHED = Duration.ofMinutes(10);

  /** The checked flags; every error names its flag. */
  Settings settings() {
    String id = AgentFlags.nodeId(nodeId);
    GpuProbeSpec gpuSpec = AgentFlags.gpus(gpus);
    if (nvmlLibrary != null && !Files.isRegularFile(nvmlLibrary)) {
      throw new UserInputException("--nvml-lib " + nvmlLibrary + ": no such file");
    }
    if (stopGraceSeconds < 0) {
      throw new UserInputException("--stop-grace: must be 0 or more seconds");
    }
    if (keepCheckpoints < 1) {
      throw new UserInputException("--keep-checkpoints: must be 1 or more");
    }
    Duration keep = null;
    if (!keepFinished.trim().equals("forever")) {
      keep =
          io.tern.scheduler.spec.Durations.parse(keepFinished)
              .orElseThrow(
                  () ->
                      new UserInputException(
                          "--keep-finished: expected a duration (e.g. 12h, 7d) or forever, got \""
                              + keepFinished
                              + "\""));
      if (keep.compareTo(MIN_KEEP_FINISHED) < 0) {
        throw new UserInputException(
            "--keep-finished: must be at least 10m (e.g. 12h, 7d) or forever, got \""
                + keepFinished
                + "\"");
      }
    }
    if (imdsIntervalMs < 1) {
      throw new UserInputException("--imds-interval-ms: must be 1 or more");
    }
    Path dir =
        workDir != null
            ? workDir
            : ClientConfig.userHome(System.getenv()).resolve(".tern").resolve("agent").resolve(id);
    CheckpointStoreLocation store =
        AgentFlags.checkpointStore(
            checkpointStore != null
                ? checkpointStore
                : ternHome().resolve("checkpoints").toAbsolutePath().toString());
    AgentConfig config =
        AgentConfig.builder(id, AgentFlags.schedulers(schedulers), dir)
            .capacityType(AgentFlags.capacity(capacity))
            .pool(pool)
            .pricePerHourUsd(AgentFlags.price(price))
            .labels(labels)
            .defaultGrace(Duration.ofSeconds(stopGraceSeconds))
            .stopJobsOnClose(!keepJobsOnExit)
            .jobShim(AgentFlags.jobShim(jobShim))
            // The default store, on this machine's own disk, is no store a cluster shares.
            .reportsStore(checkpointStore != null)
            .keepFinished(keep)
            .build();
    return new Settings(
        config,
        tls(id),
        gpuSpec,
        Optional.ofNullable(nvmlLibrary),
        Optional.ofNullable(imdsEndpoint).map(AgentFlags::imdsEndpoint),
        Duration.ofMillis(imdsIntervalMs),
        store,
        keepCheckpoints);
  }

  /** {@code $TERN_HOME}, else {@code ~/.tern}. */
  static Path ternHome() {
    String home = System.getenv("TERN_HOME");
    return home != null && !home.isBlank()
        ? Path.of(home)
        : ClientConfig.userHome(System.getenv()).resolve(".tern");
  }
}
