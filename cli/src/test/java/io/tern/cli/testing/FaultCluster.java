package io.tern.cli.testing;

import static org.awaitility.Awaitility.await;

import com.google.protobuf.Duration;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.tern.api.v1.CheckpointPolicy;
import io.tern.api.v1.ClusterServiceGrpc;
import io.tern.api.v1.GetJobRequest;
import io.tern.api.v1.Job;
import io.tern.api.v1.JobServiceGrpc;
import io.tern.api.v1.JobSpec;
import io.tern.api.v1.JobState;
import io.tern.api.v1.ListNodesRequest;
import io.tern.api.v1.RequeueJobRequest;
import io.tern.api.v1.Resources;
import io.tern.api.v1.SubmitJobRequest;
import io.tern.checkpoint.config.CheckpointStoreLocation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A whole cluster of real processes for fault tests: {@code tern zk} (restartable on its port and
 * data), one {@code tern scheduler} with a short node lease, and {@code tern agent}s with simulated
 * GPUs that can be killed with -9 alone (their jobs live on), stopped and continued. Jobs run
 * {@link StepLog#SCRIPT}, all logging to one file.
 */
public final class FaultCluster implements AutoCloseable {
  /** The node lease the scheduler runs with, in seconds: agents fence after ~4.5 s. */
  public static final int LEASE_SECONDS = 8;

  private final Path root;
  private final int zkPort = TernProcess.freePort();
  private final int port = TernProcess.freePort();
  private final Path script;
  private final Path stepLog;
  private final List<TernProcess> retired = new ArrayList<>();
  private final Map<String, TernProcess> agents = new LinkedHashMap<>();
  private final Map<String, Integer> agentStarts = new LinkedHashMap<>();
  private TernProcess zk;
  private int zkStarts;
  private final Path checkpoints;
  private final List<String> schedulerFlags;
  private int schedulerStarts;
  private TernProcess scheduler;
  private final ManagedChannel channel;
  private final JobServiceGrpc.JobServiceBlockingStub jobs;

  public FaultCluster(Path root) throws IOException {
    this(root, false);
  }

  /**
   * @param keepsCode whether the scheduler shares the agents' checkpoint store, so that {@code tern
   *     submit} ships the code of jobs
   */
  public FaultCluster(Path root, boolean keepsCode) throws IOException {
    this(root, keepsCode, root.resolve("checkpoints"));
  }

  /**
   * @param checkpoints the agents' checkpoint store: another cluster's, to share one store
   */
  public FaultCluster(Path root, boolean keepsCode, Path checkpoints) throws IOException {
    this(root, keepsCode, checkpoints, List.of());
  }

  /**
   * @param schedulerFlags more flags for {@code tern scheduler}
   */
  public FaultCluster(Path root, boolean keepsCode, Path checkpoints, List<String> schedulerFlags)
      throws IOException {
    this.root = root;
    this.checkpoints = checkpoints;
    if (!keepsCode) {
      // No scheduler has the store to initialise it: done by hand, as tern admin init-store does.
      CheckpointStoreLocation.parse(checkpoints.toString()).initialise(java.time.Clock.systemUTC());
    }
    this.script = root.resolve("steps.sh");
    this.stepLog = root.resolve("steps.log");
    Files.writeString(script, StepLog.SCRIPT);
    startZk();
    List<String> flags =
        new ArrayList<>(
            List.of(
                "scheduler",
                "--zk",
                "127.0.0.1:" + zkPort,
                "--port",
                "" + port,
                "--advertise",
                "127.0.0.1",
                "--metrics-port",
                "-1",
                "--node-lease",
                "" + LEASE_SECONDS));
    if (keepsCode) {
      flags.addAll(List.of("--checkpoint-store", checkpoints().toString()));
    }
    flags.addAll(schedulerFlags);
    this.schedulerFlags = List.copyOf(flags);
    channel =
        Grpc.newChannelBuilder("127.0.0.1:" + port, InsecureChannelCredentials.create()).build();
    jobs = JobServiceGrpc.newBlockingStub(channel);
    startScheduler();
  }

  /** Starts the scheduler and waits until it leads. */
  private void startScheduler() {
    int n = ++schedulerStarts;
    scheduler =
        TernProcess.start(
            root, n == 1 ? "scheduler" : "scheduler-" + n, schedulerFlags.toArray(String[]::new));
    var cluster = ClusterServiceGrpc.newBlockingStub(channel);
    await("the scheduler leads")
        .atMost(java.time.Duration.ofSeconds(60))
        .pollInterval(java.time.Duration.ofMillis(200))
        .ignoreExceptions()
        .until(() -> cluster.listNodes(ListNodesRequest.getDefaultInstance()) != null);
  }

  /** kill -9 of the scheduler, then a new one on the same ZooKeeper (the next epoch). */
  public void restartScheduler() {
    scheduler.killAlone();
    retired.add(scheduler);
    startScheduler();
  }

  /** The scheduler's address, host:port, for {@code tern --scheduler}. */
  public String address() {
    return "127.0.0.1:" + port;
  }

  public Path root() {
    return root;
  }

  /**
   * The checkpoint store the agents (and, when it keeps code, the scheduler) use: initialised by
   * the scheduler when it keeps code, else by the cluster before anything starts.
   */
  public Path checkpoints() {
    return checkpoints;
  }

  public TernProcess scheduler() {
    return scheduler;
  }

  /** Starts (or restarts, same work dir) the agent of {@code nodeId}, with {@code gpus} GPUs. */
  public TernProcess startAgent(String nodeId, int gpus) {
    TernProcess old = agents.get(nodeId);
    if (old != null) {
      retired.add(old);
    }
    int n = agentStarts.merge(nodeId, 1, Integer::sum);
    TernProcess agent =
        TernProcess.start(
            root,
            "agent-" + nodeId + "-" + n,
            "agent",
            "--scheduler",
            "127.0.0.1:" + port,
            "--node-id",
            nodeId,
            "--capacity",
            "on-demand",
            "--gpus",
            "sim:" + gpus + "xA100:40",
            "--work-dir",
            root.resolve("work-" + nodeId).toString(),
            "--checkpoint-store",
            checkpoints().toString(),
            "--stop-grace",
            "3");
    agents.put(nodeId, agent);
    return agent;
  }

  public TernProcess agent(String nodeId) {
    return agents.get(nodeId);
  }

  /** kill -9 of ZooKeeper: the scheduler loses its quorum. */
  public void stopZk() {
    zk.killAlone();
  }

  /** ZooKeeper again, on the same port and data. */
  public void startZk() {
    if (zk != null) {
      retired.add(zk);
    }
    zk =
        TernProcess.start(
            root,
            "zk-" + ++zkStarts,
            "zk",
            "--port",
            "" + zkPort,
            "--data",
            root.resolve("zk").toString());
    zk.awaitOutput("ZooKeeper listening", java.time.Duration.ofSeconds(60));
  }

  /** Submits a one-GPU job of {@code total} steps, {@code pace} s each; returns its id. */
  public String submit(String name, int total, double pace, int every) {
    JobSpec spec =
        JobSpec.newBuilder()
            .setName(name)
            .setTeam("faults")
            .addAllCommand(
                List.of(
                    "bash",
                    script.toString(),
                    stepLog.toString(),
                    "" + total,
                    "" + pace,
                    "" + every))
            .setResources(Resources.newBuilder().setGpus(1).setNodes(1))
            .setCheckpoint(
                CheckpointPolicy.newBuilder()
                    .setSignal("SIGUSR1")
                    .setGrace(Duration.newBuilder().setSeconds(3)))
            .setRetries(3)
            .build();
    // Right after a ZooKeeper restart no replica leads for a moment and a submit is refused
    // (UNAVAILABLE, nothing stored): ask again, as a client would.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      try {
        return jobs.withDeadlineAfter(30, TimeUnit.SECONDS)
            .submitJob(SubmitJobRequest.newBuilder().setSpec(spec).build())
            .getJob()
            .getId();
      } catch (io.grpc.StatusRuntimeException e) {
        if (e.getStatus().getCode() != io.grpc.Status.Code.UNAVAILABLE
            || System.nanoTime() > deadline) {
          throw e;
        }
        java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(250));
      }
    }
  }

  /** Checkpoints (or stops) the running job and queues it again ({@code tern requeue}). */
  public Job requeue(String id) {
    return jobs.withDeadlineAfter(10, TimeUnit.SECONDS)
        .requeueJob(RequeueJobRequest.newBuilder().setJobId(id).build());
  }

  public Job job(String id) {
    return jobs.withDeadlineAfter(10, TimeUnit.SECONDS)
        .getJob(GetJobRequest.newBuilder().setJobId(id).build());
  }

  /** The job's state, or null while the scheduler does not answer (no leader). */
  public JobState stateOrNull(String id) {
    try {
      return job(id).getState();
    } catch (RuntimeException e) {
      return null;
    }
  }

  public StepLog steps() {
    return StepLog.read(stepLog);
  }

  /** Stops everything, and every job process that ever logged a step. */
  @Override
  public void close() {
    for (TernProcess agent : agents.values()) {
      if (agent.alive()) {
        agent.signal("CONT");
      }
    }
    channel.shutdownNow();
    agents.values().forEach(TernProcess::close);
    retired.forEach(TernProcess::close);
    scheduler.close();
    if (zk != null) {
      zk.close();
    }
    for (long pid : steps().pids()) {
      ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
      try {
        new ProcessBuilder("kill", "-s", "KILL", "--", "-" + pid)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start()
            .waitFor();
      } catch (IOException e) {
        // nothing left to kill
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
