package io.tern.cli.agent;

import io.tern.agent.AgentConfig;
import io.tern.agent.NodeAgent;
import io.tern.agent.gpu.GpuProbe;
import io.tern.agent.gpu.GpuProbeSpec;
import io.tern.cli.UserInputException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
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
      "Examples:",
      "  tern agent --scheduler s1:50051,s2:50051 --node-id gpu-07 --capacity on-demand --gpus nvml",
      "  tern agent --scheduler localhost:50051 --node-id sim-1 --capacity spot --gpus sim:8xH100",
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
      description = "Leave jobs running when the agent exits (they cannot be adopted later).")
  boolean keepJobsOnExit;

  @Option(
      names = "--imds-endpoint",
      paramLabel = "URL",
      description =
          "Instance metadata endpoint for spot notices (default http://169.254.169.254)."
              + " Accepted; the spot-notice watcher is not part of this build yet.")
  String imdsEndpoint;

  @Override
  public Integer call() throws InterruptedException {
    Settings settings = settings();
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
    try {
      PrintWriter err = commandSpec.commandLine().getErr();
      if (settings.imdsEndpoint().isPresent()) {
        err.println(
            "tern agent: note: --imds-endpoint "
                + settings.imdsEndpoint().get()
                + " accepted, but spot notices are not watched in this build");
        err.flush();
      }
      GpuProbe probe = settings.gpus().open(settings.config().nodeId(), settings.nvmlLibrary());
      try (NodeAgent agent = NodeAgent.create(settings.config(), probe)) {
        agent.start();
        PrintWriter out = commandSpec.commandLine().getOut();
        out.println(
            "node agent "
                + settings.config().nodeId()
                + " ("
                + settings.gpus()
                + ", "
                + settings.config().capacityType()
                + ") reporting to "
                + String.join(",", settings.config().schedulers())
                + "; jobs in "
                + settings.config().workDir());
        out.flush();
        stop.await();
      }
      return 0;
    } finally {
      closed.countDown();
    }
  }

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
    Path dir =
        workDir != null ? workDir : Path.of(System.getProperty("user.home"), ".tern", "agent", id);
    AgentConfig config =
        AgentConfig.builder(id, AgentFlags.schedulers(schedulers), dir)
            .capacityType(AgentFlags.capacity(capacity))
            .pool(pool)
            .pricePerHourUsd(AgentFlags.price(price))
            .labels(labels)
            .defaultGrace(Duration.ofSeconds(stopGraceSeconds))
            .stopJobsOnClose(!keepJobsOnExit)
            .build();
    return new Settings(
        config,
        gpuSpec,
        Optional.ofNullable(nvmlLibrary),
        Optional.ofNullable(imdsEndpoint).map(AgentFlags::imdsEndpoint));
  }

  /** What the flags say. */
  record Settings(
      AgentConfig config,
      GpuProbeSpec gpus,
      Optional<Path> nvmlLibrary,
      Optional<java.net.URI> imdsEndpoint) {}
}
