package io.tern.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.Timestamp;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.tern.agent.spot.LocalImds;
import io.tern.api.v1.Attempt;
import io.tern.api.v1.ClusterServiceGrpc;
import io.tern.api.v1.DrainNodeRequest;
import io.tern.api.v1.GetJobRequest;
import io.tern.api.v1.Job;
import io.tern.api.v1.JobServiceGrpc;
import io.tern.api.v1.JobState;
import io.tern.api.v1.ListNodesRequest;
import io.tern.api.v1.Node;
import io.tern.api.v1.NodeState;
import io.tern.checkpoint.fs.FsStoreRoot;
import io.tern.cli.TernCommand;
import io.tern.cli.testing.TernInProcess;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Spot reclaims with real processes: {@code tern zk}, {@code tern scheduler} and {@code tern
 * agent}s as separate JVMs on loopback, a {@link LocalImds} in this JVM that the spot agent
 * watches, and {@code examples/jobs/counter.sh} submitted through {@code tern submit}. The job
 * starts on the spot node (the on-demand agent starts only once it runs there), is interrupted,
 * resumes on the on-demand node from its checkpoint, and ends with exactly the line of an
 * uninterrupted run.
 *
 * <p>Three ways to lose the node: an instance-action notice (the job checkpoints on the signal); a
 * node killed with no notice (agent and job SIGKILLed; the job resumes from its last periodic
 * checkpoint after the node lease); a job that ignores the signal (killed at the deadline, resumed
 * from its last periodic checkpoint). The figures of each are printed.
 */
class SpotReclaimEndToEndTest {
  private static final Path COUNTER = Path.of("../examples/jobs/counter.sh").toAbsolutePath();

  /** A Python job checkpointing through python/tern/checkpoint.py (PyTorch's state_dict shape). */
  private static final Path PYTHON_JOB =
      Path.of("../examples/jobs/torch_state_dict.py").toAbsolutePath();

  private static final int STEPS = 200;
  private static final double STEP_SECONDS = 0.05;
  private static final int CHECKPOINT_EVERY = 20;
  private static final Duration WAIT = Duration.ofSeconds(40);

  /** For the jobs of a few hundred steps, on a loaded machine. */
  private static final Duration LONG_WAIT = Duration.ofSeconds(90);

  private static final Pattern JOB_PID = Pattern.compile("#\\d+: started, pid (\\d+)");
  private static final Pattern STEP = Pattern.compile("^step (\\d+)$", Pattern.MULTILINE);
  private static final Pattern RESUMED =
      Pattern.compile("^resumed: step=(\\d+)$", Pattern.MULTILINE);

  private static Path root;
  private static Process zk;
  private static Process scheduler;
  private static String address;
  private static ManagedChannel channel;
  private static JobServiceGrpc.JobServiceBlockingStub jobs;
  private static ClusterServiceGrpc.ClusterServiceBlockingStub cluster;
  private static String expectedFinalLine;
  private static int metricsPort;
  private static int testNumber;

  private final List<Agent> agents = new ArrayList<>();
  private static final List<String> submitted = new ArrayList<>();
  private LocalImds imds;

  /** One agent process and where it keeps its jobs. */
  private record Agent(String nodeId, Process process, Path workDir, Path log) {
    Path jobLog(String jobId, int attempt) {
      return workDir
          .resolve("jobs")
          .resolve(jobId)
          .resolve("attempt-" + attempt)
          .resolve("output.log");
    }
  }

