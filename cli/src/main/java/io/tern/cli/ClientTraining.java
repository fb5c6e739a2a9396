package io.tern.cli;

import com.google.protobuf.Timestamp;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.okhttp.OkHttpServerBuilder;
import io.grpc.stub.StreamObserver;
import io.tern.api.v1.Attempt;
import io.tern.api.v1.CapacityType;
import io.tern.api.v1.GetJobRequest;
import io.tern.api.v1.GpuIndices;
import io.tern.api.v1.Job;
import io.tern.api.v1.JobServiceGrpc;
import io.tern.api.v1.JobSpec;
import io.tern.api.v1.JobState;
import io.tern.api.v1.ListJobsRequest;
import io.tern.api.v1.ListJobsResponse;
import io.tern.api.v1.Resources;
import io.tern.api.v1.SubmitJobRequest;
import io.tern.api.v1.SubmitJobResponse;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The training run behind the client jar's AOT cache (see cli/pom.xml): runs the client verbs the
 * way a user does, so that the classes they load, from flag parsing through spec checks to a gRPC
 * call and its answer, are in the cache. The calls that should succeed go to {@link Scheduler}, a
 * stand-in scheduler in a child JVM (its server-side classes stay out of the cache), and fail the
 * run if they do not: a cache trained on failures alone would leave out the whole answer path. The
 * rest go where nothing listens and fail fast. Output is dropped.
 *
 * <p>With a verb as its argument ({@code submit}, {@code status}, {@code list} or {@code
 * --version}) it makes only that verb's calls, for a cache of that verb's own: the JVM loads every
 * class in a cache at every start, so {@code tern status} started from a cache that also holds
 * submit's spec checks, YAML and code packing pays for classes it never uses. {@code ./tern} and
 * {@code deploy/bin/tern} start these four verbs from their own cache where there is one, and the
 * other client verbs from the cache of every call.
 */
final class ClientTraining {
  private static final String NOWHERE = "127.0.0.1:1";

  private ClientTraining() {}

  /** The verbs that have a cache of their own; {@code -V} starts from {@code --version}'s. */
  static final List<String> OWN_CACHE_VERBS = List.of("submit", "status", "list", "--version");

  public static void main(String[] args) throws IOException, InterruptedException {
    String verb = args.length == 0 ? null : args[0];
    if (verb != null && !OWN_CACHE_VERBS.contains(verb)) {
      throw new IllegalArgumentException(
          "no training for '" + verb + "': one of " + OWN_CACHE_VERBS + ", or none for every verb");
    }
    if (verb == null || verb.equals("submit")) {
      TernClient.prepareSubmit(); // as main does for a submit
    }
    if ("--version".equals(verb)) {
      run(only(verb, trainingCalls(NOWHERE, "unused.yaml")), true);
      return;
    }
    Path spec = Files.createTempFile("tern-training", ".yaml");
    Process scheduler = startScheduler();
    try {
      Files.writeString(
          spec,
          """
          name: training
          team: vision
          command: ["python3", "train.py"]
          resources:
            gpus: 1
          checkpoint:
            graceSeconds: 30
          maxRuntime: 2h
          """);
      String at =
          new BufferedReader(
                  new InputStreamReader(scheduler.getInputStream(), StandardCharsets.UTF_8))
              .readLine();
      if (at == null) {
        throw new IllegalStateException("the training scheduler did not start");
      }
      run(only(verb, trainingCalls(at, spec.toString())), true);
      run(only(verb, failingCalls()), false);
    } finally {
      scheduler.destroy();
      scheduler.waitFor();
      Files.deleteIfExists(spec);
    }
  }

  /** The calls of {@code calls} that run {@code verb}; every call when {@code verb} is null. */
  static List<List<String>> only(String verb, List<List<String>> calls) {
    return verb == null ? calls : calls.stream().filter(c -> c.getFirst().equals(verb)).toList();
  }

  /**
   * The calls of a user's loop: each must exit 0 against the stand-in scheduler at {@code at}. The
   * JVM loads every class in the cache at every start (about 25 ms of CPU per 1,000 classes here),
   * so a path few calls take stays out: {@code submit --dry-run -o json} alone would add Jackson's
   * 470 classes.
   */
  static List<List<String>> trainingCalls(String at, String specFile) {
    return List.of(
        List.of("--version"),
        List.of("submit", "--help"),
        List.of("submit", "--dry-run", "--name", "t", "--team", "t", "--gpus", "1", "--", "true"),
        List.of(
            "submit", "--scheduler", at, "--name", "t", "--team", "t", "--gpus", "0", "--", "true"),
        List.of("submit", "--scheduler", at, specFile),
        List.of("submit", "--scheduler", at, "-o", "json", specFile),
        List.of("status", "job-000001", "--scheduler", at),
        List.of("status", "job-000001", "--scheduler", at, "-o", "json"),
        List.of("list", "--scheduler", at),
        List.of("list", "--scheduler", at, "-o", "json"));
  }

