package io.tern.cli.bench;

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
import io.tern.cli.OutputFormat;
import io.tern.cli.OutputOptions;
import io.tern.cli.UserInputException;
import io.tern.cli.client.SchedulerClient;
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
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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
    name = "e2e",
    description = {
      "Start ZooKeeper, a scheduler and agents as processes, run many trivial one-GPU jobs through",
      "them, and report jobs completed per second and submit-to-start latency (p50/p99)."
    })
final class E2eBenchCommand implements Callable<Integer> {
  private static final Set<JobState> DONE =
      EnumSet.of(
          JobState.JOB_STATE_SUCCEEDED, JobState.JOB_STATE_FAILED, JobState.JOB_STATE_CANCELLED);
  private static final String TEAM = "bench-e2e";

  @Spec picocli.CommandLine.Model.CommandSpec spec;
  @Mixin OutputOptions output;

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
      names = "--in-flight",
      description = "Jobs submitted and not yet finished, at most (default: twice the GPUs).")
  Integer inFlight;

  @Option(
      names = "--work-dir",
      paramLabel = "DIR",
      description =
          "Where the processes keep their data and logs (default: a new temporary directory).")
  Path workDir;

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
      int in_flight,
      int succeeded,
      int failed,
      int started_more_than_once,
      double seconds,
      double jobs_per_second,
      double submit_to_start_ms_p50,
      double submit_to_start_ms_p99,
      String logs) {}

  @Override
  public Integer call() throws Exception {
    int window = inFlight == null ? 2 * agents * gpusPerAgent : inFlight;
    if (agents < 1 || gpusPerAgent < 1 || gpusPerAgent > 64 || jobs < 1 || window < 1) {
      throw new UserInputException(
          "--agents, --jobs and --in-flight must be >= 1, --gpus-per-agent 1..64");
    }
    PrintWriter err = spec.commandLine().getErr();
    Path dir =
        workDir != null
            ? Files.createDirectories(workDir)
            : Files.createTempDirectory("tern-bench-e2e");
    long deadline = System.nanoTime() + Duration.ofSeconds(timeoutSeconds).toNanos();
    try (LocalTernCluster cluster = new LocalTernCluster(dir);
        SchedulerClient client =
            new SchedulerClient(List.of(cluster.scheduler()), Duration.ofSeconds(timeoutSeconds))) {
      err.printf(
          "starting ZooKeeper, a scheduler and %d agents (logs in %s)%n", agents, cluster.logs());
      err.flush();
      Channel channel =
          client.call(
              c -> {
                JobServiceGrpc.newBlockingStub(c)
                    .listJobs(ListJobsRequest.newBuilder().setPageSize(1).build());
                return c;
              });
      for (int a = 0; a < agents; a++) {
        cluster.startAgent(String.format("e2e-%02d", a), gpusPerAgent);
      }
      while (readyNodes(channel) < agents) {
        checkDeadline(deadline, "the agents to register", cluster);
        Thread.sleep(100);
      }
      err.printf("running %d jobs, at most %d in flight%n", jobs, window);
      err.flush();
      long start = System.nanoTime();
      run(channel, window, deadline, cluster, err);
      double seconds = (System.nanoTime() - start) / 1e9;
      Figures figures = figures(collect(channel), window, seconds, cluster.logs());
      PrintWriter out = spec.commandLine().getOut();
      if (output.format() == OutputFormat.json) {
        out.println(OutputOptions.toJson(figures));
      } else {
        out.printf(
            "%d jobs on %d agents x %d GPUs (%d in flight): %d succeeded, %d failed, %d started more"
                + " than once, in %.1f s: %.0f jobs/s; submit to start p50 %.0f ms, p99 %.0f ms%n",
            jobs,
            agents,
            gpusPerAgent,
            window,
            figures.succeeded(),
            figures.failed(),
            figures.started_more_than_once(),
            seconds,
            figures.jobs_per_second(),
            figures.submit_to_start_ms_p50(),
            figures.submit_to_start_ms_p99());
      }
      out.flush();
      return figures.succeeded() == jobs && figures.started_more_than_once() == 0 ? 0 : 1;
    }
  }

  /** Keeps the window full until every job is submitted and finished. */
  private void run(
      Channel channel, int window, long deadline, LocalTernCluster cluster, PrintWriter err)
      throws InterruptedException {
    JobServiceGrpc.JobServiceStub async =
        JobServiceGrpc.newStub(channel).withExecutor(Runnable::run);
    JobSpec job =
        JobSpec.newBuilder()
            .setName("e2e")
            .setTeam(TEAM)
            .addCommand("true")
            .setResources(Resources.newBuilder().setGpus(1).setNodes(1))
            .build();
    String keys = UUID.randomUUID() + "-";
    AtomicInteger submitting = new AtomicInteger();
    AtomicInteger failedSubmits = new AtomicInteger();
    int issued = 0;
    int reported = 0;
    while (true) {
      int active = active(channel);
      if (issued == jobs && submitting.get() == 0 && active == 0) {
        return;
      }
      if (failedSubmits.get() > 0) {
        throw new IllegalStateException(failedSubmits.get() + " submits failed");
      }
      int free = Math.min(window - active - submitting.get(), jobs - issued);
      for (int i = 0; i < free; i++) {
        submitting.incrementAndGet();
        async.submitJob(
            SubmitJobRequest.newBuilder().setSpec(job).setIdempotencyKey(keys + issued++).build(),
            new StreamObserver<SubmitJobResponse>() {
              @Override
              public void onNext(SubmitJobResponse value) {}

              @Override
              public void onError(Throwable t) {
                failedSubmits.incrementAndGet();
                submitting.decrementAndGet();
              }

              @Override
              public void onCompleted() {
                submitting.decrementAndGet();
              }
            });
      }
      if (issued >= reported + jobs / 10 && jobs >= 10) {
        reported = issued;
        err.printf("submitted %d/%d%n", issued, jobs);
        err.flush();
      }
      checkDeadline(deadline, "the jobs to finish", cluster);
      Thread.sleep(5);
    }
  }

  /** This benchmark's jobs that have not finished. */
  private static int active(Channel channel) {
    ListJobsRequest.Builder request = ListJobsRequest.newBuilder().setTeam(TEAM).setPageSize(1000);
    for (JobState s : JobState.values()) {
      if (s != JobState.UNRECOGNIZED && s != JobState.JOB_STATE_UNSPECIFIED && !DONE.contains(s)) {
        request.addStates(s);
      }
    }
    int count = 0;
    JobServiceGrpc.JobServiceBlockingStub stub = JobServiceGrpc.newBlockingStub(channel);
    String token = "";
    do {
      ListJobsResponse page = stub.listJobs(request.setPageToken(token).build());
      count += page.getJobsCount();
      token = page.getNextPageToken();
    } while (!token.isEmpty());
    return count;
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

  private Figures figures(List<Job> all, int window, double seconds, Path logs) {
    int succeeded = 0;
    int failed = 0;
    int twice = 0;
    List<Double> waits = new ArrayList<>();
    for (Job j : all) {
      if (j.getState() == JobState.JOB_STATE_SUCCEEDED) {
        succeeded++;
      } else {
        failed++;
      }
      long started = j.getAttemptsList().stream().filter(Attempt::hasStartedAt).count();
      if (started > 1) {
        twice++;
      }
      if (started > 0) {
        Attempt first =
            j.getAttemptsList().stream().filter(Attempt::hasStartedAt).findFirst().orElseThrow();
        waits.add(millis(first.getStartedAt()) - millis(j.getSubmittedAt()));
      }
    }
    double[] w = waits.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return new Figures(
        agents,
        gpusPerAgent,
        jobs,
        window,
        succeeded,
        failed,
        twice,
        seconds,
        succeeded / seconds,
        percentile(w, 0.50),
        percentile(w, 0.99),
        logs.toString());
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