  @BeforeAll
  static void startCluster() throws Exception {
    root = Files.createTempDirectory("tern-e2e-");
    // The agents' store; the scheduler does not use it, so it is initialised by hand.
    initialiseStore(root.resolve("checkpoints"));
    expectedFinalLine = uninterruptedFinalLine();
    int zkPort = freePort();
    zk =
        tern(
            "zk",
            root.resolve("zk.log"),
            "zk",
            "--port",
            "" + zkPort,
            "--data",
            root.resolve("zk").toString());
    int port = freePort();
    metricsPort = freePort();
    address = "127.0.0.1:" + port;
    scheduler =
        tern(
            "scheduler",
            root.resolve("scheduler.log"),
            "scheduler",
            "--zk",
            "127.0.0.1:" + zkPort,
            "--port",
            "" + port,
            "--advertise",
            "127.0.0.1",
            "--metrics-port",
            "" + metricsPort,
            "--node-lease",
            "5");
    channel = Grpc.newChannelBuilder(address, InsecureChannelCredentials.create()).build();
    jobs = JobServiceGrpc.newBlockingStub(channel);
    cluster = ClusterServiceGrpc.newBlockingStub(channel);
    await("the scheduler leads")
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(200))
        .ignoreExceptions()
        .until(() -> cluster.listNodes(ListNodesRequest.getDefaultInstance()) != null);
  }

  /** Initialises a new file store at {@code folder}, as {@code tern admin init-store} does. */
  private static Path initialiseStore(Path folder) throws IOException {
    io.tern.checkpoint.config.CheckpointStoreLocation.parse(folder.toString())
        .initialise(java.time.Clock.systemUTC());
    return folder;
  }

  @AfterAll
  static void stopCluster() throws Exception {
    if (channel != null) {
      channel.shutdownNow();
    }
    for (Process p : new Process[] {scheduler, zk}) {
      if (p != null) {
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  @AfterEach
  void stopAgents() throws Exception {
    // A job a failed test left unfinished must not take a later test's node.
    for (String jobId : submitted) {
      try {
        jobs.withDeadlineAfter(2, TimeUnit.SECONDS)
            .cancelJob(io.tern.api.v1.CancelJobRequest.newBuilder().setJobId(jobId).build());
      } catch (StatusRuntimeException e) {
        // finished already
      }
    }
    submitted.clear();
    for (Agent agent : agents) {
      try {
        // No later test's job may land here while the scheduler still counts on this node.
        cluster
            .withDeadlineAfter(2, TimeUnit.SECONDS)
            .drainNode(
                DrainNodeRequest.newBuilder()
                    .setNodeId(agent.nodeId)
                    .setReason("test over")
                    .build());
      } catch (StatusRuntimeException e) {
        // already lost or unknown
      }
      for (long pgid : jobGroups(agent)) {
        kill("KILL", "-" + pgid);
      }
      agent.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    if (imds != null) {
      imds.close();
    }
  }

  /**
   * {@code counter.sh} (bash, its own signal handling) and {@code torch_state_dict.py} (Python,
   * through {@code tern.checkpoint}).
   */
  @ParameterizedTest
  @ValueSource(strings = {"counter.sh", "torch_state_dict.py"})
  void anInstanceActionCheckpointsTheJobAndItResumesOnTheOtherNode(String example)
      throws Exception {
    List<String> command =
        example.equals("counter.sh")
            ? List.of("bash", COUNTER.toString())
            : List.of("python3", PYTHON_JOB.toString());
    String expected =
        example.equals("counter.sh") ? expectedFinalLine : uninterruptedFinalLine(command, STEPS);
    imds = LocalImds.start();
    Agent spot = agent("spot", true);
    List<String> argv = new ArrayList<>(command);
    argv.add("" + STEPS);
    String jobId = submit(10, argv.toArray(String[]::new));
    awaitRunningOn(jobId, spot, 40);
    Agent onDemand = agent("on-demand", false);

    Instant notice = Instant.now();
    imds.announceInstanceAction(notice.plusSeconds(120));
    Job resumed = awaitRunningElsewhere(jobId, onDemand);
    Job done = awaitState(jobId, JobState.JOB_STATE_SUCCEEDED);

    Attempt first = done.getAttempts(0);
    assertThat(first.getEndReason()).contains("checkpointed");
    assertThat(done.getAttempts(1).getResumedFrom().getName())
        .isEqualTo(first.getLastCheckpoint().getName());
    String log1 = Files.readString(spot.jobLog(jobId, 1));
    assertThat(log1).contains("checkpointed on signal at step");
    String log2 = Files.readString(onDemand.jobLog(jobId, 2));
    assertThat(lastLine(log2)).isEqualTo(expected);
    int lost = lastStep(log1) - resumedStep(log2);
    assertThat(lost)
        .as("steps lost: the checkpoint is taken at the step the signal lands on")
        .isZero();
    report(
        "instance-action notice, " + example,
        notice,
        instant(first.getLastCheckpoint().getCommittedAt()),
        instant(resumed.getAttempts(1).getStartedAt()),
        lost);
  }

  @Test
  void aNodeKilledWithoutNoticeResumesFromItsLastCommittedCheckpoint() throws Exception {
    Agent spot = agent("spot", false);
    String jobId = submit(10, "bash", COUNTER.toString(), "" + STEPS);
    awaitRunningOn(jobId, spot, CHECKPOINT_EVERY + 5);
    Agent onDemand = agent("on-demand", false);
    await("a periodic checkpoint is committed")
        .atMost(WAIT)
        .until(() -> job(jobId).getAttempts(0).hasLastCheckpoint());

    Instant killed = Instant.now();
    for (long pgid : jobGroups(spot)) {
      kill("KILL", "-" + pgid);
    }
    spot.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    String log1 = Files.readString(spot.jobLog(jobId, 1));
    Job resumed = awaitRunningElsewhere(jobId, onDemand);
    Job done = awaitState(jobId, JobState.JOB_STATE_SUCCEEDED);

    Attempt first = done.getAttempts(0);
    assertThat(first.getEndReason()).contains("lost");
    String log2 = Files.readString(onDemand.jobLog(jobId, 2));
    assertThat(lastLine(log2)).isEqualTo(expectedFinalLine);
    // The newest checkpoint in the store: the one the record last heard of, or a later one whose
    // commit the killed agent never got to report; the record names the one restored.
    assertThat(resumedStep(log2))
        .isPositive()
        .isGreaterThanOrEqualTo(stepOf(first.getLastCheckpoint().getName()))
        .isEqualTo(stepOf(done.getAttempts(1).getResumedFrom().getName()));
    report(
        "node killed (no notice)",
        killed,
        null,
        instant(resumed.getAttempts(1).getStartedAt()),
        lastStep(log1) - resumedStep(log2));
  }

  @Test
  void aJobThatIgnoresTheSignalIsKilledAtTheDeadlineAndResumesFromItsLastCheckpoint()
      throws Exception {
    imds = LocalImds.start();
    Agent spot = agent("spot", true);
    // Signals ignored on entry to a non-interactive bash cannot be trapped: counter.sh never
    // hears SIGUSR1 (or SIGTERM) and keeps counting until SIGKILL.
    String jobId = submit(2, "bash", "-c", "trap '' USR1 TERM; exec bash " + COUNTER + " " + STEPS);
    awaitRunningOn(jobId, spot, CHECKPOINT_EVERY + 5);
    Agent onDemand = agent("on-demand", false);
    await("a periodic checkpoint is committed")
        .atMost(WAIT)
        .until(() -> job(jobId).getAttempts(0).hasLastCheckpoint());

    Instant notice = Instant.now();
    imds.announceInstanceAction(notice.plusSeconds(120));
    Job resumed = awaitRunningElsewhere(jobId, onDemand);
    Job done = awaitState(jobId, JobState.JOB_STATE_SUCCEEDED);

    Attempt first = done.getAttempts(0);
    assertThat(first.getEndReason()).contains("stopped");
    String log1 = Files.readString(spot.jobLog(jobId, 1));
    assertThat(log1).doesNotContain("checkpointed on signal");
    String log2 = Files.readString(onDemand.jobLog(jobId, 2));
    assertThat(lastLine(log2)).isEqualTo(expectedFinalLine);
    assertThat(resumedStep(log2)).isEqualTo(stepOf(first.getLastCheckpoint().getName()));
    assertThat(Files.readString(spot.log)).contains("SIGKILL to process group");
    report(
        "job ignores the signal (2 s grace)",
        notice,
        instant(first.getLastCheckpoint().getCommittedAt()),
        instant(resumed.getAttempts(1).getStartedAt()),
        lastStep(log1) - resumedStep(log2));
  }

  // --- the checkpoint store under faults (issue 15) -----------------------------------------

  /**
   * An agent frozen (SIGSTOP) past its node lease: its job keeps running and writing checkpoints
   * while the job resumes on another node. When the agent thaws, the store refuses the replaced
   * attempt's commits; the new attempt resumed from the newest checkpoint committed before it
   * began, and the store still holds it and the new attempt's own newest.
   */
  @Test
  void aReplacedAttemptsCommitsAreRefusedAndTheResumeUsesTheNewestOfTheCurrentLineage()
      throws Exception {
    int steps = 400;
    Agent frozen = agent("spot", false);
    String jobId = submit(10, "bash", "-c", "echo pid $$; exec bash " + COUNTER + " " + steps);
    awaitRunningOn(jobId, frozen, CHECKPOINT_EVERY + 5);
    Agent other = agent("on-demand", false);
    await("a checkpoint is committed")
        .atMost(WAIT)
        .until(() -> job(jobId).getAttempts(0).hasLastCheckpoint());

    kill("STOP", "" + frozen.process.pid());
    Job resumed;
    try {
      resumed = awaitRunningElsewhere(jobId, other);
      // The frozen agent's shim fenced its job before the leader gave up on the node: the job
      // wrote a checkpoint on the signal and exited. Nobody committed it: it waits in the frozen
      // agent's attempt folder, newer than anything attempt 2 resumed from.
      await("the replaced attempt checkpoints on the fence signal")
          .atMost(WAIT)
          .until(
              () -> Files.readString(frozen.jobLog(jobId, 1)).contains("checkpointed on signal"));
    } finally {
      kill("CONT", "" + frozen.process.pid());
    }
    await("the thawed agent's commit is refused")
        .atMost(WAIT)
        .until(() -> Files.readString(frozen.log).contains("the checkpoint store fences this"));
    Job done = awaitState(jobId, JobState.JOB_STATE_SUCCEEDED, LONG_WAIT);

    Attempt first = done.getAttempts(0);
    Attempt second = done.getAttempts(1);
    assertThat(second.getResumedFrom().getAttempt()).isEqualTo(1);
    assertThat(second.getResumedFrom().getName())
        .as("the newest checkpoint committed before attempt 2 began")
        .isEqualTo(resumed.getAttempts(0).getLastCheckpoint().getName())
        .isEqualTo(first.getLastCheckpoint().getName());
    String log2 = Files.readString(other.jobLog(jobId, 2));
    assertThat(resumedStep(log2)).isEqualTo(stepOf(second.getResumedFrom().getName()));
    assertThat(lastLine(log2)).isEqualTo(uninterruptedFinalLine(steps));
    try (var store =
        new io.tern.checkpoint.fs.FsCheckpointStore(
            root.resolve("checkpoints"),
            io.tern.checkpoint.CheckpointStoreSettings.of(3, java.time.Clock.systemUTC()))) {
      var held = store.forCluster(clusterId()).list(jobId);
      assertThat(held).first().satisfies(c -> assertThat(c.attempt()).isEqualTo(2));
      assertThat(held)
          .filteredOn(c -> c.attempt() == 1)
          .allSatisfy(
              c ->
                  assertThat(stepOf(c.name()))
                      .as("no checkpoint of the replaced attempt after attempt 2 began")
                      .isLessThanOrEqualTo(stepOf(second.getResumedFrom().getName())));
    }
    System.out.printf(
        "FENCING FIGURES: attempt 1 ran to step %d after it was replaced (pid %s); attempt 2"
            + " resumed from %s%n",
        lastStep(Files.readString(frozen.jobLog(jobId, 1))),
        firstPid(Files.readString(frozen.jobLog(jobId, 1))),
        second.getResumedFrom().getName());
  }

  /**
   * Every checkpoint of the lost attempt is corrupt in the store: the next attempt starts fresh,
   * and the job record, `tern status` and the ledger say so (the whole attempt's work is lost).
   */
  @Test
  void corruptCheckpointsAreRecordedAsAFreshStartAndTheWholeAttemptIsLost() throws Exception {
    Agent spot = agent("spot", false);
    String jobId = submit(10, "bash", "-c", "echo pid $$; exec bash " + COUNTER + " " + STEPS);
    awaitRunningOn(jobId, spot, CHECKPOINT_EVERY + 5);
    Agent onDemand = agent("on-demand", false);
    await("a periodic checkpoint is committed")
        .atMost(WAIT)
        .until(() -> job(jobId).getAttempts(0).hasLastCheckpoint());

    for (long pgid : jobGroups(spot)) {
      kill("KILL", "-" + pgid);
    }
    spot.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    int corrupted = 0;
    try (var dirs =
        Files.list(root.resolve("checkpoints/clusters").resolve(clusterId()).resolve(jobId))) {
      for (Path dir : dirs.filter(d -> d.getFileName().toString().startsWith("a1-")).toList()) {
        Path state = dir.resolve("data/state");
        Files.writeString(state, "x".repeat((int) Files.size(state))); // same size, other bytes
        corrupted++;
      }
    }
    assertThat(corrupted).isPositive();
    awaitRunningElsewhere(jobId, onDemand);
    Job done = awaitState(jobId, JobState.JOB_STATE_SUCCEEDED);

    Attempt first = done.getAttempts(0);
    Attempt second = done.getAttempts(1);
    assertThat(second.hasResumedFrom()).as("nothing was restored").isFalse();
    assertThat(second.getResumeRequested().getName())
        .isEqualTo(first.getLastCheckpoint().getName());
    assertThat(second.getRestore().getFailedVerificationCount()).isEqualTo(corrupted);
    String log2 = Files.readString(onDemand.jobLog(jobId, 2));
    assertThat(log2).doesNotContain("resumed:");
    assertThat(lastLine(log2)).isEqualTo(expectedFinalLine);

    String status = tern("status", "--scheduler", address, jobId);
    assertThat(status)
        .contains(
            "attempt 2: none: started fresh, "
                + corrupted
                + (corrupted == 1 ? " checkpoint" : " checkpoints")
                + " failed verification")
        .doesNotContain("resumed from " + first.getLastCheckpoint().getName());

    double attemptSeconds =
        Duration.between(instant(first.getStartedAt()), instant(first.getEndedAt())).toMillis()
            / 1000.0;
    double lost =
        await("the ledger books the whole attempt as lost")
            .atMost(WAIT)
            .until(() -> lostSeconds(jobId), l -> Math.abs(l - attemptSeconds) < 0.01);
    System.out.printf(
        "CORRUPT CHECKPOINT FIGURES: %d checkpoints failed verification; attempt 1 ran %.1f s, the"
            + " ledger counts %.1f s lost%n",
        corrupted, attemptSeconds, lost);
  }

  /**
   * The store fills up (another tenant's file takes its quota): commits fail, the job says so in
   * `tern status` and `tern explain`, /metrics counts the failures; the node is then lost, and the
   * job resumes from the last checkpoint that did commit, with the loss recorded.
   */
  @Test
  void aFullStoreIsVisibleAndTheResumeLosesOnlyTheWorkSinceTheLastCommit() throws Exception {
    // The cluster's store on a small volume: the same store (its marker), a 64 KiB quota.
    Path storeDir = Files.createDirectories(root.resolve("small-store-" + testNumber));
    Files.copy(
        root.resolve("checkpoints").resolve(FsStoreRoot.MARKER),
        storeDir.resolve(FsStoreRoot.MARKER));
    String store = storeDir.toUri() + "?quota=64KiB";
    Agent spot = agent("spot", false, store);
    String jobId = submit(10, "bash", "-c", "echo pid $$; exec bash " + COUNTER + " " + 300);
    awaitRunningOn(jobId, spot, CHECKPOINT_EVERY + 5);
    Agent onDemand = agent("on-demand", false, store);
    await("a periodic checkpoint is committed")
        .atMost(WAIT)
        .until(() -> job(jobId).getAttempts(0).hasLastCheckpoint());

    Path filler = storeDir.resolve("someone-elses-file");
    Files.write(filler, new byte[64 * 1024]);
    Job failing =
        await("the job says its commits fail")
            .atMost(WAIT)
            .until(() -> job(jobId), j -> j.getAttempts(0).hasCheckpointCommitFailure());
    String lastCommitted = failing.getAttempts(0).getLastCheckpoint().getName();
    assertThat(failing.getAttempts(0).getCheckpointCommitFailure().getError())
        .contains("checkpoint store is full")
        .contains("Disk quota exceeded");
    assertThat(tern("status", "--scheduler", address, jobId))
        .contains("checkpoint commits failing since ")
        .contains("Disk quota exceeded")
        .contains("last committed " + lastCommitted + " of attempt 1");
    assertThat(tern("explain", "--scheduler", address, jobId))
        .contains("checkpoint commits failing since ")
        .contains("CHECKPOINT_COMMITS_FAILING");
    assertThat(metric("tern_checkpoint_commit_failures_total{kind=\"full\"}")).isPositive();

    for (long pgid : jobGroups(spot)) {
      kill("KILL", "-" + pgid);
    }
    spot.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    String log1 = Files.readString(spot.jobLog(jobId, 1));
    Files.delete(filler);
    awaitRunningElsewhere(jobId, onDemand);
    Job done = awaitState(jobId, JobState.JOB_STATE_SUCCEEDED, LONG_WAIT);

    Attempt first = done.getAttempts(0);
    assertThat(first.getLastCheckpoint().getName()).isEqualTo(lastCommitted);
    assertThat(done.getAttempts(1).getResumedFrom().getName()).isEqualTo(lastCommitted);
    String log2 = Files.readString(onDemand.jobLog(jobId, 2));
    assertThat(resumedStep(log2)).isEqualTo(stepOf(lastCommitted));
    assertThat(lastLine(log2)).isEqualTo(uninterruptedFinalLine(300));
    double expectedLost =
        Duration.between(
                    instant(first.getLastCheckpoint().getCommittedAt()),
                    instant(first.getEndedAt()))
                .toMillis()
            / 1000.0;
    double lost =
        await("the ledger books the work since the last commit as lost")
            .atMost(WAIT)
            .until(() -> lostSeconds(jobId), l -> Math.abs(l - expectedLost) < 0.01);
    System.out.printf(
        "FULL STORE FIGURES: commits failed from step %d; the job resumed from %s, losing %d"
            + " steps (%.1f s booked lost)%n",
        stepOf(lastCommitted), lastCommitted, lastStep(log1) - resumedStep(log2), lost);
  }

  /** Runs a `tern` client verb in this JVM; its standard output. */
  private static String tern(String... args) {
    TernInProcess run = TernInProcess.run(args);
    assertThat(run.exit()).as("tern " + String.join(" ", args) + ": " + run.err()).isZero();
    return run.out();
  }

  private static double lostSeconds(String jobId) {
    var report =
        io.tern.api.v1.FinOpsServiceGrpc.newBlockingStub(channel)
            .withDeadlineAfter(5, TimeUnit.SECONDS)
            .getCostReport(
                io.tern.api.v1.GetCostReportRequest.newBuilder()
                    .setSince(Timestamp.newBuilder().setSeconds(0))
                    .build());
    return report.getJobsList().stream()
            .filter(l -> l.getKey().equals(jobId))
            .mapToDouble(io.tern.api.v1.CostLine::getLostGpuHours)
            .sum()
        * 3600;
  }

  /** One sample from the scheduler's /metrics; 0 when absent. */
  private static double metric(String sample) throws Exception {
    var client = java.net.http.HttpClient.newHttpClient();
    String body =
        client
            .send(
                java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create("http://127.0.0.1:" + metricsPort + "/metrics"))
                    .build(),
                java.net.http.HttpResponse.BodyHandlers.ofString())
            .body();
    return body.lines()
        .filter(l -> l.startsWith(sample + " "))
        .mapToDouble(l -> Double.parseDouble(l.substring(sample.length() + 1).trim()))
        .sum();
  }

  private static String firstPid(String log) {
    return log.lines().filter(l -> l.startsWith("pid ")).findFirst().orElse("pid ?").substring(4);
  }

  // --- the cluster ---------------------------------------------------------------------------

  private Agent agent(String capacity, boolean watchImds) throws IOException {
    return agent(capacity, watchImds, root.resolve("checkpoints").toString());
  }

  private Agent agent(String capacity, boolean watchImds, String store) throws IOException {
    String nodeId = capacity + "-" + (++testNumber);
    Path workDir = root.resolve("agents").resolve(nodeId);
    Path log = root.resolve(nodeId + ".log");
    List<String> args =
        new ArrayList<>(
            List.of(
                "agent",
                "--scheduler",
                address,
                "--node-id",
                nodeId,
                "--capacity",
                capacity,
                "--gpus",
                "sim:1xL4",
                "--work-dir",
                workDir.toString(),
                "--checkpoint-store",
                store));
    if (watchImds) {
      args.addAll(
          List.of("--imds-endpoint", imds.endpoint().toString(), "--imds-interval-ms", "200"));
    }
    Agent agent = new Agent(nodeId, tern(nodeId, log, args.toArray(String[]::new)), workDir, log);
    agents.add(agent);
    await(nodeId + " is ready")
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> node(nodeId).map(n -> n.getState() == NodeState.NODE_STATE_READY).orElse(false));
    return agent;
  }

  private static Process tern(String name, Path log, String... args) throws IOException {
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC",
                "-Xmx256m",
                "--enable-native-access=ALL-UNNAMED",
                "-Dtern.process=" + name,
                "-cp",
                System.getProperty("java.class.path"),
                TernCommand.class.getName()));
    command.addAll(List.of(args));
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
    builder.environment().put("TERN_HOME", root.resolve("home").toString());
    return builder.start();
  }

  /** {@code tern submit}, through the real command line code; returns the job id. */
  private static String submit(int graceSeconds, String... command) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "submit",
                "--scheduler",
                address,
                "--name",
                "counter",
                "--team",
                "e2e",
                "--gpus",
                "1",
                "--capacity",
                "spot-ok",
                "--checkpoint-grace",
                "" + graceSeconds,
                "--env",
                "STEP_SECONDS=" + STEP_SECONDS,
                "--env",
                "CHECKPOINT_EVERY=" + CHECKPOINT_EVERY,
                "--"));
    args.addAll(List.of(command));
    String jobId = tern(args.toArray(String[]::new)).strip();
    submitted.add(jobId);
    return jobId;
  }

  // --- waiting -------------------------------------------------------------------------------

  private static void awaitRunningOn(String jobId, Agent agent, int step) {
    await(jobId + " runs on " + agent.nodeId + " past step " + step)
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              Job job = job(jobId);
              return job.getState() == JobState.JOB_STATE_RUNNING
                  && job.getAttemptsCount() == 1
                  && job.getAttempts(0).getNodeIdsList().contains(agent.nodeId)
                  && Files.exists(agent.jobLog(jobId, 1))
                  && lastStep(Files.readString(agent.jobLog(jobId, 1))) >= step;
            });
  }

  private static Job awaitRunningElsewhere(String jobId, Agent agent) {
    return await(jobId + " runs again on " + agent.nodeId)
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(50))
        .until(
            () -> job(jobId),
            job ->
                job.getAttemptsCount() >= 2
                    && job.getAttempts(1).getNodeIdsList().contains(agent.nodeId)
                    && job.getAttempts(1).hasStartedAt());
  }

  private static Job awaitState(String jobId, JobState state) {
    return awaitState(jobId, state, WAIT);
  }

  private static Job awaitState(String jobId, JobState state, Duration wait) {
    return await(jobId + " is " + state)
        .atMost(wait)
        .pollInterval(Duration.ofMillis(200))
        .until(() -> job(jobId), job -> job.getState() == state);
  }

  private static Job job(String jobId) {
    return jobs.withDeadlineAfter(5, TimeUnit.SECONDS)
        .getJob(GetJobRequest.newBuilder().setJobId(jobId).build());
  }

  private static Optional<Node> node(String nodeId) {
    return cluster
        .withDeadlineAfter(5, TimeUnit.SECONDS)
        .listNodes(ListNodesRequest.getDefaultInstance())
        .getNodesList()
        .stream()
        .filter(n -> n.getId().equals(nodeId))
        .findFirst();
  }

  // --- figures and helpers -------------------------------------------------------------------

  private static void report(
      String what, Instant interrupted, Instant committed, Instant runningAgain, int stepsLost) {
    System.out.printf(
        "SPOT RECLAIM FIGURES [%s]: %s; running again elsewhere after %d ms; work lost %d steps"
            + " (%.2f s of a %.1f s job)%n",
        what,
        committed == null
            ? "no final checkpoint"
            : "final checkpoint committed "
                + Duration.between(interrupted, committed).toMillis()
                + " ms after the notice",
        Duration.between(interrupted, runningAgain).toMillis(),
        stepsLost,
        stepsLost * STEP_SECONDS,
        STEPS * STEP_SECONDS);
  }

  private static String uninterruptedFinalLine() throws Exception {
    return uninterruptedFinalLine(STEPS);
  }

  private static String uninterruptedFinalLine(int steps) throws Exception {
    return uninterruptedFinalLine(List.of("bash", COUNTER.toString()), steps);
  }

  /** The last line of {@code command STEPS} run here, straight through. */
  private static String uninterruptedFinalLine(List<String> command, int steps) throws Exception {
    List<String> argv = new ArrayList<>(command);
    argv.add("" + steps);
    ProcessBuilder builder = new ProcessBuilder(argv).redirectErrorStream(true);
    builder.environment().keySet().removeIf(k -> k.startsWith("TERN_"));
    builder.environment().put("STEP_SECONDS", "0");
    Process run = builder.start();
    String out = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(run.waitFor(30, TimeUnit.SECONDS)).isTrue();
    String last = lastLine(out);
    assertThat(last).startsWith("final: steps=" + steps);
    return last;
  }

  private static List<Long> jobGroups(Agent agent) throws IOException {
    if (!Files.exists(agent.log)) {
      return List.of();
    }
    Matcher m = JOB_PID.matcher(Files.readString(agent.log));
    List<Long> pids = new ArrayList<>();
    while (m.find()) {
      pids.add(Long.parseLong(m.group(1)));
    }
    return pids;
  }

  /** The id of this test's one cluster, which the agents keep its jobs' checkpoints under. */
  private static String clusterId() throws java.io.IOException {
    try (var clusters = Files.list(root.resolve("checkpoints/clusters"))) {
      List<Path> all = clusters.toList();
      assertThat(all).hasSize(1);
      return all.getFirst().getFileName().toString();
    }
  }

  private static void kill(String signal, String target) throws Exception {
    new ProcessBuilder("kill", "-s", signal, "--", target)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .start()
        .waitFor(5, TimeUnit.SECONDS);
  }

  private static int lastStep(String log) {
    Matcher m = STEP.matcher(log);
    int last = 0;
    while (m.find()) {
      last = Integer.parseInt(m.group(1));
    }
    return last;
  }

  private static int resumedStep(String log) {
    Matcher m = RESUMED.matcher(log);
    assertThat(m.find()).as("resumed from a checkpoint:\n" + log).isTrue();
    return Integer.parseInt(m.group(1));
  }

  private static int stepOf(String checkpointName) {
    return Integer.parseInt(checkpointName.substring("step-".length()));
  }

  private static String lastLine(String text) {
    List<String> lines = text.strip().lines().toList();
    return lines.isEmpty() ? "" : lines.getLast();
  }

  private static Instant instant(Timestamp t) {
    return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
