package io.tern.cli.bench;

import io.tern.checkpoint.config.CheckpointStoreLocation;
import io.tern.cli.TernCommand;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A plaintext cluster of {@code tern} processes on this machine for benchmarks: {@code tern zk},
 * one {@code tern scheduler} and {@code tern agent}s with simulated GPUs, each a child JVM on this
 * JVM's class path (the shaded jar under {@code ./tern}, the test class path in tests), its output
 * in {@code DIR/logs/NAME.log}. Closing it kills them all, their jobs included.
 */
final class LocalTernCluster implements AutoCloseable {
  private final Path dir;
  private final Path logs;
  private final List<Process> children = new ArrayList<>();
  private final List<String> names = new ArrayList<>();
  private final String scheduler;

  /**
   * Starts ZooKeeper and the scheduler; {@link #scheduler()} answers once it leads.
   *
   * @param basePort ZooKeeper's port, the scheduler's the next one; 0 for any free ports
   */
  LocalTernCluster(Path dir, int basePort) throws IOException {
    this.dir = dir;
    this.logs = Files.createDirectories(dir.resolve("logs"));
    // The agents' store: initialised here, since the scheduler does not use it.
    CheckpointStoreLocation.parse(dir.resolve("checkpoints").toString())
        .initialise(java.time.Clock.systemUTC());
    int zkPort = basePort == 0 ? freePort() : basePort;
    int port = basePort == 0 ? freePort() : basePort + 1;
    start("zk", "zk", "--port", String.valueOf(zkPort), "--data", dir.resolve("zk").toString());
    start(
        "scheduler",
        "scheduler",
        "--zk",
        "127.0.0.1:" + zkPort,
        "--port",
        String.valueOf(port),
        "--advertise",
        "127.0.0.1",
        "--metrics-port",
        "-1",
        "--console-port",
        "-1");
    this.scheduler = "127.0.0.1:" + port;
  }

  String scheduler() {
    return scheduler;
  }

  Path logs() {
    return logs;
  }

  /**
   * Starts an on-demand agent with {@code gpus} simulated H100s, its jobs under {@code jobShim}
   * (auto, native or bash), its checkpoint store in this cluster's directory.
   */
  void startAgent(String nodeId, int gpus, String jobShim) throws IOException {
    start(
        nodeId,
        "agent",
        "--scheduler",
        scheduler,
        "--node-id",
        nodeId,
        "--capacity",
        "on-demand",
        "--gpus",
        "sim:" + gpus + "xH100:80",
        "--work-dir",
        dir.resolve("agents").resolve(nodeId).toString(),
        "--checkpoint-store",
        dir.resolve("checkpoints").toString(),
        "--job-shim",
        jobShim);
  }

  /**
   * The JVM flags the launchers ({@code ./tern}, {@code deploy/bin/tern}) give agents and {@code
   * tern zk}: C1 only, since C2's compiles cost those small, steady processes more CPU than they
   * saved. The scheduler keeps C2.
   */
  static final List<String> LIGHT_JVM = List.of("-XX:TieredStopAtLevel=1");

  private void start(String name, String... args) throws IOException {
    List<String> argv =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC"));
    if (!args[0].equals("scheduler")) {
      argv.addAll(LIGHT_JVM);
    }
    argv.addAll(
        List.of(
            "--enable-native-access=ALL-UNNAMED",
            "-Dtern.process=" + name,
            "-cp",
            System.getProperty("java.class.path"),
            TernCommand.class.getName()));
    argv.addAll(List.of(args));
    names.add(name);
    children.add(
        new ProcessBuilder(argv)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(logs.resolve(name + ".log").toFile()))
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .start());
  }

  /**
   * CPU seconds used so far by ZooKeeper, the scheduler, the agents, and the agents' reaped
   * children (job shims and jobs), from {@code /proc/PID/stat}; all 0 where there is no {@code
   * /proc}.
   */
  CpuSeconds cpuSeconds() {
    double[] sums = new double[4];
    for (int i = 0; i < children.size(); i++) {
      long[] ticks = cpuTicks(children.get(i).pid());
      String name = names.get(i);
      int slot = name.equals("zk") ? 0 : name.equals("scheduler") ? 1 : 2;
      sums[slot] += (ticks[0] + ticks[1]) / TICKS_PER_SECOND;
      if (slot == 2) {
        sums[3] += (ticks[2] + ticks[3]) / TICKS_PER_SECOND;
      }
    }
    return new CpuSeconds(sums[0], sums[1], sums[2], sums[3]);
  }

  /** CPU seconds by process kind; see {@link #cpuSeconds}. */
  record CpuSeconds(double zk, double scheduler, double agents, double jobs) {
    CpuSeconds minus(CpuSeconds before) {
      return new CpuSeconds(
          zk - before.zk, scheduler - before.scheduler, agents - before.agents, jobs - before.jobs);
    }
  }

  /** Linux's USER_HZ, which /proc/PID/stat counts in on every common architecture. */
  private static final double TICKS_PER_SECOND = 100.0;

  /** utime, stime, cutime and cstime of {@code pid}; zeros when it cannot be read. */
  private static long[] cpuTicks(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      // Fields after the command (which may hold spaces), from field 3 (state) on.
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return new long[] {
        Long.parseLong(f[11]), Long.parseLong(f[12]), Long.parseLong(f[13]), Long.parseLong(f[14])
      };
    } catch (IOException | RuntimeException e) {
      return new long[4];
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    for (Process child : children.reversed()) {
      child.descendants().forEach(ProcessHandle::destroyForcibly);
      child.destroyForcibly();
    }
    for (Process child : children) {
      try {
        child.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
