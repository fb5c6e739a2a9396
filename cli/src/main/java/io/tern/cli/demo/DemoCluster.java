package io.tern.cli.demo;

import io.tern.agent.spot.LocalImds;
import io.tern.checkpoint.config.CheckpointStoreLocation;
import io.tern.cli.TernCommand;
import io.tern.scheduler.core.model.CapacityType;
import io.tern.scheduler.server.cloud.CloudInstance;
import io.tern.scheduler.server.cloud.LaunchRequest;
import io.tern.scheduler.server.cloud.LaunchResult;
import io.tern.scheduler.server.cloud.local.AgentLaunchCommand;
import io.tern.scheduler.server.cloud.local.LocalCloudConnector;
import io.tern.scheduler.server.cloud.local.LocalPool;
import io.tern.security.pki.LocalCa;
import io.tern.security.pki.TlsLayout;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every process the demo starts, and how to stop them all: {@code tern zk} and {@code tern
 * scheduler} replicas as child JVMs (so that kill -9 of a leader is real), agents as instances of a
 * {@link LocalCloudConnector} (each in a process group of its own), and a {@link LocalImds} that
 * the spot agent watches. Child JVMs run the same class path as this one: the shaded jar under
 * {@code ./tern}, the test class path in tests. Their output goes to {@code DIR/logs}.
 *
 * <p>{@link #close} is idempotent and safe from a shutdown hook: it kills the jobs' process groups,
 * the agents, the schedulers and ZooKeeper. Thread-safe.
 */
final class DemoCluster implements AutoCloseable {
  private static final Pattern JOB_PID = Pattern.compile("#\\d+: started, pid (\\d+)");

  /** A child {@code tern} JVM. */
  record Child(String name, Process process, Path log) {
    boolean alive() {
      return process.isAlive();
    }
  }

  static final String SPOT_POOL = "spot-l4";
  static final String ON_DEMAND_POOL = "on-demand-l4";

  private final Path dir;
  private final Path logs;
  private final List<Child> children = new ArrayList<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final LocalImds imds;
  private final LocalCloudConnector cloud;
  private final TlsLayout tls;
  private volatile String schedulers = "";

  DemoCluster(Path dir) throws IOException {
    this.dir = dir;
    this.logs = Files.createDirectories(dir.resolve("logs"));
    // The agents' store: a new one, initialised here since the demo's schedulers do not use it.
    CheckpointStoreLocation.parse(dir.resolve("checkpoints").toString())
        .initialise(Clock.systemUTC());
    this.imds = LocalImds.start();
    // The demo's own CA: the schedulers serve TLS, each agent presents a certificate naming its
    // node (issued as it launches), and clients need a token.
    this.tls = new TlsLayout(dir.resolve("tls"));
    LocalCa ca = LocalCa.init(tls, List.of(), Duration.ofDays(7), Clock.systemUTC());
    this.cloud =
        new LocalCloudConnector(
            List.of(
                new LocalPool(SPOT_POOL, CapacityType.SPOT, "sim:2xL4:24", 0.70, 1),
                new LocalPool(ON_DEMAND_POOL, CapacityType.ON_DEMAND, "sim:2xL4:24", 1.60, 2)),
            AgentLaunchCommand.withTls(this::agentArgv, ca, tls),
            logs,
            Clock.systemUTC(),
            Duration.ofSeconds(5));
  }

  Path dir() {
    return dir;
  }

  Path logs() {
    return logs;
  }

  /** The demo's CA, the schedulers' certificate and the agents' certificates. */
  TlsLayout tls() {
    return tls;
  }

  LocalImds imds() {
    return imds;
  }

  /** Starts {@code tern ARGS} as a child JVM, its output in {@code logs/NAME.log}. */
  synchronized Child start(String name, String... args) throws IOException {
    List<String> argv = new ArrayList<>(java(name));
    argv.addAll(List.of(args));
    Path log = logs.resolve(name + ".log");
    Process process =
        new ProcessBuilder(argv)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .start();
    Child child = new Child(name, process, log);
    children.add(child);
    return child;
  }

  /** The replicas agents and clients are given, {@code host:port,...}. */
  void schedulers(String addresses) {
    this.schedulers = addresses;
  }

  /** Launches one agent into {@code pool}; returns its node id. */
  String launchAgent(String pool, CapacityType type) {
    LaunchResult result = cloud.launch(LaunchRequest.of(pool, type, 1, Map.of("tern:demo", "1")));
    if (result.launched().isEmpty()) {
      throw new IllegalStateException(
          "could not start an agent in " + pool + ": " + result.failures());
    }
    return result.launched().getFirst().id();
  }

  /** What the spot instance's "cloud" does after a reclaim: terminates it. */
  void terminate(String nodeId) {
    cloud.terminate(List.of(nodeId));
  }

  List<CloudInstance> instances() {
    return cloud.describe();
  }

  Path agentWorkDir(String nodeId) {
    return dir.resolve("agents").resolve(nodeId);
  }

  Path agentLog(String nodeId) {
    return logs.resolve(nodeId + ".log");
  }

  /** The agent's command line: {@code tern agent} with the demo's checkpoint store and IMDS. */
  private List<String> agentArgv(String nodeId, LocalPool pool) {
    List<String> argv =
        new ArrayList<>(
            AgentLaunchCommand.ternAgent(java(nodeId), schedulers, dir.resolve("agents"))
                .argv(nodeId, pool));
    argv.addAll(
        List.of("--checkpoint-store", dir.resolve("checkpoints").toString(), "--stop-grace", "3"));
    if (pool.capacityType() == CapacityType.SPOT) {
      argv.addAll(
          List.of("--imds-endpoint", imds.endpoint().toString(), "--imds-interval-ms", "200"));
    }
    return argv;
  }

  private static List<String> java(String name) {
    return List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m",
        "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1",
        "--enable-native-access=ALL-UNNAMED",
        "-Dtern.process=" + name,
        "-cp",
        System.getProperty("java.class.path"),
        TernCommand.class.getName());
  }

  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The last {@code lines} lines of every log, for a failed step. */
  String logTails(int lines) {
    StringBuilder out = new StringBuilder();
    try (var files = Files.list(logs)) {
      for (Path log : files.sorted().toList()) {
        List<String> all = Files.readAllLines(log);
        out.append("----- ").append(log).append(" (last ").append(lines).append(" lines)\n");
        for (String line : all.subList(Math.max(0, all.size() - lines), all.size())) {
          out.append(line).append('\n');
        }
      }
    } catch (IOException | UncheckedIOException e) {
      out.append("(could not read the logs: ").append(e.getMessage()).append(")\n");
    }
    return out.toString();
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    // Jobs run in process groups of their own: kill those first, then the agents that own them.
    for (CloudInstance instance : cloud.describe()) {
      for (long group : jobGroups(agentLog(instance.id()))) {
        kill(group);
      }
    }
    cloud.close();
    List<Child> all;
    synchronized (this) {
      all = new ArrayList<>(children);
    }
    for (Child child : all.reversed()) {
      child.process().descendants().forEach(ProcessHandle::destroyForcibly);
      child.process().destroyForcibly();
    }
    for (Child child : all) {
      try {
        child.process().waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    imds.close();
  }

  private static List<Long> jobGroups(Path agentLog) {
    List<Long> pids = new ArrayList<>();
    try {
      if (Files.exists(agentLog)) {
        Matcher m = JOB_PID.matcher(Files.readString(agentLog));
        while (m.find()) {
          pids.add(Long.parseLong(m.group(1)));
        }
      }
    } catch (IOException e) {
      // nothing to kill that we know of
    }
    return pids;
  }

  private static void kill(long group) {
    try {
      new ProcessBuilder("kill", "-KILL", "--", "-" + group)
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .start()
          .waitFor(5, TimeUnit.SECONDS);
    } catch (IOException e) {
      ProcessHandle.of(group).ifPresent(ProcessHandle::destroyForcibly);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
