package io.tern.cli.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.tern.api.v1.ClusterServiceGrpc;
import io.tern.api.v1.GetJobRequest;
import io.tern.api.v1.JobServiceGrpc;
import io.tern.api.v1.JobState;
import io.tern.api.v1.ListNodesRequest;
import io.tern.api.v1.NodeState;
import io.tern.cli.TernCommand;
import io.tern.cli.testing.TernInProcess;
import io.tern.cli.testing.TernProcess;
import io.tern.scheduler.server.SchedulerConfig;
import io.tern.scheduler.server.SchedulerServer;
import io.tern.scheduler.server.loop.SchedulerLoop;
import io.tern.simulator.trace.NativeTraceReader;
import io.tern.simulator.trace.NativeTraceWriter;
import io.tern.simulator.trace.TraceJob;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tern history export} against a real scheduler (in process, on curator-test ZooKeeper) with
 * a real {@code tern agent} process: jobs run, are exported from the scheduler's durable state as a
 * native trace with a node list beside it, and {@code tern simulate} replays the export.
 */
class HistoryExportEndToEndTest {
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir static Path dir;
  private static TestingServer zk;
  private static SchedulerServer scheduler;
  private static TernProcess agent;
  private static ManagedChannel channel;
  private static String address;

  @BeforeAll
  static void runSomeJobs() throws Exception {
    zk = new TestingServer(true);
    scheduler =
        new SchedulerServer(SchedulerConfig.local(zk.getConnectString(), 0), Clock.systemUTC())
            .start();
    await().atMost(WAIT).until(() -> scheduler.loop().role().get() == SchedulerLoop.Role.LEADER);
    address = scheduler.address();
    // The agent's store; the scheduler does not use it, so it is initialised by hand.
    io.tern.checkpoint.config.CheckpointStoreLocation.parse(dir.resolve("checkpoints").toString())
        .initialise(Clock.systemUTC());
    agent =
        TernProcess.start(
            dir,
            "agent",
            "agent",
            "--scheduler",
            address,
            "--node-id",
            "gpu-1",
            "--capacity",
            "on-demand",
            "--gpus",
            "sim:2xA10:24",
            "--work-dir",
            dir.resolve("agent").toString(),
            "--checkpoint-store",
            dir.resolve("checkpoints").toString());
    channel = Grpc.newChannelBuilder(address, InsecureChannelCredentials.create()).build();
    var cluster = ClusterServiceGrpc.newBlockingStub(channel);
    await()
        .atMost(WAIT)
        .until(
            () ->
                cluster.listNodes(ListNodesRequest.getDefaultInstance()).getNodesList().stream()
                    .anyMatch(n -> n.getState() == NodeState.NODE_STATE_READY));

    String first = submit("--name", "first", "--team", "vision", "--gpus", "1", "--", "sleep", "1");
    String second =
        submit(
            "--name",
            "second",
            "--team",
            "nlp",
            "--gpus",
            "2",
            "--priority",
            "high",
            "--deadline",
            Instant.now().plus(Duration.ofHours(2)).toString(),
            "--checkpoint-grace",
            "5",
            "--",
            "sleep",
            "2");
    String third =
        submit(
            "--name",
            "third",
            "--team",
            "vision",
            "--gpus",
            "1",
            "--capacity",
            "on-demand",
            "--checkpoint-interval",
            "5",
            "--",
            "true");
    for (String id : List.of(first, second, third)) {
      awaitState(id, JobState.JOB_STATE_SUCCEEDED);
    }
    awaitState(
        submit("--name", "long", "--team", "vision", "--gpus", "1", "--", "sleep", "600"),
        JobState.JOB_STATE_RUNNING);
  }

  @AfterAll
  static void stop() throws Exception {
    if (channel != null) {
      channel.shutdownNow();
    }
    if (agent != null) {
      agent.close();
    }
    if (scheduler != null) {
      scheduler.close();
    }
    if (zk != null) {
      zk.close();
    }
  }

