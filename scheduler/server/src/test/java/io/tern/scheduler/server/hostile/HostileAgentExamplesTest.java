package io.tern.scheduler.server.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.Timestamp;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.tern.api.v1.AgentMessage;
import io.tern.api.v1.CapacityType;
import io.tern.api.v1.GetJobRequest;
import io.tern.api.v1.Gpu;
import io.tern.api.v1.GpuHealth;
import io.tern.api.v1.Job;
import io.tern.api.v1.JobState;
import io.tern.api.v1.JobStatus;
import io.tern.api.v1.ListNodesRequest;
import io.tern.api.v1.Node;
import io.tern.api.v1.NodeState;
import io.tern.api.v1.Register;
import io.tern.api.v1.RunningAttempt;
import io.tern.api.v1.SchedulerMessage;
import io.tern.api.v1.SpotNotice;
import io.tern.api.v1.SubmitJobRequest;
import io.tern.scheduler.server.SchedulerServer;
import io.tern.scheduler.server.testing.AgentStream;
import io.tern.scheduler.server.testing.Clients;
import io.tern.scheduler.server.testing.ReplicaCluster;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The holes the hostile-message properties found, each shown on its own. */
class HostileAgentExamplesTest {
  private static final Duration WAIT = ReplicaCluster.WAIT;

  private ReplicaCluster cluster;
  private Clients clients;
  private ManagedChannel channel;

  @BeforeEach
  void start() throws Exception {
    cluster = new ReplicaCluster();
    SchedulerServer leader = cluster.replica(Duration.ofMinutes(30));
    ReplicaCluster.awaitLeading(leader);
    clients = cluster.track(new Clients(leader.address()));
    channel = NettyChannelBuilder.forTarget(leader.address()).usePlaintext().build();
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow();
    cluster.close();
  }

  @Test
  void aNodeBackWithFewerGpusRequeuesWhatHeldThemAndPlanningGoesOn() throws Exception {
    AgentStream first = register(4, List.of());
    String big = submit("big", 4);
    first.next(SchedulerMessage.KindCase.START_JOB, 10);
    first.send(status(big, 1, JobStatus.Phase.PHASE_STARTED, 0));
    await().atMost(WAIT).until(() -> job(big).getState() == JobState.JOB_STATE_RUNNING);

    // Back with two GPUs, still claiming the attempt on GPUs 0 and 1.
    AgentStream second =
        register(
            2,
            List.of(
                RunningAttempt.newBuilder()
                    .setJobId(big)
                    .setAttempt(1)
                    .addGpuIndices(0)
                    .addGpuIndices(1)
                    .build()));
    assertThat(second.next(SchedulerMessage.KindCase.STOP_JOB, 10).getStopJob().getJobId())
        .isEqualTo(big);
    await().atMost(WAIT).until(() -> job(big).getState() == JobState.JOB_STATE_PENDING);
    assertThat(job(big).getAttempts(0).getEndReason()).contains("fewer GPUs");

    // A late failure of the ended attempt changes nothing; a late exit 0 (the job finished before
    // the stop reached it) finishes the requeued job: the record takes the exit, nothing reruns.
    second.send(status(big, 1, JobStatus.Phase.PHASE_EXITED, 3));
    second.send(status(big, 1, JobStatus.Phase.PHASE_EXITED, 0));
    await().atMost(WAIT).until(() -> job(big).getState() == JobState.JOB_STATE_SUCCEEDED);
    assertThat(job(big).getAttemptsCount()).isEqualTo(1);
    assertThat(job(big).getAttempts(0).getEndReason()).startsWith("exit 0, reported late");
    second.send(AgentMessage.newBuilder().setRegister(registerOf(2, List.of())).build());
    assertThat(second.awaitClosed(WAIT).getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);

    // Plans still work: a job that fits the node as it is now is started.
    AgentStream third = register(2, List.of());
    String small = submit("small", 1);
    assertThat(third.next(SchedulerMessage.KindCase.START_JOB, 10).getStartJob().getJobId())
        .isEqualTo(small);
  }

