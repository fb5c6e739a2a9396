package io.tern.cli.bench;

import com.google.common.io.MoreFiles;
import com.google.protobuf.Timestamp;
import io.grpc.Channel;
import io.grpc.stub.StreamObserver;
import io.tern.api.v1.Attempt;
import io.tern.api.v1.ClusterServiceGrpc;
import io.tern.api.v1.Job;
import io.tern.api.v1.JobServiceGrpc;
import io.tern.api.v1.JobSpec;
import io.tern.api.v1.JobState;
import io.tern.api.v1.ListJobsRequest;
import io.tern.api.v1.ListJobsResponse;
import io.tern.api.v1.ListNodesRequest;
import io.tern.api.v1.NodeState;
import io.tern.api.v1.Resources;
import io.tern.api.v1.SubmitJobRequest;
import io.tern.api.v1.SubmitJobResponse;
import io.tern.api.v1.WatchJobRequest;
import io.tern.cli.CommandModels;
import io.tern.cli.OutputFormat;
import io.tern.cli.OutputOptions;
import io.tern.cli.UserInputException;
import io.tern.cli.agent.AgentFlags;
import io.tern.cli.client.SchedulerClient;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tern bench e2e}: the whole path of short jobs with real processes. Starts {@code tern zk},
 * a scheduler and agents with simulated GPUs as processes on this machine, then keeps at most
 * {@code --in-flight} trivial one-GPU jobs ({@code true}) submitted and unfinished until {@code
 * --jobs} have run. With the window at most the GPU count or a small multiple of it, a job waits
 * for the scheduler, not for a GPU, so submit→start measures the scheduling path.
 */
@Command(
    modelTransformer = CommandModels.Declared.class,
    name = "e2e",
    description = {
      "Start ZooKeeper, a scheduler and agents as processes, run many trivial one-GPU jobs"
          + " through them, and report jobs completed per second and submit-to-start latency"
          + " (p50/p99)."
    })
final class E2eBenchCommand implements Callable<Integer> {
  private static final Set<JobState> DONE =
      EnumSet.of(
          JobState.JOB_STATE_SUCCEEDED, JobState.JOB_STATE_FAILED, JobState.JOB_STATE_CANCELLED);
  private static final String TEAM = "bench-e2e";
  private static final String WARM_UP_TEAM = "bench-e2e-warm-up";

  @Spec picocli.CommandLine.Model.CommandSpec spec;
  final OutputOptions output = new OutputOptions();

  @Option(
      names = "--agents",
      defaultValue = "4",
      description = "Agent processes (default ${DEFAULT-VALUE}).")
  int agents;

  @Option(
      names = "--gpus-per-agent",
      defaultValue = "8",
      description = "Simulated GPUs per agent (default ${DEFAULT-VALUE}).")
  int gpusPerAgent;

  @Option(
      names = "--jobs",
      defaultValue = "2000",
      description = "Jobs to run (default ${DEFAULT-VALUE}).")
  int jobs;

  @Option(
      names = "--warm-up",
      paramLabel = "JOBS",
      defaultValue = "0",
      description =
          "Jobs to run first, not counted in the figures (default ${DEFAULT-VALUE}). A new"
              + " scheduler spends about 40%% of its CPU on compiling hot code (C2) over its first"
              + " 8,000 or so jobs, which one that has been running for a while has long done.")
  int warmUp;

  @Option(
      names = "--in-flight",
      description = "Jobs submitted and not yet finished, at most (default: twice the GPUs).")
  Integer inFlight;

  @Option(
      names = "--work-dir",
      paramLabel = "DIR",
      description =
          "Where the processes keep their data and logs, kept after the run (default: a new"
              + " temporary directory, removed after a run where every job ran once).")
  Path workDir;

  @Option(
      names = "--ports",
      paramLabel = "PORT",
      defaultValue = "0",
      description =
          "ZooKeeper listens on PORT and the scheduler on PORT+1 (default: any free ports).")
  int ports;

  @Option(
      names = "--job-shim",
      defaultValue = "auto",
      paramLabel = "auto|native|bash",
      description =
          "What the agents run each job under (tern agent --job-shim; default ${DEFAULT-VALUE}).")
  String jobShim;