  @Test
  void theExportIsANativeTraceWithItsNodesBesideAndTheSimulatorReplaysIt() throws Exception {
    Path trace = dir.resolve("week.csv");

    TernInProcess export =
        TernInProcess.run(
            "history", "export", "--scheduler", address, "--since", "1h", "-o", trace.toString());

    assertThat(export.exit()).as(export.err()).isZero();
    assertThat(export.err()).contains("exported 3 jobs (1 left out").contains("and 1 nodes");
    assertThat(Files.readString(trace)).startsWith(NativeTraceWriter.HEADER + "\n");
    List<TraceJob> jobs = NativeTraceReader.read(trace);
    assertThat(jobs).extracting(TraceJob::id).hasSize(3);
    assertThat(jobs.get(0).submitSeconds()).isZero();
    assertThat(jobs).extracting(TraceJob::team).containsExactly("vision", "nlp", "vision");
    assertThat(jobs).extracting(TraceJob::gpus).containsExactly(1, 2, 1);
    TraceJob first = jobs.get(0);
    TraceJob second = jobs.get(1);
    TraceJob third = jobs.get(2);
    // The work done, not the time queued: `sleep 1` ran about a second.
    assertThat(first.durationSeconds()).isBetween(1L, 10L);
    assertThat(second.durationSeconds()).isBetween(2L, 11L);
    assertThat(second.priority().label()).isEqualTo("high");
    assertThat(second.deadlineSeconds() - second.submitSeconds()).isBetween(7000L, 7201L);
    assertThat(first.hasDeadline()).isFalse();
    assertThat(third.capacity().label()).isEqualTo("on-demand");
    assertThat(third.checkpointIntervalSeconds()).isEqualTo(300);
    // Checkpoints only when asked: a replay saves it on a notice, never in between.
    assertThat(second.checkpointIntervalSeconds()).isEqualTo(second.durationSeconds());
    assertThat(first.canCheckpoint()).isFalse();
    assertThat(Files.readString(dir.resolve("week.nodes.csv")))
        .isEqualTo(HistoryTrace.NODE_HEADER + "\ngpu-1,2,A10,24,on-demand,local,0.0000\n");

    TernInProcess replay = TernInProcess.run("simulate", "--jobs", trace.toString(), "-o", "json");

    assertThat(replay.exit()).as(replay.err()).isZero();
    JsonNode summary = new ObjectMapper().readTree(replay.out());
    assertThat(summary.get("jobs").asInt()).isEqualTo(3);
    assertThat(summary.get("nodes").asInt()).isEqualTo(1);
    assertThat(summary.get("gpus").asInt()).isEqualTo(2);
    for (JsonNode policy : summary.get("policies")) {
      assertThat(policy.get("jobsFinished").asInt()).as(policy.toString()).isEqualTo(3);
    }
  }

  @Test
  void dashWritesTheTraceToStdoutAndNoNodeListUnlessAsked() throws Exception {
    Path nodes = dir.resolve("stdout-nodes.csv");

    TernInProcess export =
        TernInProcess.run("history", "export", "--scheduler", address, "--since", "1h", "-o", "-");
    TernInProcess withNodes =
        TernInProcess.run(
            "history",
            "export",
            "--scheduler",
            address,
            "--since",
            "1h",
            "-o",
            "-",
            "--nodes",
            nodes.toString());

    assertThat(export.exit()).as(export.err()).isZero();
    assertThat(export.out()).startsWith(NativeTraceWriter.HEADER + "\n");
    assertThat(export.out().lines()).hasSize(4);
    assertThat(withNodes.out()).isEqualTo(export.out());
    assertThat(nodes).content().startsWith(HistoryTrace.NODE_HEADER);
  }

  @Test
  void aSinceAfterTheJobsExportsNoJobs() {
    String after = Instant.now().minusMillis(1).toString();

    TernInProcess export =
        TernInProcess.run("history", "export", "--scheduler", address, "--since", after, "-o", "-");

    assertThat(export.exit()).as(export.err()).isZero();
    assertThat(export.out()).isEqualTo(NativeTraceWriter.HEADER + "\n");
    assertThat(export.err()).contains("exported 0 jobs");
  }

  @Test
  void aBadSinceIsBadInputNamingTheFlag() {
    for (String bad : List.of("7x", "last week", Instant.now().plusSeconds(3600).toString())) {
      TernInProcess export =
          TernInProcess.run("history", "export", "--scheduler", address, "--since", bad, "-o", "-");

      assertThat(export.exit()).as(bad).isEqualTo(TernCommand.EXIT_BAD_INPUT);
      assertThat(export.err()).as(bad).contains("--since");
      assertThat(export.out()).as(bad).isEmpty();
    }
    TernInProcess missing = TernInProcess.run("history", "export", "-o", "-");
    assertThat(missing.exit()).isEqualTo(TernCommand.EXIT_BAD_INPUT);
    assertThat(missing.err()).contains("--since");
  }

  private static String submit(String... args) {
    String[] all = new String[args.length + 3];
    all[0] = "submit";
    all[1] = "--scheduler";
    all[2] = address;
    System.arraycopy(args, 0, all, 3, args.length);
    TernInProcess run = TernInProcess.run(all);
    assertThat(run.exit()).as(run.err()).isZero();
    return run.out().trim();
  }

  private static void awaitState(String id, JobState state) {
    var jobs = JobServiceGrpc.newBlockingStub(channel);
    await(id + " " + state)
        .atMost(WAIT)
        .until(
            () -> jobs.getJob(GetJobRequest.newBuilder().setJobId(id).build()).getState(),
            s -> s == state);
  }
}
