package io.tern.cli.testing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A real {@code tern} process (zk, scheduler, agent) started from this test JVM's classpath, its
 * output in a file. {@link #kill()} is kill -9 of the process and everything it started.
 */
public final class TernProcess implements AutoCloseable {
  private final String name;
  private final Process process;
  private final Path log;

  private TernProcess(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
  }

  public static TernProcess start(Path dir, String name, String... args) {
    return start(dir, name, List.of(), builder -> {}, args);
  }

  /**
   * As a user's shell runs it from {@code cwd} ({@code cd DIR && tern ...}); the log goes to {@code
   * logDir}.
   */
  public static TernProcess startIn(Path cwd, Path logDir, String name, String... args) {
    return start(logDir, name, List.of(), builder -> builder.directory(cwd.toFile()), args);
  }

  /**
   * As a newcomer's shell runs it: {@code home} as the home directory and none of the {@code
   * TERN_*} variables, so nothing but built-in defaults is configured.
   */
  public static TernProcess startUnconfigured(Path dir, String name, Path home, String... args) {
    return start(
        dir,
        name,
        withLauncherFlags("-Duser.home=" + home),
        builder -> {
          builder.environment().keySet().removeIf(key -> key.startsWith("TERN_"));
          builder.environment().put("HOME", home.toString());
        },
        args);
  }

  /** {@code flags} and the JVM flags ./tern adds (its jar's manifest grants native access). */
  private static List<String> withLauncherFlags(String... flags) {
    List<String> all = new ArrayList<>(List.of(flags));
    all.add("--enable-native-access=ALL-UNNAMED");
    if (Runtime.version().feature() >= 23) {
      all.add("--sun-misc-unsafe-memory-access=allow");
    }
    return all;
  }

  private static TernProcess start(
      Path dir,
      String name,
      List<String> jvmFlags,
      java.util.function.Consumer<ProcessBuilder> setUp,
      String... args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx256m");
    command.add("-XX:+UseSerialGC");
    command.add("-XX:TieredStopAtLevel=1");
    command.addAll(jvmFlags);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add("io.tern.cli.TernCommand");
    command.addAll(List.of(args));
    Path log = dir.resolve(name + ".log");
    try {
      ProcessBuilder builder =
          new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
      setUp.accept(builder);
      Process process = builder.start();
      return new TernProcess(name, process, log);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String output() {
    try {
      return Files.exists(log) ? Files.readString(log) : "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Waits until the process has printed {@code text}; fails early if it exits. */
  public TernProcess awaitOutput(String text, Duration atMost) {
    await()
        .atMost(atMost)
        .pollInterval(Duration.ofMillis(100))
        .failFast(name + " exited:\n" + output(), () -> !process.isAlive())
        .until(() -> output().contains(text));
    return this;
  }

  public boolean alive() {
    return process.isAlive();
  }

  public long pid() {
    return process.pid();
  }

  /** kill -9 of this process alone: what it started (an agent's job shims and jobs) lives on. */
  public void killAlone() {
    process.destroyForcibly();
    try {
      process.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Sends {@code signal} (e.g. "STOP", "CONT", "TERM") to this process alone. */
  public void signal(String signal) {
    try {
      int code =
          new ProcessBuilder("kill", "-s", signal, Long.toString(process.pid())).start().waitFor();
      if (code != 0) {
        throw new IllegalStateException("kill -s " + signal + " " + process.pid() + " failed");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The exit code; the process must have exited. */
  public int exitCode() {
    return process.exitValue();
  }

  /** Waits up to {@code atMost} for the process to exit; true if it did. */
  public boolean awaitExit(Duration atMost) throws InterruptedException {
    return process.waitFor(atMost.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
  }

  /** kill -9, of the process and its descendants (an agent's jobs too). */
  public void kill() {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
    try {
      process.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroy();
      try {
        if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
          kill();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        kill();
      }
    }
    process.descendants().forEach(ProcessHandle::destroyForcibly);
  }

  @Override
  public String toString() {
    return name + " (pid " + process.pid() + ")";
  }
}