  /** Calls that fail (a bad flag, a missing job, an unreachable or unanswering scheduler). */
  private static List<List<String>> failingCalls() {
    return List.of(
        List.of("submit", "--name", "t", "--team", "t", "--gpus", "x", "--", "true"),
        List.of("status", "job-000001", "--scheduler", NOWHERE, "--wait", "0"),
        List.of("list", "--scheduler", NOWHERE, "--wait", "0"),
        List.of(
            "offpeak",
            "set",
            "t",
            "--cron",
            "0 0 20 ? * MON-FRI",
            "--duration",
            "10h",
            "--scheduler",
            NOWHERE,
            "--wait",
            "0"));
  }

  static void run(List<List<String>> calls, boolean mustSucceed) {
    PrintWriter nowhere = new PrintWriter(Writer.nullWriter());
    for (List<String> call : calls) {
      String[] argv = call.toArray(String[]::new);
      var cli = TernClient.commandLine(argv);
      cli.setOut(nowhere);
      cli.setErr(nowhere);
      int exit = cli.execute(argv);
      if (mustSucceed && exit != 0) {
        throw new IllegalStateException(
            "training call 'tern " + String.join(" ", call) + "' exited " + exit);
      }
    }
  }

  /** {@link Scheduler} in a child JVM on this class path; it prints its address when it listens. */
  private static Process startScheduler() throws IOException {
    ProcessBuilder child =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                Scheduler.class.getName())
            .redirectError(ProcessBuilder.Redirect.INHERIT);
    // The AOT cache's assembly step passes its options this way; the child is no part of it.
    child.environment().remove("JAVA_TOOL_OPTIONS");
    return child.start();
  }

  /**
   * A stand-in for the scheduler's job service with fixed answers: enough for the client to read an
   * acknowledged submit, a running job with an attempt, and a list. Exits when its parent closes
   * its standard input.
   */
  static final class Scheduler extends JobServiceGrpc.JobServiceImplBase {
    private static final Timestamp SUBMITTED =
        Timestamp.newBuilder().setSeconds(1_796_000_000).build();

    public static void main(String[] args) throws IOException, InterruptedException {
      Server server =
          OkHttpServerBuilder.forPort(
                  new InetSocketAddress("127.0.0.1", 0), InsecureServerCredentials.create())
              .addService(new Scheduler())
              .build()
              .start();
      System.out.println("127.0.0.1:" + server.getPort());
      System.out.flush();
      while (System.in.read() >= 0) {
        // until the parent goes away
      }
      server.shutdownNow().awaitTermination();
    }

    @Override
    public void submitJob(SubmitJobRequest request, StreamObserver<SubmitJobResponse> answer) {
      answer.onNext(
          SubmitJobResponse.newBuilder().setJob(job("job-000001", request.getSpec())).build());
      answer.onCompleted();
    }

    @Override
    public void getJob(GetJobRequest request, StreamObserver<Job> answer) {
      if (!request.getJobId().equals("job-000001")) {
        answer.onError(Status.NOT_FOUND.withDescription(request.getJobId()).asRuntimeException());
        return;
      }
      answer.onNext(running("job-000001"));
      answer.onCompleted();
    }

    @Override
    public void listJobs(ListJobsRequest request, StreamObserver<ListJobsResponse> answer) {
      List<Job> jobs = new ArrayList<>();
      jobs.add(running("job-000001"));
      jobs.add(job("job-000002", spec()));
      answer.onNext(ListJobsResponse.newBuilder().addAllJobs(jobs).build());
      answer.onCompleted();
    }

    private static JobSpec spec() {
      return JobSpec.newBuilder()
          .setName("training")
          .setTeam("vision")
          .addCommand("true")
          .setResources(Resources.newBuilder().setGpus(1).setNodes(1))
          .build();
    }

    private static Job job(String id, JobSpec spec) {
      return Job.newBuilder()
          .setId(id)
          .setSpec(spec)
          .setState(JobState.JOB_STATE_PENDING)
          .setSubmittedAt(SUBMITTED)
          .setOwner("training")
          .setPendingReason("no nodes in the cluster")
          .build();
    }

    private static Job running(String id) {
      return job(id, spec()).toBuilder()
          .setState(JobState.JOB_STATE_RUNNING)
          .setPendingReason("")
          .addAttempts(
              Attempt.newBuilder()
                  .setNumber(1)
                  .addNodeIds("node-1")
                  .addGpus(GpuIndices.newBuilder().addIndex(0))
                  .setCapacityType(CapacityType.CAPACITY_TYPE_SPOT)
                  .setPlacedAt(SUBMITTED)
                  .setStartedAt(SUBMITTED))
          .build();
    }
  }
}
