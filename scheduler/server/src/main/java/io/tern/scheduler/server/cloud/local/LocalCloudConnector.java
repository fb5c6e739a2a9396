package io.tern.scheduler.server.cloud.local;

import io.tern.scheduler.server.cloud.CloudConnector;
import io.tern.scheduler.server.cloud.CloudException;
import io.tern.scheduler.server.cloud.CloudInstance;
import io.tern.scheduler.server.cloud.LaunchFailure;
import io.tern.scheduler.server.cloud.LaunchRequest;
import io.tern.scheduler.server.cloud.LaunchResult;
import io.tern.scheduler.server.cloud.SpotPrice;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * "Instances" that are processes on this machine, normally {@code tern agent} with simulated GPUs
 * (see {@link AgentLaunchCommand#ternAgent}), for the demo and end-to-end tests. Each instance runs
 * in a process group of its own (through {@code setsid}), so terminating it signals everything it
 * started: SIGTERM to the group, then SIGKILL to the group and any stray descendants after the
 * grace period. Output goes to {@code LOGDIR/NODE_ID.log}. Node ids are {@code local-PID-N}, with
 * this JVM's pid so two schedulers on one machine never collide. Pools have a size limit to act out
 * INSUFFICIENT_CAPACITY. Thread-safe; {@link #close} stops every process.
 */
public final class LocalCloudConnector implements CloudConnector {
  private static final Logger log = LoggerFactory.getLogger(LocalCloudConnector.class);
  private static final Path SETSID = Path.of("/usr/bin/setsid");

  private record Running(CloudInstance instance, Process process) {}

  private final Map<String, LocalPool> pools = new TreeMap<>();
  private final AgentLaunchCommand command;
  private final Path logDir;
  private final Clock clock;
  private final Duration grace;
  private final Map<String, Running> instances = new TreeMap<>();
  private final String prefix = "local-" + ProcessHandle.current().pid() + "-";
  private int launches;

  /**
   * @param grace how long an instance gets between SIGTERM and SIGKILL
   */
  public LocalCloudConnector(
      List<LocalPool> pools, AgentLaunchCommand command, Path logDir, Clock clock, Duration grace) {
    for (LocalPool p : pools) {
      this.pools.put(p.id(), p);
    }
    this.command = command;
    this.logDir = logDir;
    this.clock = clock;
    this.grace = grace;
  }

  @Override
  public synchronized LaunchResult launch(LaunchRequest request) {
    LocalPool pool = pools.get(request.poolId());
    if (pool == null) {
      throw new CloudException("no local pool " + request.poolId());
    }
    List<CloudInstance> launched = new ArrayList<>();
    List<LaunchFailure> failures = new ArrayList<>();
    for (int i = 0; i < request.count(); i++) {
      if (live(pool.id()) >= pool.maxInstances()) {
        failures.add(
            new LaunchFailure(
                pool.id(),
                "local",
                "local",
                LaunchFailure.Reason.INSUFFICIENT_CAPACITY,
                "InsufficientInstanceCapacity",
                "local pool " + pool.id() + " holds at most " + pool.maxInstances()));
        break;
      }
      String nodeId = prefix + (++launches);
      try {
        launched.add(start(nodeId, pool));
      } catch (IOException e) {
        failures.add(
            new LaunchFailure(
                pool.id(), "local", "local", LaunchFailure.Reason.OTHER, null, e.getMessage()));
        break;
      }
    }
    return new LaunchResult(request, launched, failures);
  }

  @Override
  public synchronized List<CloudInstance> describe() {
    List<CloudInstance> out = new ArrayList<>();
    for (Running r : instances.values()) {
      out.add(current(r));
    }
    return out;
  }

  @Override
  public void terminate(Collection<String> instanceIds) {
    List<Process> stopping = new ArrayList<>();
    List<ProcessHandle> descendants = new ArrayList<>();
    synchronized (this) {
      for (String id : instanceIds) {
        Running r = instances.get(id);
        if (r != null && r.process().isAlive()) {
          // Before the signal: once the parent is gone its children are no longer its descendants.
          r.process().descendants().forEach(descendants::add);
          signalGroup(r.process(), "TERM");
          stopping.add(r.process());
        }
      }
    }
    Instant deadline = clock.instant().plus(grace);
    for (Process p : stopping) {
      long waitMs = Math.max(0, Duration.between(clock.instant(), deadline).toMillis());
      try {
        p.onExit().get(waitMs, TimeUnit.MILLISECONDS);
      } catch (TimeoutException | ExecutionException e) {
        log.info("local instance {} did not stop within {}: killing it", p.pid(), grace);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (p.isAlive()) {
        signalGroup(p, "KILL");
      }
      p.destroyForcibly();
    }
    // Anything that left the group (an agent's jobs run in groups of their own).
    descendants.forEach(ProcessHandle::destroyForcibly);
  }

  @Override
  public List<SpotPrice> spotPriceHistory(String poolId) {
    return List.of(); // fixed prices: there is no market
  }

  @Override
  public void close() {
    List<String> ids;
    synchronized (this) {
      ids = new ArrayList<>(instances.keySet());
    }
    terminate(ids);
  }

  private CloudInstance start(String nodeId, LocalPool pool) throws IOException {
    List<String> argv = new ArrayList<>();
    if (Files.isExecutable(SETSID)) {
      argv.add(SETSID.toString());
    }
    argv.addAll(command.argv(nodeId, pool));
    Files.createDirectories(logDir);
    Path logFile = logDir.resolve(nodeId + ".log");
    Process process =
        new ProcessBuilder(argv)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            .start();
    CloudInstance instance =
        new CloudInstance(
            nodeId,
            pool.id(),
            pool.capacityType(),
            "local",
            "local",
            CloudInstance.State.RUNNING,
            clock.instant());
    instances.put(nodeId, new Running(instance, process));
    log.info("local instance {} ({}) started as pid {}", nodeId, pool.id(), process.pid());
    return instance;
  }

  private int live(String poolId) {
    int n = 0;
    for (Running r : instances.values()) {
      if (r.instance().poolId().equals(poolId) && r.process().isAlive()) {
        n++;
      }
    }
    return n;
  }

  private static CloudInstance current(Running r) {
    CloudInstance i = r.instance();
    CloudInstance.State state =
        r.process().isAlive() ? CloudInstance.State.RUNNING : CloudInstance.State.TERMINATED;
    return new CloudInstance(
        i.id(), i.poolId(), i.capacityType(), i.instanceType(), i.zone(), state, i.launchedAt());
  }

  /** Signals the instance's process group (its pid, thanks to setsid), or just the process. */
  private static void signalGroup(Process p, String signal) {
    try {
      Process kill =
          new ProcessBuilder("kill", "-" + signal, "--", "-" + p.pid())
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      if (kill.waitFor(5, TimeUnit.SECONDS) && kill.exitValue() == 0) {
        return;
      }
    } catch (IOException e) {
      log.debug("kill -{} of group {} failed", signal, p.pid(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if ("KILL".equals(signal)) {
      p.destroyForcibly();
    } else {
      p.destroy();
    }
  }
}