  @Option(
      names = "--timeout",
      defaultValue = "600",
      description = "Seconds to give the whole run (default ${DEFAULT-VALUE}).")
  int timeoutSeconds;

  /** The figures, named for scripts. */
  record Figures(
      int agents,
      int gpus_per_agent,
      int jobs,
      int warm_up_jobs,
      int in_flight,
      int succeeded,
      int failed,
      int started_more_than_once,
      double seconds,
      double jobs_per_second,
      double submit_to_start_ms_p50,
      double submit_to_start_ms_p99,
      double submit_to_placed_ms_p50,
      double placed_to_started_ms_p50,
      double started_to_ended_ms_p50,
      double cpu_seconds_zk,
      double cpu_seconds_scheduler,
      double cpu_seconds_agents,
      double cpu_seconds_jobs,
      String logs) {}

  @Override
  public Integer call() throws Exception {
    int window = inFlight == null ? 2 * agents * gpusPerAgent : inFlight;
    if (agents < 1 || gpusPerAgent < 1 || gpusPerAgent > 64 || jobs < 1 || window < 1) {
      throw new UserInputException(
          "--agents, --jobs and --in-flight must be >= 1, --gpus-per-agent 1..64");
    }
    if (warmUp < 0) {
      throw new UserInputException("--warm-up must be >= 0");
    }
    AgentFlags.jobShim(jobShim); // bad input fails here, before any process starts
    if (ports < 0 || ports > 65534) {
      throw new UserInputException("--ports must be 1..65534 (or 0: any free ports)");
    }
    PrintWriter err = spec.commandLine().getErr();
    Path dir =
        workDir != null
            ? Files.createDirectories(workDir)
            : Files.createTempDirectory("tern-bench-e2e");
    long deadline = System.nanoTime() + Duration.ofSeconds(timeoutSeconds).toNanos();
    boolean clean = false;
    try (LocalTernCluster cluster = new LocalTernCluster(dir, ports);
        SchedulerClient client =
            new SchedulerClient(List.of(cluster.scheduler()), Duration.ofSeconds(timeoutSeconds))) {
      err.printf(
          "starting ZooKeeper, a scheduler and %d agents (logs in %s%s)%n",
          agents,
          cluster.logs(),
          workDir == null ? "; removed after a clean run, kept with --work-dir" : "");
      err.flush();
      // The scheduler process is still starting: wait for its port before the first call (a
      // client fails fast where nothing listens).
      while (!listening(cluster.scheduler())) {
        checkDeadline(deadline, "the scheduler to listen", cluster);
        Thread.sleep(100);
      }
      Channel channel =
          client.call(
              c -> {
                JobServiceGrpc.newBlockingStub(c)
                    .listJobs(ListJobsRequest.newBuilder().setPageSize(1).build());
                return c;
              });
      for (int a = 0; a < agents; a++) {
        cluster.startAgent(String.format("e2e-%02d", a), gpusPerAgent, jobShim);
      }
      while (readyNodes(channel) < agents) {
        checkDeadline(deadline, "the agents to register", cluster);
        Thread.sleep(100);
      }
      if (warmUp > 0) {
        err.printf("warming up: %d jobs, not counted%n", warmUp);
        err.flush();
        run(channel, window, deadline, cluster, err, warmUp, WARM_UP_TEAM);
      }
      err.printf("running %d jobs, at most %d in flight%n", jobs, window);
      err.flush();
      LocalTernCluster.CpuSeconds cpuBefore = cluster.cpuSeconds();
      long start = System.nanoTime();
      run(channel, window, deadline, cluster, err, jobs, TEAM);
      double seconds = (System.nanoTime() - start) / 1e9;
      LocalTernCluster.CpuSeconds cpu = cluster.cpuSeconds().minus(cpuBefore);
      List<Job> all = collect(channel);
      Figures figures = figures(all, window, seconds, cpu, cluster.logs());
      clean = figures.succeeded() == jobs && figures.started_more_than_once() == 0;
      if (clean && workDir == null) {
        // The directory goes once the processes have stopped: no logs to point at.
        figures = figures(all, window, seconds, cpu, null);
      }
      PrintWriter out = spec.commandLine().getOut();
      if (output.format() == OutputFormat.json) {
        out.println(OutputOptions.toJson(figures));
      } else {
        out.printf(
            "%d jobs on %d agents x %d GPUs (%d in flight%s): %d succeeded, %d failed, %d started more"
                + " than once, in %.1f s: %.0f jobs/s; submit to start p50 %.0f ms, p99 %.0f ms"
                + " (p50 submit to placed %.0f ms, placed to started %.0f ms, started to ended %.0f"
                + " ms); CPU s: scheduler %.1f, agents %.1f, job processes %.1f, ZooKeeper %.1f%n",
            jobs,
            agents,
            gpusPerAgent,
            window,
            warmUp > 0 ? ", after " + warmUp + " warm-up jobs" : "",
            figures.succeeded(),
            figures.failed(),
            figures.started_more_than_once(),
            seconds,
            figures.jobs_per_second(),
            figures.submit_to_start_ms_p50(),
            figures.submit_to_start_ms_p99(),
            figures.submit_to_placed_ms_p50(),
            figures.placed_to_started_ms_p50(),
            figures.started_to_ended_ms_p50(),
            cpu.scheduler(),
            cpu.agents(),
            cpu.jobs(),
            cpu.zk());
      }
      out.flush();
    } finally {
      if (clean && workDir == null) {
        try {
          MoreFiles.deleteRecursively(dir);
        } catch (IOException e) {
          err.printf("could not remove %s: %s%n", dir, e);
          err.flush();
        }
      }
    }
    return clean ? 0 : 1;
  }

