package io.tern.cli.server;

import io.tern.cli.UserInputException;
import io.tern.cli.simulate.ConsoleSimulator;
import io.tern.scheduler.server.SchedulerConfig;
import io.tern.scheduler.server.SchedulerServer;
import io.tern.scheduler.server.cloud.CloudConfig;
import io.tern.scheduler.server.cloud.CloudSetup;
import io.tern.scheduler.server.console.ConsoleSettings;
import io.tern.scheduler.server.loop.SchedulerSettings;
import io.tern.security.pki.TlsLayout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code tern scheduler}: one scheduler replica. */
@Command(
    name = "scheduler",
    description = {
      "Run a scheduler replica; run two or three on one ZooKeeper for HA.",
      "One leads; the others stand by and point clients and agents to it."
    })
public final class SchedulerCommand implements Callable<Integer> {
  @Option(
      names = "--zk",
      required = true,
      paramLabel = "HOST:PORT[,...]",
      description = "ZooKeeper connection string.")
  String zk;

  @Option(
      names = "--port",
      defaultValue = "50051",
      description = "gRPC port (default ${DEFAULT-VALUE}).")
  int port;

  @Option(
      names = "--bind",
      defaultValue = "0.0.0.0",
      description = "Interface to listen on (default ${DEFAULT-VALUE}).")
  String bind;

  @Option(
      names = "--advertise",
      paramLabel = "HOST",
      description =
          "Host name clients and agents reach this replica at (default: this host's name).")
  String advertise;

  @Option(
      names = "--metrics-port",
      defaultValue = "9464",
      description = "Prometheus /metrics port; -1 disables it (default ${DEFAULT-VALUE}).")
  int metricsPort;

  @Option(
      names = "--console-port",
      paramLabel = "PORT",
      description =
          "Web console port (HTTPS with --tls-dir); -1: none. Default "
              + ConsoleSettings.DEFAULT_PORT
              + ", skipped with a warning when taken (a second replica on one host); a port given"
              + " here must be free.")
  Integer consolePort;

  @Option(
      names = "--simulation-traces",
      paramLabel = "DIR",
      description =
          "Job traces (.csv, native or Alibaba pod lists) and spot sets (directories of spot"
              + " traces) that the web console's Simulations page offers, read at start. Without"
              + " it the page offers seeded synthetic workloads and uploads.")
  Path simulationTraces;

  @Option(
      names = "--zk-root",
      defaultValue = "/tern",
      description = "ZooKeeper path of Tern's state (default ${DEFAULT-VALUE}).")
  String zkRoot;

  @Option(
      names = "--node-lease",
      defaultValue = "15",
      paramLabel = "SECONDS",
      description =
          "Seconds without a heartbeat before a node is lost and its jobs move (default ${DEFAULT-VALUE}).")
  int nodeLeaseSeconds;

  @Option(
      names = "--zk-session-timeout",
      defaultValue = "3",
      paramLabel = "SECONDS",
      description =
          "ZooKeeper session timeout: how fast a standby takes over from a dead leader (default ${DEFAULT-VALUE}).")
  int sessionSeconds;

  @Option(
      names = "--cloud",
      defaultValue = "none",
      paramLabel = "none|local|ec2",
      description =
          "Where the leader launches nodes for jobs that fit none: none (only agents started by"
              + " hand), local (tern agent processes with simulated GPUs on this machine) or ec2"
              + " (default ${DEFAULT-VALUE}).")
  String cloud;

  @Option(
      names = "--pools",
      paramLabel = "FILE",
      description =
          "YAML file of the pools to launch into (id, capacity, instanceType, zone, gpusPerNode,"
              + " gpuModel, gpuMemoryGiB, cpu, memoryGiB, pricePerHourUsd, maxNodes; gpus:"
              + " sim:COUNTxMODEL[:MEMGiB] for local; instanceTypes, placements, imageId,"
              + " maxSpotPriceUsd and an ec2 section with region for ec2) and optional scaling"
              + " settings; required with --cloud local|ec2.")
  Path poolsFile;

  @Option(
      names = "--local-dir",
      paramLabel = "DIR",
      description =
          "With --cloud local: where launched agents keep their work and logs (default: a new"
              + " temporary directory).")
  Path localDir;

  @Option(
      names = "--checkpoint-store",
      paramLabel = "LOCATION",
      description =
          "The store the agents use (--checkpoint-store of tern agent: a path, file:///PATH or"
              + " s3://BUCKET/PREFIX[?endpoint=URL]): tern submit uploads the code of jobs into its"
              + " workdirs/ for the agents to fetch. Without it the scheduler refuses code, and"
              + " jobs run in their attempt folder or an absolute workdir.")
  String checkpointStore;

  @Option(
      names = "--keep-checkpoints",
      paramLabel = "DURATION",
      description =
          "With --checkpoint-store: how long the checkpoints of a finished job (succeeded, failed"
              + " or cancelled) stay in the store before the leader deletes them: a duration (7d,"
              + " 12h, 30m) or 'forever'. Its attempt and success records stay. Checkpoints are"
              + " for resuming: save results elsewhere. Default: 7d.")
  String keepCheckpoints;

