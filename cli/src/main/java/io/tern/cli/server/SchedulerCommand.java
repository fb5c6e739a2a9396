package io.tern.cli.server;

import io.tern.cli.UserInputException;
import io.tern.scheduler.server.SchedulerConfig;
import io.tern.scheduler.server.SchedulerServer;
import io.tern.scheduler.server.cloud.CloudSetup;
import io.tern.scheduler.server.cloud.PoolsFile;
import io.tern.scheduler.server.cloud.ec2.Ec2Setup;
import io.tern.scheduler.server.cloud.local.AgentCommand;
import io.tern.scheduler.server.cloud.local.LocalCloudConnector;
import io.tern.scheduler.server.cloud.local.LocalPool;
import io.tern.scheduler.server.loop.SchedulerSettings;
import io.tern.security.pki.LocalCa;
import io.tern.security.pki.TlsLayout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;

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

  @Mixin SecurityFlags security;

  @Override
  public Integer call() throws Exception {
    if (port < 0 || port > 65535) {
      throw new UserInputException("--port: must be 0..65535, got " + port);
    }
    if (nodeLeaseSeconds < 2) {
      throw new UserInputException("--node-lease: must be at least 2 seconds");
    }
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
            security.settings());
    if (security.tlsDir != null
        && Files.exists(new TlsLayout(security.tlsDir).caKey())
        && !cloud.trim().equalsIgnoreCase("local")) {
      System.err.println(
          "warning: "
              + new TlsLayout(security.tlsDir).caKey()
              + " is on this host; a scheduler needs it only with --cloud local. Anyone who reads"
              + " it can make agent certificates: keep it elsewhere.");
    }
    SchedulerServer server = new SchedulerServer(config, Clock.systemUTC(), cloudSetup()).start();
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
            + (config.security().authenticates()
                ? ", TLS with tokens and agent certificates"
                : ", PLAINTEXT without authentication (local use only)"));
    System.out.flush();
    stop.await();
    return 0;
  }

  /**
   * EC2: the pools file's ec2 section says where; credentials come from the AWS SDK's default chain
   * (environment, profile, instance role), resolved on the first call.
   */
  private CloudSetup ec2Setup(String text) {
    try {
      PoolsFile pools = PoolsFile.parseEc2(text);
      Path dir = poolsFile.toAbsolutePath().getParent();
      CloudSetup setup =
          Ec2Setup.cloudSetup(
              pools, dir, DefaultCredentialsProvider.builder().build(), Clock.systemUTC());
      System.out.println(
          "ec2 cloud: "
              + pools.ec2Pools().size()
              + " pool(s) in "
              + pools.ec2().region()
              + (pools.ec2().endpoint() != null ? " via " + pools.ec2().endpoint() : "")
              + ", instances tagged tern:node="
              + pools.ec2().cluster());
      return setup;
    } catch (PoolsFile.InvalidPoolsException e) {
      throw new UserInputException("--pools " + poolsFile + ": " + e.getMessage());
    }
  }

  /**
   * With TLS on, launched agents need certificates for their nodes: issued from the CA key in
   * --tls-dir as each one starts.
   */
  private AgentCommand agentCommand(AgentCommand plain) {
    if (security.tlsDir == null) {
      if (security.tlsCert != null) {
        throw new UserInputException(
            "--cloud local: with TLS, give --tls-dir with the CA key (ca.key) so launched agents"
                + " get certificates");
      }
      return plain;
    }
    TlsLayout layout = new TlsLayout(security.tlsDir);
    try {
      return AgentCommand.withTls(plain, LocalCa.open(layout, Clock.systemUTC()), layout);
    } catch (IOException e) {
      throw new UserInputException(
          "--tls-dir: --cloud local issues agents' certificates: " + e.getMessage());
    }
  }

  /** The cloud the leader autoscales into, from --cloud and --pools. */
  private CloudSetup cloudSetup() throws IOException {
    String kind = cloud.trim().toLowerCase(Locale.ROOT);
    switch (kind) {
      case "none" -> {
        if (poolsFile != null) {
          throw new UserInputException("--pools: only with --cloud local or ec2");
        }
        return CloudSetup.none();
      }
      case "local", "ec2" -> {}
      default ->
          throw new UserInputException(
              "--cloud: expected none, local or ec2, got \"" + cloud + "\"");
    }
    if (poolsFile == null) {
      throw new UserInputException("--pools: required with --cloud " + kind);
    }
    String text;
    try {
      text = Files.readString(poolsFile);
    } catch (IOException e) {
      throw new UserInputException("--pools: cannot read " + poolsFile + ": " + e.getMessage());
    }
    if (kind.equals("ec2")) {
      return ec2Setup(text);
    }
    var os =
        (com.sun.management.OperatingSystemMXBean)
            java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    PoolsFile pools;
    try {
      pools =
          PoolsFile.parse(
              text,
              true,
              Runtime.getRuntime().availableProcessors(),
              os.getTotalMemorySize() / (1024.0 * 1024 * 1024));
    } catch (PoolsFile.InvalidPoolsException e) {
      throw new UserInputException("--pools " + poolsFile + ": " + e.getMessage());
    }
    Path root = localDir != null ? localDir : Files.createTempDirectory("tern-local-cloud");
    Files.createDirectories(root);
    Path java =
        ProcessHandle.current()
            .info()
            .command()
            .map(Path::of)
            .orElse(Path.of(System.getProperty("java.home"), "bin", "java"));
    String classpath = System.getProperty("java.class.path");
    List<LocalPool> localPools = pools.localPools();
    System.out.println(
        "local cloud: "
            + localPools.size()
            + " pool(s), agents work in "
            + root.resolve("agents")
            + ", logs in "
            + root.resolve("logs"));
    return new CloudSetup(
        pools.pools(),
        pools.settings(),
        address ->
            new LocalCloudConnector(
                localPools,
                agentCommand(
                    AgentCommand.ternAgent(java, classpath, address, root.resolve("agents"))),
                root.resolve("logs"),
                Clock.systemUTC(),
                Duration.ofSeconds(10)));
  }
}