  /**
   * Keeps the window full until {@code count} jobs of {@code team} are submitted and finished. Each
   * acknowledged job is watched (WatchJob streams it on every change) until it ends, which frees
   * its slot: the scheduler pushes the ends, so the benchmark adds no polling to the loop it
   * measures.
   */
  private static void run(
      Channel channel,
      int window,
      long deadline,
      LocalTernCluster cluster,
      PrintWriter err,
      int count,
      String team)
      throws InterruptedException {
    JobServiceGrpc.JobServiceStub async =
        JobServiceGrpc.newStub(channel).withExecutor(Runnable::run);
    JobSpec job =
        JobSpec.newBuilder()
            .setName("e2e")
            .setTeam(team)
            .addCommand("true")
            .setResources(Resources.newBuilder().setGpus(1).setNodes(1))
            .build();
    String keys = UUID.randomUUID() + "-";
    Semaphore slots = new Semaphore(window);
    AtomicInteger finished = new AtomicInteger();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    for (int i = 0; i < count; i++) {
      while (!slots.tryAcquire(100, TimeUnit.MILLISECONDS)) {
        checkDeadline(deadline, "a job to finish", cluster);
        throwIfFailed(failure);
      }
      async.submitJob(
          SubmitJobRequest.newBuilder().setSpec(job).setIdempotencyKey(keys + i).build(),
          new StreamObserver<SubmitJobResponse>() {
            @Override
            public void onNext(SubmitJobResponse value) {
              watch(async, value.getJob().getId(), slots, finished, failure);
            }

            @Override
            public void onError(Throwable t) {
              failure.compareAndSet(null, t);
            }

            @Override
            public void onCompleted() {}
          });
      if ((i + 1) % Math.max(1, count / 10) == 0) {
        err.printf("submitted %d/%d%n", i + 1, count);
        err.flush();
      }
    }
    while (finished.get() < count) {
      checkDeadline(deadline, "the jobs to finish", cluster);
      throwIfFailed(failure);
      Thread.sleep(20);
    }
  }

  private static void throwIfFailed(AtomicReference<Throwable> failure) {
    if (failure.get() != null) {
      throw new IllegalStateException("a submit or watch failed", failure.get());
    }
  }

  /** Frees a slot once job {@code id} has ended. */
  private static void watch(
      JobServiceGrpc.JobServiceStub async,
      String id,
      Semaphore slots,
      AtomicInteger finished,
      AtomicReference<Throwable> failure) {
    async.watchJob(
        WatchJobRequest.newBuilder().setJobId(id).build(),
        new StreamObserver<Job>() {
          private boolean ended;

          @Override
          public void onNext(Job value) {
            if (!ended && DONE.contains(value.getState())) {
              ended = true;
              finished.incrementAndGet();
              slots.release();
            }
          }

          @Override
          public void onError(Throwable t) {
            if (!ended) {
              failure.compareAndSet(null, t);
            }
          }

          @Override
          public void onCompleted() {
            if (!ended) {
              failure.compareAndSet(
                  null, new IllegalStateException(id + ": the watch ended before the job did"));
            }
          }
        });
  }

