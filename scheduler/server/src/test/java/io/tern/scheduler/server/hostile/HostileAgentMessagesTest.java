package io.tern.scheduler.server.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Timestamp;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.tern.api.v1.AgentMessage;
import io.tern.api.v1.CapacityType;
import io.tern.api.v1.CheckpointCommitted;
import io.tern.api.v1.CheckpointRef;
import io.tern.api.v1.GetJobRequest;
import io.tern.api.v1.Gpu;
import io.tern.api.v1.GpuHealth;
import io.tern.api.v1.Job;
import io.tern.api.v1.JobState;
import io.tern.api.v1.JobStatus;
import io.tern.api.v1.ListJobsRequest;
import io.tern.api.v1.ListNodesRequest;
import io.tern.api.v1.LogData;
import io.tern.api.v1.Node;
import io.tern.api.v1.Register;
import io.tern.api.v1.RunningAttempt;
import io.tern.api.v1.SchedulerMessage;
import io.tern.api.v1.SpotNotice;
import io.tern.api.v1.SubmitJobRequest;
import io.tern.api.v1.Telemetry;
import io.tern.scheduler.server.SchedulerServer;
import io.tern.scheduler.server.api.AgentMessageValidator;
import io.tern.scheduler.server.testing.AgentStream;
import io.tern.scheduler.server.testing.Clients;
import io.tern.scheduler.server.testing.FakeAgent;
import io.tern.scheduler.server.testing.ReplicaCluster;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Random and malformed agent messages against a real leader (ZooKeeper in-process, gRPC on
 * loopback). Whatever a node sends, the leader keeps leading and answering, and a message it
 * rejects or ignores changes no job and no node.
 *
 * <p>The fixture: node-a runs job 1 (2 GPUs) and ran job 0 to success; node-b runs job 2; job 3
 * asks for more GPUs than any node has and stays pending. Each try opens a fresh stream as node-a,
 * registers it (listing job 1, as a real agent would), snapshots jobs and nodes, sends the hostile
 * messages, then a second Register. That one is always refused and ends the stream; since a
 * stream's messages reach the loop in order, every earlier message has been handled by the time the
 * snapshot taken after it is answered.
 */
class HostileAgentMessagesTest {
  private static final Duration WAIT = ReplicaCluster.WAIT;
  private static final String NODE_A = "node-a";

  private static ReplicaCluster cluster;
  private static SchedulerServer leader;
  private static Clients clients;
  private static ManagedChannel channel;
  private static String job0;
  private static String job1;
  private static String job2;
  private static String job3;

  @BeforeContainer
  static void startCluster() throws Exception {
    cluster = new ReplicaCluster();
    leader = cluster.replica(Duration.ofMinutes(30));
    ReplicaCluster.awaitLeading(leader);
    clients = cluster.track(new Clients(leader.address()));
    channel = NettyChannelBuilder.forTarget(leader.address()).usePlaintext().build();

    AgentStream a = registerA(List.of());
    job0 = submit("done", 1);
    a.next(SchedulerMessage.KindCase.START_JOB, 10);
    a.send(status(job0, 1, JobStatus.Phase.PHASE_STARTED, 0));
    a.send(status(job0, 1, JobStatus.Phase.PHASE_EXITED, 0));
    awaitState(job0, JobState.JOB_STATE_SUCCEEDED);
    job1 = submit("on-a", 2);
    a.next(SchedulerMessage.KindCase.START_JOB, 10);
    a.send(status(job1, 1, JobStatus.Phase.PHASE_STARTED, 0));
    awaitState(job1, JobState.JOB_STATE_RUNNING);

    FakeAgent b =
        cluster
            .track(
                new FakeAgent(leader.address(), "node-b", 2, CapacityType.CAPACITY_TYPE_ON_DEMAND))
            .connect();
    job2 = submit("on-b", 2);
    b.next(SchedulerMessage.KindCase.START_JOB, 10);
    b.status(job2, 1, JobStatus.Phase.PHASE_STARTED, 0);
    awaitState(job2, JobState.JOB_STATE_RUNNING);
    job3 = submit("never", 8);
  }