  @Test
  void aStartFailureMessageIsStoredShortAndPrintable() throws Exception {
    AgentStream stream = register(1, List.of());
    String id = submit("fails", 1);
    stream.next(SchedulerMessage.KindCase.START_JOB, 10);
    stream.send(
        AgentMessage.newBuilder()
            .setJobStatus(
                JobStatus.newBuilder()
                    .setJobId(id)
                    .setAttempt(1)
                    .setPhase(JobStatus.Phase.PHASE_START_FAILED)
                    .setMessage("exec failed: \u001b[2J" + "x".repeat(5000) + "\nFORGED LINE"))
            .build());

    await().atMost(WAIT).until(() -> job(id).getState() == JobState.JOB_STATE_FAILED);
    assertThat(job(id).getAttempts(0).getEndReason())
        .startsWith("start failed: exec failed:  [2J")
        .doesNotContain("\u001b", "\n", "FORGED")
        .hasSizeLessThanOrEqualTo("start failed: ".length() + 1024);
  }

  @Test
  void aMalformedRegisterIsRefusedNamingTheFieldAndCreatesNoNode() throws Exception {
    Register duplicateIndex = registerOf(2, List.of()).toBuilder().setGpus(1, gpu(0)).build();
    AgentStream stream = new AgentStream(channel);
    stream.send(AgentMessage.newBuilder().setRegister(duplicateIndex).build());

    Status closed = stream.awaitClosed(WAIT);
    assertThat(closed.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(closed.getDescription()).startsWith("register.gpus[1].index:");
    assertThat(nodes()).isEmpty();

    AgentStream badId = new AgentStream(channel);
    badId.send(
        AgentMessage.newBuilder()
            .setRegister(registerOf(2, List.of()).toBuilder().setNodeId("../zk/leader"))
            .build());
    assertThat(badId.awaitClosed(WAIT).getDescription()).startsWith("register.node_id:");
    assertThat(nodes()).isEmpty();
  }

  @Test
  void aReclaimTimeFarAheadIsTakenAsAtMostAnHour() throws Exception {
    AgentStream stream = register(1, List.of());
    Instant before = Instant.now();
    stream.send(
        AgentMessage.newBuilder()
            .setSpotNotice(
                SpotNotice.newBuilder()
                    .setKind(SpotNotice.Kind.KIND_INSTANCE_ACTION)
                    .setActionAt(Timestamp.newBuilder().setSeconds(253_402_300_000L)))
            .build());

    await().atMost(WAIT).until(() -> nodes().get(0).getState() == NodeState.NODE_STATE_DRAINING);
    Instant reclaim = Instant.ofEpochSecond(nodes().get(0).getReclaimAt().getSeconds());
    assertThat(reclaim).isBetween(before, Instant.now().plus(Duration.ofHours(1)));
  }

  private AgentStream register(int gpus, List<RunningAttempt> running) throws InterruptedException {
    AgentStream stream = new AgentStream(channel);
    stream.send(AgentMessage.newBuilder().setRegister(registerOf(gpus, running)).build());
    stream.next(SchedulerMessage.KindCase.REGISTERED, 10);
    return stream;
  }

  private static Register registerOf(int gpus, List<RunningAttempt> running) {
    Register.Builder r =
        Register.newBuilder()
            .setNodeId("node-x")
            .setCapacityType(CapacityType.CAPACITY_TYPE_SPOT)
            .setPool("p4d/us-east-1a")
            .setPricePerHourUsd(10)
            .setCpu(96)
            .setMemoryGib(1024)
            .addAllRunning(running);
    for (int i = 0; i < gpus; i++) {
      r.addGpus(gpu(i));
    }
    return r.build();
  }

  private static Gpu gpu(int index) {
    return Gpu.newBuilder()
        .setIndex(index)
        .setUuid("GPU-x-" + index)
        .setModel("A100")
        .setMemoryTotalMib(81920)
        .setHealth(GpuHealth.GPU_HEALTH_OK)
        .build();
  }

  private static AgentMessage status(String jobId, int attempt, JobStatus.Phase phase, int exit) {
    return AgentMessage.newBuilder()
        .setJobStatus(
            JobStatus.newBuilder()
                .setJobId(jobId)
                .setAttempt(attempt)
                .setPhase(phase)
                .setExitCode(exit))
        .build();
  }

  private String submit(String name, int gpus) {
    return clients
        .jobsNow()
        .submitJob(SubmitJobRequest.newBuilder().setSpec(Clients.spec(name, gpus)).build())
        .getJob()
        .getId();
  }

  private Job job(String id) {
    return clients.jobsNow().getJob(GetJobRequest.newBuilder().setJobId(id).build());
  }

  private List<Node> nodes() {
    return io.tern.api.v1.ClusterServiceGrpc.newBlockingStub(channel)
        .withDeadlineAfter(10, java.util.concurrent.TimeUnit.SECONDS)
        .listNodes(ListNodesRequest.getDefaultInstance())
        .getNodesList();
  }
}