  private static List<Job> collect(Channel channel) {
    List<Job> all = new ArrayList<>();
    JobServiceGrpc.JobServiceBlockingStub stub = JobServiceGrpc.newBlockingStub(channel);
    String token = "";
    do {
      ListJobsResponse page =
          stub.listJobs(
              ListJobsRequest.newBuilder()
                  .setTeam(TEAM)
                  .setPageSize(1000)
                  .setPageToken(token)
                  .build());
      all.addAll(page.getJobsList());
      token = page.getNextPageToken();
    } while (!token.isEmpty());
    return all;
  }

  private Figures figures(
      List<Job> all, int window, double seconds, LocalTernCluster.CpuSeconds cpu, Path logs) {
    int succeeded = 0;
    int failed = 0;
    int twice = 0;
    List<Double> waits = new ArrayList<>();
    List<Double> queued = new ArrayList<>();
    List<Double> starting = new ArrayList<>();
    List<Double> running = new ArrayList<>();
    for (Job j : all) {
      if (j.getState() == JobState.JOB_STATE_SUCCEEDED) {
        succeeded++;
      } else {
        failed++;
      }
      List<Attempt> started = j.getAttemptsList().stream().filter(Attempt::hasStartedAt).toList();
      if (started.size() > 1) {
        twice++;
      }
      if (!started.isEmpty()) {
        Attempt first = started.getFirst();
        double submitted = millis(j.getSubmittedAt());
        waits.add(millis(first.getStartedAt()) - submitted);
        queued.add(millis(first.getPlacedAt()) - submitted);
        starting.add(millis(first.getStartedAt()) - millis(first.getPlacedAt()));
        if (first.hasEndedAt()) {
          running.add(millis(first.getEndedAt()) - millis(first.getStartedAt()));
        }
      }
    }
    double[] w = sorted(waits);
    return new Figures(
        agents,
        gpusPerAgent,
        jobs,
        warmUp,
        window,
        succeeded,
        failed,
        twice,
        seconds,
        succeeded / seconds,
        percentile(w, 0.50),
        percentile(w, 0.99),
        percentile(sorted(queued), 0.50),
        percentile(sorted(starting), 0.50),
        percentile(sorted(running), 0.50),
        cpu.zk(),
        cpu.scheduler(),
        cpu.agents(),
        cpu.jobs(),
        logs == null ? null : logs.toString());
  }

  private static double[] sorted(List<Double> values) {
    return values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
  }

  /** Something accepts connections at {@code address} (host:port). */
  private static boolean listening(String address) {
    int colon = address.lastIndexOf(':');
    try (java.net.Socket socket = new java.net.Socket()) {
      socket.connect(
          new java.net.InetSocketAddress(
              address.substring(0, colon), Integer.parseInt(address.substring(colon + 1))),
          500);
      return true;
    } catch (java.io.IOException e) {
      return false;
    }
  }

  private static int readyNodes(Channel channel) {
    return (int)
        ClusterServiceGrpc.newBlockingStub(channel)
            .listNodes(ListNodesRequest.getDefaultInstance())
            .getNodesList()
            .stream()
            .filter(n -> n.getState() == NodeState.NODE_STATE_READY)
            .count();
  }

  private static void checkDeadline(long deadline, String what, LocalTernCluster cluster) {
    if (System.nanoTime() > deadline) {
      throw new IllegalStateException(
          "gave up waiting for " + what + " (see --timeout; logs in " + cluster.logs() + ")");
    }
  }

  private static double millis(Timestamp t) {
    return t.getSeconds() * 1e3 + t.getNanos() / 1e6;
  }

  private static double percentile(double[] sorted, double q) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    return sorted[Math.min(sorted.length - 1, (int) Math.floor(sorted.length * q))];
  }
}