  @AfterContainer
  static void stopCluster() throws Exception {
    if (channel != null) {
      channel.shutdownNow();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  // ---- properties ----------------------------------------------------------------------------

  @Property(tries = 150, seed = "1123")
  void messagesAfterRegisterThatAreMalformedStaleOrForeignChangeNothing(
      @ForAll("hostileSequences") List<AgentMessage> messages) throws Exception {
    AgentStream stream = registerA(List.of(runningJob1()));
    Map<String, Object> before = snapshot();

    messages.forEach(stream::send);
    stream.send(AgentMessage.newBuilder().setRegister(registerOfA(List.of())).build());

    Status closed = stream.awaitClosed(WAIT);
    assertThat(closed.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(closed.getDescription()).isNotBlank().hasSizeLessThan(300);
    assertUnchanged(before, snapshot());
    assertThat(ReplicaCluster.leads(leader)).isTrue();
  }

  @Property(tries = 120, seed = "2311")
  void aStreamThatDoesNotOpenWithAValidRegisterIsRefusedAndChangesNothing(
      @ForAll("badFirstMessages") AgentMessage first) throws Exception {
    Map<String, Object> before = snapshot();
    AgentStream stream = new AgentStream(channel);

    stream.send(first);

    Status closed = stream.awaitClosed(WAIT);
    assertThat(closed.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertUnchanged(before, snapshot());
    assertThat(ReplicaCluster.leads(leader)).isTrue();
  }

  // ---- arbitraries ---------------------------------------------------------------------------

  @Provide
  Arbitrary<List<AgentMessage>> hostileSequences() {
    return Arbitraries.oneOf(
            malformedTelemetry(),
            sameTelemetry(),
            foreignOrStaleStatus(),
            malformedStatus(),
            malformedSpotNotice(),
            checkpoints(),
            logData(),
            Arbitraries.just(AgentMessage.getDefaultInstance()),
            randomBytes())
        .list()
        .ofMinSize(1)
        .ofMaxSize(4);
  }

  @Provide
  Arbitrary<AgentMessage> badFirstMessages() {
    Arbitrary<AgentMessage> notRegister =
        Arbitraries.oneOf(sameTelemetry(), foreignOrStaleStatus(), logData(), checkpoints());
    return Arbitraries.oneOf(
        notRegister, hostileRegister(), randomBytes().filter(m -> !m.hasRegister()));
  }

  private Arbitrary<AgentMessage> hostileRegister() {
    List<UnaryOperator<Register.Builder>> corruptions =
        List.of(
            r -> r.setNodeId(""),
            r -> r.setNodeId("../etc"),
            r -> r.setNodeId("a/b"),
            r -> r.setNodeId("/abs"),
            r -> r.setNodeId("nul\0id"),
            r -> r.setNodeId("n".repeat(300)),
            r -> r.setNodeId(".hidden"),
            r -> r.setPricePerHourUsd(Double.NaN),
            r -> r.setPricePerHourUsd(-1),
            r -> r.setCpu(Double.POSITIVE_INFINITY),
            r -> r.setMemoryGib(-5),
            r -> r.setPool("p".repeat(100_000)),
            r -> r.setPool("line\nbreak"),
            r -> r.setAgentVersion("\u001b[2J"),
            r -> r.setAgentInstance("i".repeat(1000)),
            r -> r.setCapacityTypeValue(77),
            r -> r.addGpus(gpu(0)),
            r -> r.setGpus(1, gpu(5)),
            r -> r.setGpus(0, gpu(-1)),
            r -> r.setGpus(0, gpu(0).toBuilder().setMemoryTotalMib(-1).build()),
            r -> r.setGpus(0, gpu(0).toBuilder().setMemoryUsedMib(Long.MIN_VALUE).build()),
            r -> r.setGpus(0, gpu(0).toBuilder().setUtilizationPercent(101).build()),
            r -> r.setGpus(0, gpu(0).toBuilder().setPowerW(Double.NaN).build()),
            r -> r.setGpus(0, gpu(0).toBuilder().setUuid("u".repeat(10_000)).build()),
            r -> r.setGpus(0, gpu(0).toBuilder().setHealthValue(99).build()),
            r -> {
              for (int i = 2; i <= 64; i++) {
                r.addGpus(gpu(i));
              }
              return r;
            },
            r -> r.putLabels("k".repeat(100), "v"),
            r -> r.putLabels("ok", "v".repeat(1000)),
            r -> r.putLabels("", "v"),
            r -> {
              for (int i = 0; i < 65; i++) {
                r.putLabels("l" + i, "v");
              }
              return r;
            },
            r -> r.addRunning(RunningAttempt.newBuilder().setJobId("../../x").setAttempt(1)),
            r -> r.addRunning(RunningAttempt.newBuilder().setJobId(job1).setAttempt(0)),
            r -> r.addRunning(runningJob1()).addRunning(runningJob1()),
            r ->
                r.addRunning(
                    RunningAttempt.newBuilder().setJobId(job1).setAttempt(1).addGpuIndices(7)),
            r ->
                r.addRunning(
                    RunningAttempt.newBuilder()
                        .setJobId(job1)
                        .setAttempt(1)
                        .addGpuIndices(0)
                        .addGpuIndices(0)));
    Arbitrary<String> nodeIds = Arbitraries.of(NODE_A, "node-b", "node-new");
    return Combinators.combine(
            nodeIds, Arbitraries.of(corruptions).list().ofMinSize(1).ofMaxSize(3))
        .as(
            (id, list) -> {
              Register.Builder r = registerOfA(List.of()).toBuilder().setNodeId(id);
              list.forEach(c -> c.apply(r));
              return AgentMessage.newBuilder().setRegister(r).build();
            });
  }

  /** Telemetry that breaks one rule: a wrong GPU count, bad indices, impossible readings. */
  private Arbitrary<AgentMessage> malformedTelemetry() {
    List<UnaryOperator<Telemetry.Builder>> corruptions =
        List.of(
            t -> t.clearGpus(),
            t -> t.addGpus(gpu(2)),
            t -> t.setGpus(1, gpu(0)),
            t -> t.setGpus(1, gpu(-3)),
            t -> t.setGpus(1, gpu(Integer.MAX_VALUE)),
            t -> t.setGpus(0, gpu(0).toBuilder().setMemoryTotalMib(-81920).build()),
            t -> t.setGpus(0, gpu(0).toBuilder().setMemoryTotalMib(Long.MAX_VALUE).build()),
            t -> t.setGpus(0, gpu(0).toBuilder().setUtilizationPercent(-1).build()),
            t -> t.setGpus(0, gpu(0).toBuilder().setUtilizationPercent(1000).build()),
            t -> t.setGpus(0, gpu(0).toBuilder().setPowerW(Double.NaN).build()),
            t -> t.setGpus(0, gpu(0).toBuilder().setPowerW(-1).build()),
            t -> t.setGpus(0, gpu(0).toBuilder().setTemperatureC(Integer.MIN_VALUE).build()),
            t -> t.setGpus(0, gpu(0).toBuilder().setModel("A100\0").build()),
            t -> t.setGpus(0, gpu(0).toBuilder().setHealthValue(-4).build()),
            t -> t.setSampledAt(Timestamp.newBuilder().setSeconds(Long.MAX_VALUE)),
            t -> t.setSampledAt(Timestamp.newBuilder().setNanos(-1)));
    return Arbitraries.of(corruptions)
        .map(
            c ->
                AgentMessage.newBuilder()
                    .setTelemetry(c.apply(telemetryOfA().toBuilder()))
                    .build());
  }

  /** Telemetry that repeats the registration: accepted, and nothing visible changes. */
  private Arbitrary<AgentMessage> sameTelemetry() {
    return Arbitraries.just(AgentMessage.newBuilder().setTelemetry(telemetryOfA()).build());
  }

  /**
   * Well-formed statuses the leader must ignore: for a job on another node, a finished or pending
   * job, an unknown job, or an attempt of job 1 other than its current one.
   */
  private Arbitrary<AgentMessage> foreignOrStaleStatus() {
    Arbitrary<JobStatus.Phase> phases =
        Arbitraries.of(JobStatus.Phase.class)
            .filter(p -> p != JobStatus.Phase.UNRECOGNIZED)
            .filter(p -> p != JobStatus.Phase.PHASE_UNSPECIFIED);
    Arbitrary<String[]> target =
        Arbitraries.oneOf(
            Arbitraries.of(job0, job2, job3, "job-999999").map(id -> new String[] {id, "1"}),
            Arbitraries.of(2, 3, 1000, Integer.MAX_VALUE)
                .map(n -> new String[] {job1, Integer.toString(n)}));
    return Combinators.combine(target, phases, Arbitraries.integers())
        .as((t, phase, exit) -> status(t[0], Integer.parseInt(t[1]), phase, exit));
  }

  /** Statuses that are malformed whatever the state. */
  private Arbitrary<AgentMessage> malformedStatus() {
    Arbitrary<String> ids =
        Arbitraries.oneOf(
            Arbitraries.of("", "job-", "job-abc", "../job-000002", "JOB-000002", "job-000002\0"),
            Arbitraries.strings().all().ofMaxLength(30),
            Arbitraries.just("job-" + "1".repeat(100)));
    Arbitrary<AgentMessage> badIds = ids.map(id -> status(id, 1, JobStatus.Phase.PHASE_EXITED, 0));
    Arbitrary<AgentMessage> badAttempts =
        Arbitraries.of(0, -1, Integer.MIN_VALUE)
            .map(n -> status(job1, n, JobStatus.Phase.PHASE_EXITED, 0));
    Arbitrary<AgentMessage> badPhases =
        Arbitraries.of(0, 6, 99, -1)
            .map(
                v ->
                    AgentMessage.newBuilder()
                        .setJobStatus(
                            JobStatus.newBuilder().setJobId(job1).setAttempt(1).setPhaseValue(v))
                        .build());
    Arbitrary<AgentMessage> hugeMessage =
        Arbitraries.just(
            AgentMessage.newBuilder()
                .setJobStatus(
                    JobStatus.newBuilder()
                        .setJobId(job1)
                        .setAttempt(1)
                        .setPhase(JobStatus.Phase.PHASE_START_FAILED)
                        .setMessage("m".repeat(AgentMessageValidator.MAX_STATUS_MESSAGE + 1)))
                .build());
    Arbitrary<AgentMessage> badTime =
        Arbitraries.just(
            AgentMessage.newBuilder()
                .setJobStatus(
                    JobStatus.newBuilder()
                        .setJobId(job1)
                        .setAttempt(1)
                        .setPhase(JobStatus.Phase.PHASE_EXITED)
                        .setAt(Timestamp.newBuilder().setSeconds(Long.MIN_VALUE)))
                .build());
    return Arbitraries.oneOf(badIds, badAttempts, badPhases, hugeMessage, badTime);
  }

  private Arbitrary<AgentMessage> malformedSpotNotice() {
    List<SpotNotice> notices =
        List.of(
            SpotNotice.getDefaultInstance(),
            SpotNotice.newBuilder().setKindValue(42).build(),
            SpotNotice.newBuilder()
                .setKind(SpotNotice.Kind.KIND_INSTANCE_ACTION)
                .setActionAt(Timestamp.newBuilder().setSeconds(Long.MAX_VALUE))
                .build(),
            SpotNotice.newBuilder()
                .setKind(SpotNotice.Kind.KIND_INSTANCE_ACTION)
                .setActionAt(Timestamp.newBuilder().setSeconds(1).setNanos(2_000_000_000))
                .build(),
            SpotNotice.newBuilder()
                .setKind(SpotNotice.Kind.KIND_INSTANCE_ACTION)
                .setAction("t".repeat(10_000))
                .build(),
            // A rebalance recommendation is well-formed and only logged.
            SpotNotice.newBuilder().setKind(SpotNotice.Kind.KIND_REBALANCE).build());
    return Arbitraries.of(notices).map(n -> AgentMessage.newBuilder().setSpotNotice(n).build());
  }

  /**
   * Checkpoint reports with hostile names or fields for job 1, and well-formed ones for jobs that
   * do not run on this node or for another attempt.
   */
  private Arbitrary<AgentMessage> checkpoints() {
    Arbitrary<String> names =
        Arbitraries.of(
            "../x",
            "..",
            ".",
            "/etc/passwd",
            "a/b",
            "a\\b",
            "nul\0",
            "",
            ".staging",
            "n".repeat(129),
            "ok\n",
            "ckpt-1 ");
    Arbitrary<AgentMessage> hostileNames = names.map(n -> checkpoint(job1, ref(1).setName(n)));
    List<UnaryOperator<CheckpointRef.Builder>> corruptions =
        List.of(
            r -> r.setAttempt(0),
            r -> r.setSizeBytes(-1),
            r -> r.setManifestSha256("zz"),
            r -> r.setManifestSha256("A".repeat(64)),
            r -> r.clearCommittedAt(),
            r -> r.setCommittedAt(Timestamp.newBuilder().setSeconds(Long.MAX_VALUE)));
    Arbitrary<AgentMessage> badFields =
        Arbitraries.of(corruptions).map(c -> checkpoint(job1, c.apply(ref(1))));
    Arbitrary<AgentMessage> foreign =
        Arbitraries.of(job0, job2, job3, "job-999999").map(id -> checkpoint(id, ref(1)));
    Arbitrary<AgentMessage> otherAttempt = Arbitraries.of(2, 7).map(n -> checkpoint(job1, ref(n)));
    Arbitrary<AgentMessage> noRef =
        Arbitraries.just(
            AgentMessage.newBuilder()
                .setCheckpointCommitted(CheckpointCommitted.newBuilder().setJobId(job1))
                .build());
    Arbitrary<AgentMessage> negativeSave =
        Arbitraries.just(
            AgentMessage.newBuilder()
                .setCheckpointCommitted(
                    CheckpointCommitted.newBuilder()
                        .setJobId(job1)
                        .setCheckpoint(ref(1))
                        .setSaveMillis(-5))
                .build());
    return Arbitraries.oneOf(hostileNames, badFields, foreign, otherAttempt, noRef, negativeSave);
  }

  private Arbitrary<AgentMessage> logData() {
    Arbitrary<AgentMessage> unknownRequest =
        Combinators.combine(
                Arbitraries.longs(),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(64),
                Arbitraries.longs().greaterOrEqual(0))
            .as(
                (id, data, next) ->
                    AgentMessage.newBuilder()
                        .setLogData(
                            LogData.newBuilder()
                                .setRequestId(id)
                                .setData(ByteString.copyFrom(data))
                                .setNextOffset(next))
                        .build());
    Arbitrary<AgentMessage> malformed =
        Arbitraries.of(
                LogData.newBuilder().setNextOffset(-1).build(),
                LogData.newBuilder().setData(ByteString.copyFrom(new byte[(1 << 20) + 1])).build(),
                LogData.newBuilder().setError("e".repeat(5000)).build())
            .map(d -> AgentMessage.newBuilder().setLogData(d).build());
    return Arbitraries.oneOf(unknownRequest, malformed);
  }

  /**
   * Random bytes read as an AgentMessage (the default message where they do not parse). A reclaim
   * notice is left out: it is well-formed, and draining its own node is a node's right.
   */
  private Arbitrary<AgentMessage> randomBytes() {
    return Arbitraries.bytes()
        .array(byte[].class)
        .ofMaxSize(200)
        .map(
            bytes -> {
              try {
                return AgentMessage.parseFrom(bytes);
              } catch (InvalidProtocolBufferException e) {
                return AgentMessage.getDefaultInstance();
              }
            })
        .filter(
            m ->
                !(m.hasSpotNotice()
                    && m.getSpotNotice().getKind() == SpotNotice.Kind.KIND_INSTANCE_ACTION));
  }

  // ---- fixture helpers -----------------------------------------------------------------------

  private static Gpu gpu(int index) {
    return Gpu.newBuilder()
        .setIndex(index)
        .setUuid("GPU-a-" + index)
        .setModel("A100")
        .setMemoryTotalMib(81920)
        .setHealth(GpuHealth.GPU_HEALTH_OK)
        .build();
  }

  private static Register registerOfA(List<RunningAttempt> running) {
    return Register.newBuilder()
        .setNodeId(NODE_A)
        .setCapacityType(CapacityType.CAPACITY_TYPE_SPOT)
        .setPool("p4d/us-east-1a")
        .setPricePerHourUsd(10)
        .setCpu(96)
        .setMemoryGib(1024)
        .addGpus(gpu(0))
        .addGpus(gpu(1))
        .addAllRunning(running)
        .setAgentVersion("0.1.0")
        .build();
  }

  private static Telemetry telemetryOfA() {
    return Telemetry.newBuilder()
        .setSampledAt(Timestamp.newBuilder().setSeconds(1_800_000_000))
        .addGpus(gpu(0))
        .addGpus(gpu(1))
        .build();
  }

  private static RunningAttempt runningJob1() {
    return RunningAttempt.newBuilder()
        .setJobId(job1)
        .setAttempt(1)
        .addGpuIndices(0)
        .addGpuIndices(1)
        .build();
  }

  /** A fresh stream registered as node-a. */
  private static AgentStream registerA(List<RunningAttempt> running) throws InterruptedException {
    AgentStream stream = new AgentStream(channel);
    stream.send(AgentMessage.newBuilder().setRegister(registerOfA(running)).build());
    stream.next(SchedulerMessage.KindCase.REGISTERED, 10);
    return stream;
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

  private static CheckpointRef.Builder ref(int attempt) {
    return CheckpointRef.newBuilder()
        .setName("ckpt-1")
        .setAttempt(attempt)
        .setCommittedAt(Timestamp.newBuilder().setSeconds(1_800_000_000))
        .setSizeBytes(1024)
        .setManifestSha256("a".repeat(64));
  }

  private static AgentMessage checkpoint(String jobId, CheckpointRef.Builder ref) {
    return AgentMessage.newBuilder()
        .setCheckpointCommitted(
            CheckpointCommitted.newBuilder().setJobId(jobId).setCheckpoint(ref).setSaveMillis(10))
        .build();
  }

  private static String submit(String name, int gpus) {
    return clients
        .jobsNow()
        .submitJob(
            // "never" asks more GPUs than any node has: queued anyway, to stay pending
            SubmitJobRequest.newBuilder()
                .setSpec(Clients.spec(name, gpus))
                .setAllowUnfit(true)
                .build())
        .getJob()
        .getId();
  }

  private static void awaitState(String id, JobState state) {
    await()
        .atMost(WAIT)
        .until(
            () ->
                clients.jobsNow().getJob(GetJobRequest.newBuilder().setJobId(id).build()).getState()
                    == state);
  }

  private static void assertUnchanged(Map<String, Object> before, Map<String, Object> after) {
    Map<String, String> changed = new TreeMap<>();
    java.util.Set<String> keys = new java.util.TreeSet<>(before.keySet());
    keys.addAll(after.keySet());
    for (String key : keys) {
      if (!java.util.Objects.equals(before.get(key), after.get(key))) {
        changed.put(key, "before:\n" + before.get(key) + "\nafter:\n" + after.get(key));
      }
    }
    assertThat(changed).as("jobs and nodes changed by rejected or ignored messages").isEmpty();
  }

  /**
   * Every job and node as a client sees them, without what moves by itself: heartbeats, the running
   * cost, and the words explaining a pending job.
   */
  private static Map<String, Object> snapshot() {
    Map<String, Object> out = new TreeMap<>();
    for (Job job :
        clients
            .jobsNow()
            .listJobs(ListJobsRequest.newBuilder().setPageSize(100).build())
            .getJobsList()) {
      out.put(job.getId(), job.toBuilder().clearCostUsd().clearPendingReason().build());
    }
    for (Node node :
        io.tern.api.v1.ClusterServiceGrpc.newBlockingStub(channel)
            .withDeadlineAfter(10, java.util.concurrent.TimeUnit.SECONDS)
            .listNodes(ListNodesRequest.getDefaultInstance())
            .getNodesList()) {
      out.put("node/" + node.getId(), node.toBuilder().clearLastHeartbeat().build());
    }
    assertThat(out).containsKeys(job0, job1, job2, job3, "node/" + NODE_A, "node/node-b");
    return out;
  }
}