  @Mixin SecurityFlags security;

  /**
   * {@code --keep-checkpoints}: a duration, or empty for "forever".
   *
   * @throws UserInputException naming the flag (exit 2)
   */
  static Optional<Duration> keepCheckpoints(String text) {
    String t = text.trim();
    if (t.equalsIgnoreCase("forever")) {
      return Optional.empty();
    }
    Duration keep =
        io.tern.scheduler.spec.Durations.parse(t)
            .orElseThrow(
                () ->
                    new UserInputException(
                        "--keep-checkpoints: '"
                            + text
                            + "' is neither a duration (7d, 12h, 30m) nor 'forever'"));
    return Optional.of(keep);
  }

  @Override
  public Integer call() throws Exception {
    if (port < 0 || port > 65535) {
      throw new UserInputException("--port: must be 0..65535, got " + port);
    }
    if (nodeLeaseSeconds < 2) {
      throw new UserInputException("--node-lease: must be at least 2 seconds");
    }
    if (consolePort != null && (consolePort < -1 || consolePort > 65535)) {
      throw new UserInputException(
          "--console-port: must be 0..65535, or -1 for none; got " + consolePort);
    }
    if (keepCheckpoints != null && checkpointStore == null) {
      throw new UserInputException(
          "--keep-checkpoints: only with --checkpoint-store (the store whose checkpoints it keeps)");
    }
    Optional<Duration> keep = keepCheckpoints(keepCheckpoints == null ? "7d" : keepCheckpoints);
    String host = advertise != null ? advertise : java.net.InetAddress.getLocalHost().getHostName();
    SchedulerSettings defaults = SchedulerSettings.defaults();
    SchedulerConfig config =
        new SchedulerConfig(
            zk,
            zkRoot,
            bind,
            port,
            host,
            metricsPort,
            Duration.ofSeconds(sessionSeconds),
            SchedulerSettings.defaults()
                .withNodeLease(Duration.ofSeconds(nodeLeaseSeconds))
                .withPacing(defaults.planDelay(), defaults.tick()),
            security.settings(),
            (consolePort == null
                    ? new ConsoleSettings(ConsoleSettings.DEFAULT_PORT, true)
                    : ConsoleSettings.on(consolePort))
                .withSimulations(
                    consolePort != null && consolePort == -1 ? null : consoleSimulator()));
    if (security.tlsDir != null
        && Files.exists(new TlsLayout(security.tlsDir).caKey())
        && !cloud.trim().equalsIgnoreCase("local")) {
      System.err.println(
          "warning: "
              + new TlsLayout(security.tlsDir).caKey()
              + " is on this host; a scheduler needs it only with --cloud local. Anyone who reads"
              + " it can make agent certificates: keep it elsewhere.");
    }
    SchedulerServer server = new SchedulerServer(config, Clock.systemUTC(), cloudSetup());
    if (checkpointStore != null) {
      // Agents commit checkpoints and prune each job's older ones; the leader retires finished
      // jobs' checkpoints and keeps the code jobs take with them.
      server.withCheckpointStore(
          io.tern.cli.agent.AgentFlags.checkpointStore(checkpointStore)
              .open(io.tern.checkpoint.CheckpointStoreSettings.of(1, Clock.systemUTC())),
          keep);
    }
    server.start();
    CountDownLatch stop = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    server.close();
                  } catch (Exception e) {
                    // exiting anyway
                  } finally {
                    stop.countDown();
                  }
                }));
    System.out.println(
        "scheduler replica "
            + server.address()
            + " (ZooKeeper "
            + zk
            + ")"
            + (server.metricsPort() > 0 ? ", metrics on :" + server.metricsPort() + "/metrics" : "")
            + (server.consolePort() > 0
                ? ", console on "
                    + (config.security().tls() != null ? "https://" : "http://")
                    + host
                    + ":"
                    + server.consolePort()
                    + "/"
                : "")
            + (config.security().authenticates()
                ? ", TLS with tokens and agent certificates"
                : ", PLAINTEXT without authentication (local use only)"));
    System.out.flush();
    stop.await();
    return 0;
  }

  /**
   * The simulator the console's Simulations page runs, over --simulation-traces if given (read only
   * when there is a console to offer it: the directory is walked at start).
   */
  private ConsoleSimulator consoleSimulator() {
    try {
      return new ConsoleSimulator(simulationTraces);
    } catch (IllegalArgumentException e) {
      throw new UserInputException(e.getMessage());
    }
  }

  /** The cloud the leader autoscales into, from --cloud, --pools and --local-dir. */
  private CloudSetup cloudSetup() throws IOException {
    CloudConfig config =
        new CloudConfig(cloud, poolsFile, localDir, security.tlsDir, security.tlsCert != null);
    try {
      return config.setup(Clock.systemUTC(), System.out);
    } catch (CloudConfig.InvalidCloudConfigException e) {
      String flag =
          switch (e.field()) {
            case "cloud" -> "--cloud";
            case "poolsFile" -> "--pools";
            case "localDir" -> "--local-dir";
            default -> "--tls-dir";
          };
      throw new UserInputException(flag + ": " + e.problem());
    }
  }
}
