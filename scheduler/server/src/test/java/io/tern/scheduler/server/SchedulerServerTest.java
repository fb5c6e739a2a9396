package io.tern.scheduler.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.tern.api.v1.AgentMessage;
import io.tern.api.v1.Attempt;
import io.tern.api.v1.CancelJobRequest;
import io.tern.api.v1.CapacityType;
import io.tern.api.v1.CheckpointCommitFailed;
import io.tern.api.v1.CheckpointCommitted;
import io.tern.api.v1.CheckpointRef;
import io.tern.api.v1.ExplainJobRequest;
import io.tern.api.v1.FailedCheckpoint;
import io.tern.api.v1.GetJobRequest;
import io.tern.api.v1.Job;
import io.tern.api.v1.JobSpec;
import io.tern.api.v1.JobState;
import io.tern.api.v1.JobStatus;
import io.tern.api.v1.ListJobsRequest;
import io.tern.api.v1.ListNodesRequest;
import io.tern.api.v1.NodeState;
import io.tern.api.v1.RestoreReport;
import io.tern.api.v1.RunningAttempt;
import io.tern.api.v1.SchedulerMessage;
import io.tern.api.v1.StartJob;
import io.tern.api.v1.StopJob;
import io.tern.api.v1.SubmitJobRequest;
import io.tern.api.v1.SubmitJobResponse;
import io.tern.scheduler.server.api.GrpcErrors;
import io.tern.scheduler.server.api.LeaderForwarding;
import io.tern.scheduler.server.loop.SchedulerLoop;
import io.tern.scheduler.server.testing.Clients;
import io.tern.scheduler.server.testing.FakeAgent;
import io.tern.scheduler.server.testing.ReplicaCluster;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** One or two real replicas on a real (in-process) ZooKeeper server, driven over real gRPC. */
class SchedulerServerTest {
  private static final Duration WAIT = Duration.ofSeconds(15);

  private ReplicaCluster cluster;

  @BeforeEach
  void startZooKeeper() throws Exception {
    cluster = new ReplicaCluster();
  }

  @AfterEach
  void stopAll() throws Exception {
    cluster.close();
  }

  private <T extends AutoCloseable> T track(T closeable) {
    return cluster.track(closeable);
  }

  private SchedulerServer replica(Duration lease) throws Exception {
    return cluster.replica(lease);
  }

  private SchedulerServer leader() throws Exception {
    return cluster.leader();
  }

  /** A leading replica that serves /metrics on a free port. */
  private SchedulerServer leaderWithMetrics() throws Exception {
    SchedulerServer server =
        track(
            new SchedulerServer(
                    cluster.config(Duration.ofSeconds(30)).withMetricsPort(0),
                    java.time.Clock.systemUTC())
                .start());
    awaitLeading(server);
    return server;
  }

  private static void awaitLeading(SchedulerServer server) {
    ReplicaCluster.awaitLeading(server);
  }

  private static SubmitJobResponse submit(Clients c, JobSpec spec, String key) {
    return c.jobs.submitJob(
        SubmitJobRequest.newBuilder().setSpec(spec).setIdempotencyKey(key).build());
  }

  /** Submits {@code spec}, lets {@code agent} start it, and waits until the job is RUNNING. */
  /**
   * An agent for on-demand node "node-1" with {@code gpus} GPUs, registering with {@code server}.
   */
  private FakeAgent onDemandNode1(SchedulerServer server, int gpus) {
    return track(
            new FakeAgent(server.address(), "node-1", gpus, CapacityType.CAPACITY_TYPE_ON_DEMAND))
        .connect();
  }

  private static String running(Clients c, FakeAgent agent, JobSpec spec) throws Exception {
    String id = submit(c, spec, "").getJob().getId();
    agent.next(SchedulerMessage.KindCase.START_JOB, 10);
    agent.status(id, 1, JobStatus.Phase.PHASE_STARTED, 0);
    await().atMost(WAIT).until(() -> job(c, id).getState() == JobState.JOB_STATE_RUNNING);
    return id;
  }

  /** {@code spec} with a checkpoint policy: SIGUSR1, 60 s of grace. */
  private static JobSpec checkpointable(JobSpec spec) {
    return spec.toBuilder()
        .setCheckpoint(
            io.tern.api.v1.CheckpointPolicy.newBuilder()
                .setSignal("SIGUSR1")
                .setGrace(com.google.protobuf.Duration.newBuilder().setSeconds(60)))
        .build();
  }

  private static Job job(Clients c, String id) {
    return c.jobs.getJob(GetJobRequest.newBuilder().setJobId(id).build());
  }

  @Test
  void submittedJobsAreListedNewestFirstWithPages() throws Exception {
    SchedulerServer server = leader();
    Clients c = track(new Clients(server.address()));

    for (int i = 0; i < 5; i++) {
      submit(c, Clients.spec("j" + i, 1), "");
    }
    var first = c.jobs.listJobs(ListJobsRequest.newBuilder().setPageSize(3).build());
    var second =
        c.jobs.listJobs(
            ListJobsRequest.newBuilder()
                .setPageSize(3)
                .setPageToken(first.getNextPageToken())
                .build());

    assertThat(first.getJobsList())
        .extracting(Job::getId)
        .containsExactly("job-000005", "job-000004", "job-000003");
    assertThat(second.getJobsList())
        .extracting(Job::getId)
        .containsExactly("job-000002", "job-000001");
    assertThat(second.getNextPageToken()).isEmpty();
    assertThat(job(c, "job-000001").getState()).isEqualTo(JobState.JOB_STATE_PENDING);
  }

  @Test
  void submitIsIdempotentOnItsKey() throws Exception {
    SchedulerServer server = leader();
    Clients c = track(new Clients(server.address()));

    SubmitJobResponse first = submit(c, Clients.spec("a", 1), "key-1");
    SubmitJobResponse again = submit(c, Clients.spec("a", 1), "key-1");
    SubmitJobResponse other = submit(c, Clients.spec("a", 1), "key-2");

    assertThat(again.getJob().getId()).isEqualTo(first.getJob().getId());
    assertThat(again.getDeduplicated()).isTrue();
    assertThat(first.getDeduplicated()).isFalse();
    assertThat(other.getJob().getId()).isNotEqualTo(first.getJob().getId());

    StatusRuntimeException reused =
        catchThrowableOfType(
            StatusRuntimeException.class, () -> submit(c, Clients.spec("b", 2), "key-1"));
    assertThat(reused.getStatus().getCode()).isEqualTo(Status.Code.ALREADY_EXISTS);
    assertThat(reused.getStatus().getDescription())
        .startsWith(
            "idempotency_key: already used for "
                + first.getJob().getId()
                + ", submitted with a different spec");

    // An array's key names the array, not its first task.
    io.tern.api.v1.JobSpec array =
        Clients.spec("c", 1).toBuilder()
            .setArray(io.tern.api.v1.ArraySpec.newBuilder().setIndices("0-2"))
            .build();
    SubmitJobResponse tasks = submit(c, array, "key-3");
    StatusRuntimeException reusedByArray =
        catchThrowableOfType(
            StatusRuntimeException.class, () -> submit(c, Clients.spec("d", 1), "key-3"));
    assertThat(reusedByArray.getStatus().getDescription())
        .startsWith("idempotency_key: already used for the array " + tasks.getArrayId() + ",");
  }

  @Test
  void invalidSpecIsRefusedNamingTheField() throws Exception {
    SchedulerServer server = leader();
    Clients c = track(new Clients(server.address()));

    StatusRuntimeException e =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () -> submit(c, Clients.spec("bad", 1).toBuilder().setTeam("").build(), ""));
    StatusRuntimeException badId =
        catchThrowableOfType(StatusRuntimeException.class, () -> job(c, "42"));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(e.getStatus().getDescription()).contains("spec.team: is required");
    assertThat(badId.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(badId.getStatus().getDescription()).startsWith("job_id:");
  }

  @Test
  void jobRunsOnAnAgentAndSucceeds() throws Exception {
    SchedulerServer server = leader();
    Clients c = track(new Clients(server.address()));
    FakeAgent agent = onDemandNode1(server, 8);
    SchedulerMessage registered = agent.next(SchedulerMessage.KindCase.REGISTERED, 10);

    String id = submit(c, Clients.spec("train", 4), "").getJob().getId();
    SchedulerMessage start = agent.next(SchedulerMessage.KindCase.START_JOB, 10);
    StartJob startJob = start.getStartJob();

    assertThat(start.getEpoch()).isEqualTo(registered.getRegistered().getEpoch()).isPositive();
    assertThat(startJob.getJobId()).isEqualTo(id);
    assertThat(startJob.getAttempt()).isEqualTo(1);
    assertThat(startJob.getGpuIndicesList()).hasSize(4).doesNotHaveDuplicates();
    assertThat(job(c, id).getState()).isEqualTo(JobState.JOB_STATE_STARTING);

    agent.status(id, 1, JobStatus.Phase.PHASE_STARTED, 0);
    await().atMost(WAIT).until(() -> job(c, id).getState() == JobState.JOB_STATE_RUNNING);
    agent.status(id, 1, JobStatus.Phase.PHASE_EXITED, 0);
    await().atMost(WAIT).until(() -> job(c, id).getState() == JobState.JOB_STATE_SUCCEEDED);

    Job done = job(c, id);
    assertThat(done.getAttempts(0).getEndReason()).isEqualTo("exit 0");
    assertThat(done.getAttempts(0).getNodeIdsList()).containsExactly("node-1");
  }

  /**
   * The job record tells the truth about checkpoints: a failing commit shows (and clears with the
   * next commit); the next attempt is started under the leader's epoch and asked to resume, and its
   * record names the checkpoint its agent actually restored, not the one it was asked for.
   */
  @Test
  void theJobRecordSaysWhatWasCommittedAndWhatWasActuallyRestored() throws Exception {
    SchedulerServer server = leader();
    Clients c = track(new Clients(server.address()));
    FakeAgent agent = onDemandNode1(server, 8);
    long epoch = agent.next(SchedulerMessage.KindCase.REGISTERED, 10).getRegistered().getEpoch();
    String id = running(c, agent, Clients.spec("ckpt", 1));
    CheckpointRef older = ref("step-000010", 10);
    CheckpointRef newer = ref("step-000020", 20);
    agent.send(committed(id, older));
    agent.send(
        AgentMessage.newBuilder()
            .setCheckpointCommitFailed(
                CheckpointCommitFailed.newBuilder()
                    .setJobId(id)
                    .setAttempt(1)
                    .setCheckpoint("step-000015")
                    .setError("checkpoint store is full: No space left on device")
                    .setFailingSince(com.google.protobuf.Timestamp.newBuilder().setSeconds(15))
                    .setFailures(2))
            .build());
    await().atMost(WAIT).until(() -> job(c, id).getAttempts(0).hasCheckpointCommitFailure());
    String summary =
        c.jobs.explainJob(ExplainJobRequest.newBuilder().setJobId(id).build()).getSummary();
    assertThat(summary)
        .contains("checkpoint commits failing since 1970-01-01T00:00:15Z")
        .contains("No space left on device")
        .contains("last committed step-000010 of attempt 1");

    agent.send(committed(id, newer));
    await().atMost(WAIT).until(() -> !job(c, id).getAttempts(0).hasCheckpointCommitFailure());
    agent.status(id, 1, JobStatus.Phase.PHASE_CHECKPOINTED, 0);
    StartJob second = agent.next(SchedulerMessage.KindCase.START_JOB, 10).getStartJob();
    assertThat(second.getAttempt()).isEqualTo(2);
    assertThat(second.getEpoch()).isEqualTo(epoch).isPositive();
    assertThat(second.getResumeFrom()).isEqualTo(newer);
    Attempt placed = job(c, id).getAttempts(1);
    assertThat(placed.getResumeRequested()).isEqualTo(newer);
    assertThat(placed.hasResumedFrom()).as("nothing is restored yet").isFalse();

    agent.send(
        AgentMessage.newBuilder()
            .setJobStatus(
                JobStatus.newBuilder()
                    .setJobId(id)
                    .setAttempt(2)
                    .setPhase(JobStatus.Phase.PHASE_STARTED)
                    .setRestore(
                        RestoreReport.newBuilder()
                            .setRequested(newer)
                            .setRestored(older)
                            .addFailedVerification(
                                FailedCheckpoint.newBuilder()
                                    .setName("step-000020")
                                    .setAttempt(1)
                                    .setReason("file state fails its SHA-256 check"))))
            .build());
    await().atMost(WAIT).until(() -> job(c, id).getAttempts(1).hasResumedFrom());
    assertThat(job(c, id).getAttempts(1).getResumedFrom()).isEqualTo(older);
    assertThat(
            c.jobs.explainJob(ExplainJobRequest.newBuilder().setJobId(id).build()).getReasonsList())
        .anySatisfy(
            r ->
                assertThat(r.getMessage())
                    .isEqualTo(
                        "attempt 2: resumed from step-000010 of attempt 1 (asked for step-000020"
                            + " of attempt 1); passed over step-000020 of attempt 1: file state"
                            + " fails its SHA-256 check"));
  }

  /** A STARTED lost in a reconnect: the restore report comes with the running attempt. */
  @Test
  void aReconnectingAgentReportsWhatItsRunningAttemptRestored() throws Exception {
    SchedulerServer server = leader();
    Clients c = track(new Clients(server.address()));
    FakeAgent agent = onDemandNode1(server, 8);
    String id = submit(c, Clients.spec("restored", 1), "").getJob().getId();
    StartJob start = agent.next(SchedulerMessage.KindCase.START_JOB, 10).getStartJob();

    RestoreReport fresh =
        RestoreReport.newBuilder()
            .addFailedVerification(
                FailedCheckpoint.newBuilder()
                    .setName("step-000070")
                    .setAttempt(1)
                    .setReason("manifest missing"))
            .build();
    track(new FakeAgent(server.address(), "node-1", 8, CapacityType.CAPACITY_TYPE_ON_DEMAND))
        .connect(
            List.of(
                RunningAttempt.newBuilder()
                    .setJobId(id)
                    .setAttempt(1)
                    .addAllGpuIndices(start.getGpuIndicesList())
                    .setRestore(fresh)
                    .build()));
    await().atMost(WAIT).until(() -> job(c, id).getState() == JobState.JOB_STATE_RUNNING);
    Attempt first = job(c, id).getAttempts(0);
    assertThat(first.getRestore()).isEqualTo(fresh);
    assertThat(first.hasResumedFrom()).isFalse();
  }

  private static CheckpointRef ref(String name, long committedAtSeconds) {
    return CheckpointRef.newBuilder()
        .setName(name)
        .setAttempt(1)
        .setCommittedAt(com.google.protobuf.Timestamp.newBuilder().setSeconds(committedAtSeconds))
        .setManifestSha256("0".repeat(64))
        .build();
  }

  private static AgentMessage committed(String jobId, CheckpointRef checkpoint) {
    return AgentMessage.newBuilder()
        .setCheckpointCommitted(
            CheckpointCommitted.newBuilder().setJobId(jobId).setCheckpoint(checkpoint))
        .build();
  }

  @Test
  void failedAttemptIsRetriedThenTheJobFails() throws Exception {
    SchedulerServer server = leader();
    Clients c = track(new Clients(server.address()));
    FakeAgent agent = onDemandNode1(server, 8);
    String id =
        submit(c, Clients.spec("flaky", 1).toBuilder().setRetries(1).build(), "").getJob().getId();

    agent.next(SchedulerMessage.KindCase.START_JOB, 10);
    agent.status(id, 1, JobStatus.Phase.PHASE_EXITED, 3);
    StartJob retry = agent.next(SchedulerMessage.KindCase.START_JOB, 10).getStartJob();
    assertThat(retry.getAttempt()).isEqualTo(2);
    agent.status(id, 2, JobStatus.Phase.PHASE_EXITED, 3);

    await().atMost(WAIT).until(() -> job(c, id).getState() == JobState.JOB_STATE_FAILED);
    assertThat(job(c, id).getAttemptsList()).extracting(a -> a.getExitCode()).containsExactly(3, 3);
  }

  @Test
  void staleStatusFromAnOlderAttemptIsIgnored() throws Exception {
    SchedulerServer server = leader();
    Clients c = track(new Clients(server.address()));
    FakeAgent agent = onDemandNode1(server, 8);
    String id =
        submit(c, Clients.spec("j", 1).toBuilder().setRetries(2).build(), "").getJob().getId();
    agent.next(SchedulerMessage.KindCase.START_JOB, 10);
    agent.status(id, 1, JobStatus.Phase.PHASE_EXITED, 1);
    agent.next(SchedulerMessage.KindCase.START_JOB, 10);

    agent.status(id, 1, JobStatus.Phase.PHASE_EXITED, 0); // late news about attempt 1
    agent.status(id, 2, JobStatus.Phase.PHASE_STARTED, 0);

    await().atMost(WAIT).until(() -> job(c, id).getState() == JobState.JOB_STATE_RUNNING);
    assertThat(job(c, id).getAttemptsCount()).isEqualTo(2);
  }

  @Test
  void cancellingARunningJobStopsItThenEndsCancelled() throws Exception {
    SchedulerServer server = leader();
    Clients c = track(new Clients(server.address()));
    FakeAgent agent = onDemandNode1(server, 8);
    String id = running(c, agent, Clients.spec("j", 1));

    Job cancelling = c.jobs.cancelJob(CancelJobRequest.newBuilder().setJobId(id).build());
    SchedulerMessage stop = agent.next(SchedulerMessage.KindCase.STOP_JOB, 10);
    agent.status(id, 1, JobStatus.Phase.PHASE_STOPPED, 0);

    assertThat(cancelling.getCancelRequested()).isTrue();
    assertThat(stop.getStopJob().getJobId()).isEqualTo(id);
    await().atMost(WAIT).until(() -> job(c, id).getState() == JobState.JOB_STATE_CANCELLED);
  }

  @Test
  void pendingJobIsExplained() throws Exception {
    SchedulerServer server = leader();
    Clients c = track(new Clients(server.address()));
    onDemandNode1(server, 2);

    // Queued although it fits no node (allow_unfit), as it would be with nodes still to come.
    String id =
        c.jobs
            .submitJob(
                SubmitJobRequest.newBuilder()
                    .setSpec(Clients.spec("too-big", 8))
                    .setAllowUnfit(true)
                    .build())
            .getJob()
            .getId();

    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(
                        c.jobs
                            .explainJob(ExplainJobRequest.newBuilder().setJobId(id).build())
                            .getSummary())
                    .startsWith("pending: ")
                    .contains("1 node"));
  }

  @Test
  void everyJobSurvivesARestartOfEveryReplica() throws Exception {
    SchedulerServer first = leader();
    List<String> ids = new ArrayList<>();
    try (Clients c = new Clients(first.address())) {
      for (int i = 0; i < 3; i++) {
        ids.add(submit(c, Clients.spec("j" + i, 1), "k" + i).getJob().getId());
      }
      c.jobs.cancelJob(CancelJobRequest.newBuilder().setJobId(ids.get(2)).build());
    }
    first.close();

    SchedulerServer second = leader();
    Clients c = track(new Clients(second.address()));

    assertThat(job(c, ids.get(0)).getState()).isEqualTo(JobState.JOB_STATE_PENDING);
    assertThat(job(c, ids.get(2)).getState()).isEqualTo(JobState.JOB_STATE_CANCELLED);
    assertThat(submit(c, Clients.spec("j0", 1), "k0").getJob().getId()).isEqualTo(ids.get(0));
    assertThat(submit(c, Clients.spec("new", 1), "").getJob().getId()).isEqualTo("job-000004");
  }

  @Test
  void aStandbyRelaysClientCallsToTheLeaderAndPointsToItWhenToldNotTo() throws Exception {
    SchedulerServer a = leader();
    SchedulerServer b = replica(Duration.ofSeconds(30));
    await().atMost(WAIT).until(() -> b.loop().role().get() == SchedulerLoop.Role.FOLLOWER);
    Clients c = track(new Clients(b.address()));

    String id = submit(c, Clients.spec("x", 1), "").getJob().getId();
    assertThat(job(track(new Clients(a.address())), id).getSpec().getName()).isEqualTo("x");

    Metadata thisReplicaOnly = new Metadata();
    thisReplicaOnly.put(LeaderForwarding.FORWARDED, "test");
    StatusRuntimeException e =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () ->
                c.jobs
                    .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(thisReplicaOnly))
                    .getJob(GetJobRequest.newBuilder().setJobId(id).build()));
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(e.getTrailers().get(GrpcErrors.LEADER)).isEqualTo(a.address());
  }

  @Test
  void nodeThatStopsHeartbeatingIsLostAndItsJobRequeued() throws Exception {
    SchedulerServer server = replica(Duration.ofSeconds(2));
    awaitLeading(server);
    Clients c = track(new Clients(server.address()));
    FakeAgent agent =
        track(new FakeAgent(server.address(), "node-1", 8, CapacityType.CAPACITY_TYPE_SPOT))
            .connect();
    String id = running(c, agent, Clients.spec("j", 1));

    agent.drop();

    await()
        .atMost(WAIT)
        .until(
            () ->
                c.cluster.listNodes(ListNodesRequest.getDefaultInstance()).getNodes(0).getState()
                    == NodeState.NODE_STATE_LOST);
    Job requeued = job(c, id);
    assertThat(requeued.getState()).isIn(JobState.JOB_STATE_PENDING, JobState.JOB_STATE_HELD);
    assertThat(requeued.getAttempts(0).getEndReason()).contains("node-1 stopped answering");
  }

  @Test
  void logsAreRelayedFromTheAgentThatRanTheJob() throws Exception {
    SchedulerServer server = leader();
    Clients c = track(new Clients(server.address()));
    FakeAgent agent = onDemandNode1(server, 8);
    String id = running(c, agent, Clients.spec("talk", 1));

    var chunks =
        c.jobs.streamLogs(io.tern.api.v1.StreamLogsRequest.newBuilder().setJobId(id).build());
    var first = agent.next(SchedulerMessage.KindCase.READ_LOGS, 10).getReadLogs();
    agent.send(logData(first.getRequestId(), "hello\n", 6));
    var second = agent.next(SchedulerMessage.KindCase.READ_LOGS, 10).getReadLogs();
    agent.send(logData(second.getRequestId(), "", 6));

    StringBuilder text = new StringBuilder();
    chunks.forEachRemaining(chunk -> text.append(chunk.getData().toStringUtf8()));
    assertThat(first.getJobId()).isEqualTo(id);
    assertThat(first.getOffset()).isZero();
    assertThat(second.getOffset()).isEqualTo(6);
    assertThat(text.toString()).isEqualTo("hello\n");
  }

  @Test
  void aLogFollowerWaitsForTheJobToStartAndGetsOnlyTheTailItAskedFor() throws Exception {
    SchedulerServer server = leader();
    Clients c = track(new Clients(server.address()));
    String id = submit(c, Clients.spec("late", 1), "").getJob().getId();

    var chunks =
        c.jobs.streamLogs(
            io.tern.api.v1.StreamLogsRequest.newBuilder()
                .setJobId(id)
                .setFollow(true)
                .setTailLines(2)
                .build());
    // The stream is open before any node exists; the job starts afterwards.
    FakeAgent agent = onDemandNode1(server, 8);
    agent.next(SchedulerMessage.KindCase.START_JOB, 10);
    agent.status(id, 1, JobStatus.Phase.PHASE_STARTED, 0);
    var first = agent.next(SchedulerMessage.KindCase.READ_LOGS, 10).getReadLogs();
    agent.send(logData(first.getRequestId(), "b\nc\n", 10));
    var second = agent.next(SchedulerMessage.KindCase.READ_LOGS, 10).getReadLogs();
    agent.status(id, 1, JobStatus.Phase.PHASE_EXITED, 0);
    await().atMost(WAIT).until(() -> job(c, id).getState() == JobState.JOB_STATE_SUCCEEDED);
    agent.send(logData(second.getRequestId(), "", 10));

    StringBuilder text = new StringBuilder();
    chunks.forEachRemaining(chunk -> text.append(chunk.getData().toStringUtf8()));
    assertThat(first.getTailLines()).isEqualTo(2);
    assertThat(second.getTailLines()).isZero();
    assertThat(second.getOffset()).isEqualTo(10);
    assertThat(text.toString()).isEqualTo("b\nc\n");
  }

  @Test
  void aLogFollowerOfAJobCancelledBeforeItStartedIsToldItHasNoLog() throws Exception {
    SchedulerServer server = leader();
    Clients c = track(new Clients(server.address()));
    String id = submit(c, Clients.spec("never", 1), "").getJob().getId();
    var chunks =
        c.jobs.streamLogs(
            io.tern.api.v1.StreamLogsRequest.newBuilder().setJobId(id).setFollow(true).build());

    c.jobs.cancelJob(CancelJobRequest.newBuilder().setJobId(id).build());

    // Not an empty log that ends well: a script following it must not read a cancel as success.
    assertThatThrownBy(chunks::hasNext)
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND))
        .hasMessageContaining(id + " was cancelled before it started: it has no logs");
  }

  @Test
  void anotherAgentCannotAnswerALogRequestItWasNotAsked() throws Exception {
    SchedulerServer server = leader();
    Clients c = track(new Clients(server.address()));
    FakeAgent agent = onDemandNode1(server, 8);
    String id = running(c, agent, Clients.spec("talk", 1));
    // Connected once the job runs on node-1: the plan had no other node to choose.
    FakeAgent intruder =
        track(new FakeAgent(server.address(), "node-2", 8, CapacityType.CAPACITY_TYPE_ON_DEMAND))
            .connect();

    var chunks =
        c.jobs.streamLogs(io.tern.api.v1.StreamLogsRequest.newBuilder().setJobId(id).build());
    var asked = agent.next(SchedulerMessage.KindCase.READ_LOGS, 10).getReadLogs();
    intruder.send(logData(asked.getRequestId(), "forged\n", 7));
    agent.send(logData(asked.getRequestId(), "real\n", 5));
    var next = agent.next(SchedulerMessage.KindCase.READ_LOGS, 10).getReadLogs();
    agent.send(logData(next.getRequestId(), "", 5));

    StringBuilder text = new StringBuilder();
    chunks.forEachRemaining(chunk -> text.append(chunk.getData().toStringUtf8()));
    assertThat(text.toString()).isEqualTo("real\n");
  }

  private static io.tern.api.v1.AgentMessage logData(long request, String data, long next) {
    return io.tern.api.v1.AgentMessage.newBuilder()
        .setLogData(
            io.tern.api.v1.LogData.newBuilder()
                .setRequestId(request)
                .setData(com.google.protobuf.ByteString.copyFromUtf8(data))
                .setNextOffset(next))
        .build();
  }

  @Test
  void aJobThatEndedWhileItsAgentWasAwayIsNotRunAgain() throws Exception {
    SchedulerServer server = leader();
    Clients c = track(new Clients(server.address()));
    FakeAgent agent = onDemandNode1(server, 8);
    String id = running(c, agent, Clients.spec("j", 1));

    // The stream breaks; the job exits meanwhile; the agent comes back without it and then sends
    // the exit it could not send before, as agents do.
    agent.drop();
    FakeAgent back = onDemandNode1(server, 8);
    back.next(SchedulerMessage.KindCase.REGISTERED, 10);
    back.status(id, 1, JobStatus.Phase.PHASE_EXITED, 0);

    await().atMost(WAIT).until(() -> job(c, id).getState() == JobState.JOB_STATE_SUCCEEDED);
    assertThat(job(c, id).getAttemptsCount()).isEqualTo(1);
  }

  @Test
  void aStartLostWithABrokenStreamIsPlacedAgainAfterTheAgentReRegisters() throws Exception {
    SchedulerServer server = leader();
    Clients c = track(new Clients(server.address()));
    FakeAgent agent = onDemandNode1(server, 8);
    agent.next(SchedulerMessage.KindCase.REGISTERED, 10);
    String lost = submit(c, Clients.spec("lost-start", 1), "").getJob().getId();
    agent.next(SchedulerMessage.KindCase.START_JOB, 10);
    String slow = submit(c, Clients.spec("slow-start", 1), "").getJob().getId();
    agent.next(SchedulerMessage.KindCase.START_JOB, 10);

    // The stream breaks; the agent never got the first start, and the second was still starting.
    agent.drop();
    FakeAgent back = onDemandNode1(server, 8);
    back.next(SchedulerMessage.KindCase.REGISTERED, 10);
    back.status(slow, 1, JobStatus.Phase.PHASE_STARTED, 0);

    StartJob again = back.next(SchedulerMessage.KindCase.START_JOB, 15).getStartJob();
    assertThat(again.getJobId()).isEqualTo(lost);
    assertThat(again.getAttempt()).isEqualTo(2);
    assertThat(job(c, lost).getAttempts(0).getEndReason()).contains("start never reached");
    assertThat(job(c, slow).getState()).isEqualTo(JobState.JOB_STATE_RUNNING);
    assertThat(job(c, slow).getAttemptsCount()).isEqualTo(1);
  }

  @Test
  void aLateExitZeroOfALostAttemptStopsItsRerunAndTheJobSucceeds() throws Exception {
    SchedulerServer server = leader();
    Clients c = track(new Clients(server.address()));
    FakeAgent agent = onDemandNode1(server, 8);
    String id = running(c, agent, Clients.spec("j", 1));

    // The agent is cut off; it comes back without the attempt, which is resumed as attempt 2...
    agent.drop();
    FakeAgent back = onDemandNode1(server, 8);
    StartJob rerun = back.next(SchedulerMessage.KindCase.START_JOB, 15).getStartJob();
    assertThat(rerun.getAttempt()).isEqualTo(2);
    back.status(id, 2, JobStatus.Phase.PHASE_STARTED, 0);
    await().atMost(WAIT).until(() -> job(c, id).getState() == JobState.JOB_STATE_RUNNING);

    // ...and then learns that attempt 1 had exited 0 while nobody listened.
    back.status(id, 1, JobStatus.Phase.PHASE_EXITED, 0);

    StopJob stop = back.next(SchedulerMessage.KindCase.STOP_JOB, 10).getStopJob();
    assertThat(stop.getAttempt()).isEqualTo(2);
    assertThat(stop.getReason()).contains("attempt 1 already finished the job");
    assertThat(job(c, id).getState())
        .as("ends once the rerun stopped")
        .isNotEqualTo(JobState.JOB_STATE_SUCCEEDED);
    back.status(id, 2, JobStatus.Phase.PHASE_STOPPED, 0);

    await().atMost(WAIT).until(() -> job(c, id).getState() == JobState.JOB_STATE_SUCCEEDED);
    Job done = job(c, id);
    assertThat(done.getAttemptsCount()).isEqualTo(2);
    assertThat(done.getAttempts(0).getExitCode()).isZero();
    assertThat(done.getAttempts(0).getEndReason())
        .startsWith("exit 0, reported late by node node-1")
        .contains("came back without it");
    assertThat(done.getAttempts(1).getEndReason())
        .contains("attempt 1 had already finished the job");
  }

  @Test
  void aRerunThatFindsTheLostAttemptsSuccessInTheStoreEndsTheJobSucceeded() throws Exception {
    SchedulerServer server = leader();
    Clients c = track(new Clients(server.address()));
    FakeAgent agent = onDemandNode1(server, 8);
    String id = running(c, agent, Clients.spec("j", 1));
    String other = running(c, agent, Clients.spec("k", 1));

    // The agent is cut off and comes back without the attempts; both are placed again...
    agent.drop();
    FakeAgent back = onDemandNode1(server, 8);
    back.next(SchedulerMessage.KindCase.START_JOB, 15);
    back.next(SchedulerMessage.KindCase.START_JOB, 15);

    // ...and the agent finds attempt 1 of j recorded as succeeded in the checkpoint store, while
    // k's store names a success the job record does not show lost (a start failure, then).
    back.send(succeededEarlier(id, 2, 1));
    back.send(succeededEarlier(other, 2, 2));

    await().atMost(WAIT).until(() -> job(c, id).getState() == JobState.JOB_STATE_SUCCEEDED);
    Job done = job(c, id);
    assertThat(done.getAttemptsCount()).isEqualTo(2);
    assertThat(done.getAttempts(0).getExitCode()).isZero();
    assertThat(done.getAttempts(0).getEndReason())
        .startsWith("exit 0, recorded in the checkpoint store");
    assertThat(done.getAttempts(1).hasExitCode()).isFalse();
    assertThat(done.getAttempts(1).getEndReason())
        .startsWith("not started: attempt 1 exited 0")
        .contains("attempt 1 had already finished the job");
    await()
        .atMost(WAIT)
        .until(() -> job(c, other).getAttempts(1).getEndReason().startsWith("start failed"));
    assertThat(job(c, other).getState()).isNotEqualTo(JobState.JOB_STATE_SUCCEEDED);
  }

  private static AgentMessage succeededEarlier(String jobId, int attempt, int succeeded) {
    return AgentMessage.newBuilder()
        .setJobStatus(
            JobStatus.newBuilder()
                .setJobId(jobId)
                .setAttempt(attempt)
                .setPhase(JobStatus.Phase.PHASE_SUCCEEDED_EARLIER)
                .setSucceededAttempt(succeeded)
                .setMessage(
                    "attempt " + succeeded + " exited 0 (recorded in the checkpoint store)"))
        .build();
  }

  @Test
  void anAttemptEndsWhenItsAgentSaysWithinWhatTheLeaderKnows() throws Exception {
    SchedulerServer server = leader();
    Clients c = track(new Clients(server.address()));
    FakeAgent agent = onDemandNode1(server, 8);
    String early = running(c, agent, Clients.spec("early", 1));
    String future = running(c, agent, Clients.spec("future", 1));
    Instant started = instant(job(c, early).getAttempts(0).getStartedAt());

    // The exit is reported late (kept through an outage): it ended when the agent says...
    Instant exited = started.plusMillis(1);
    agent.send(exitedAt(early, exited));
    // ...unless the agent's clock runs ahead: never after the leader heard.
    agent.send(exitedAt(future, Instant.now().plusSeconds(3600)));

    await().atMost(WAIT).until(() -> job(c, future).getState() == JobState.JOB_STATE_SUCCEEDED);
    await().atMost(WAIT).until(() -> job(c, early).getState() == JobState.JOB_STATE_SUCCEEDED);
    assertThat(instant(job(c, early).getAttempts(0).getEndedAt())).isEqualTo(exited);
    assertThat(instant(job(c, future).getAttempts(0).getEndedAt()))
        .isBefore(Instant.now().plusSeconds(1));
  }

  private static AgentMessage exitedAt(String jobId, Instant at) {
    return AgentMessage.newBuilder()
        .setJobStatus(
            JobStatus.newBuilder()
                .setJobId(jobId)
                .setAttempt(1)
                .setPhase(JobStatus.Phase.PHASE_EXITED)
                .setAt(
                    com.google.protobuf.Timestamp.newBuilder()
                        .setSeconds(at.getEpochSecond())
                        .setNanos(at.getNano())))
        .build();
  }

  private static Instant instant(com.google.protobuf.Timestamp t) {
    return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
  }

  @Test
  void aLateExitZeroOfALostAttemptEndsItsQueuedJobSucceeded() throws Exception {
    SchedulerServer server = leader();
    Clients c = track(new Clients(server.address()));
    FakeAgent agent = onDemandNode1(server, 8);
    String id = running(c, agent, Clients.spec("j", 8));

    // Back with fewer GPUs: the attempt is lost and the job waits, since nothing fits it now.
    agent.drop();
    FakeAgent back = onDemandNode1(server, 4);
    await().atMost(WAIT).until(() -> job(c, id).getState() == JobState.JOB_STATE_PENDING);

    back.status(id, 1, JobStatus.Phase.PHASE_EXITED, 0);
    await().atMost(WAIT).until(() -> job(c, id).getState() == JobState.JOB_STATE_SUCCEEDED);
    assertThat(job(c, id).getAttemptsCount()).isEqualTo(1);
    assertThat(job(c, id).getAttempts(0).getExitCode()).isZero();

    back.status(id, 1, JobStatus.Phase.PHASE_EXITED, 3); // a stale status changes nothing
    back.heartbeat(7);
    back.next(SchedulerMessage.KindCase.ACK, 10);
    assertThat(job(c, id).getAttempts(0).getExitCode()).isZero();
    assertThat(job(c, id).getState()).isEqualTo(JobState.JOB_STATE_SUCCEEDED);
  }

  @Test
  void aJobItsAgentNoLongerRunsIsRequeuedAfterAGrace() throws Exception {
    SchedulerServer server = leader();
    Clients c = track(new Clients(server.address()));
    FakeAgent agent = onDemandNode1(server, 8);
    String id = running(c, agent, Clients.spec("j", 1));

    agent.drop();
    FakeAgent restarted = onDemandNode1(server, 8);

    StartJob again = restarted.next(SchedulerMessage.KindCase.START_JOB, 15).getStartJob();
    assertThat(again.getJobId()).isEqualTo(id);
    assertThat(again.getAttempt()).isEqualTo(2);
    assertThat(job(c, id).getAttempts(0).getEndReason()).contains("came back without it");
  }

  @Test
  void spotNoticeCheckpointsTheJobWhichResumesOnAnotherNodeAndRemembersThePool() throws Exception {
    SchedulerServer server = leader();
    Clients c = track(new Clients(server.address()));
    FakeAgent spot =
        track(new FakeAgent(server.address(), "spot-1", 8, CapacityType.CAPACITY_TYPE_SPOT))
            .connect();
    JobSpec spec = checkpointable(Clients.spec("train", 1));
    String id = submit(c, spec, "").getJob().getId();
    spot.next(SchedulerMessage.KindCase.START_JOB, 10);
    spot.status(id, 1, JobStatus.Phase.PHASE_STARTED, 0);
    await().atMost(WAIT).until(() -> job(c, id).getState() == JobState.JOB_STATE_RUNNING);
    FakeAgent onDemand =
        track(new FakeAgent(server.address(), "od-1", 8, CapacityType.CAPACITY_TYPE_ON_DEMAND))
            .connect();
    onDemand.next(SchedulerMessage.KindCase.REGISTERED, 10);

    java.time.Instant reclaimAt = java.time.Instant.now().plusSeconds(120);
    spot.send(
        io.tern.api.v1.AgentMessage.newBuilder()
            .setSpotNotice(
                io.tern.api.v1.SpotNotice.newBuilder()
                    .setKind(io.tern.api.v1.SpotNotice.Kind.KIND_INSTANCE_ACTION)
                    .setAction("terminate")
                    .setActionAt(
                        com.google.protobuf.Timestamp.newBuilder()
                            .setSeconds(reclaimAt.getEpochSecond())))
            .build());
    var checkpoint = spot.next(SchedulerMessage.KindCase.CHECKPOINT_JOB, 10).getCheckpointJob();
    spot.status(id, 1, JobStatus.Phase.PHASE_CHECKPOINTED, 0);
    StartJob resumed = onDemand.next(SchedulerMessage.KindCase.START_JOB, 10).getStartJob();

    assertThat(checkpoint.getJobId()).isEqualTo(id);
    assertThat(checkpoint.getDeadline().getSeconds())
        .isLessThanOrEqualTo(reclaimAt.getEpochSecond() - 10);
    assertThat(resumed.getJobId()).isEqualTo(id);
    assertThat(resumed.getAttempt()).isEqualTo(2);
    var first = job(c, id).getAttempts(0);
    assertThat(first.getReclaimed()).isTrue();
    assertThat(first.getPool()).isEqualTo("p4d/us-east-1a");
    assertThat(first.getEndReason()).contains("spot reclaim");
    assertThat(
            c.cluster.listNodes(ListNodesRequest.getDefaultInstance()).getNodesList().stream()
                .filter(n -> n.getId().equals("spot-1"))
                .findFirst()
                .orElseThrow()
                .getState())
        .isEqualTo(NodeState.NODE_STATE_DRAINING);

    // Its agent reconnects: the notice stands (the cloud still takes the node back).
    spot.drop();
    FakeAgent back =
        track(new FakeAgent(server.address(), "spot-1", 8, CapacityType.CAPACITY_TYPE_SPOT))
            .connect();
    back.next(SchedulerMessage.KindCase.REGISTERED, 10);
    var node =
        c.cluster.listNodes(ListNodesRequest.getDefaultInstance()).getNodesList().stream()
            .filter(n -> n.getId().equals("spot-1"))
            .findFirst()
            .orElseThrow();
    assertThat(node.getState()).isEqualTo(NodeState.NODE_STATE_DRAINING);
    assertThat(node.getReclaimAt().getSeconds()).isEqualTo(reclaimAt.getEpochSecond());
  }

  @Test
  void aDeadlineJobOnOnDemandMovesBackToSpotWhenASpotNodeJoins() throws Exception {
    SchedulerServer server = leaderWithMetrics();
    Clients c = track(new Clients(server.address()));
    FakeAgent onDemand =
        track(new FakeAgent(server.address(), "od-1", 8, CapacityType.CAPACITY_TYPE_ON_DEMAND))
            .connect();
    java.time.Instant now = java.time.Instant.now();
    // 10 h of work due in 11.5 h: its slack is within the reserve (15 % of its work), so it does
    // not wait for spot, and still covers a move to spot and back.
    JobSpec spec =
        checkpointable(Clients.spec("train", 1)).toBuilder()
            .setDeadline(
                com.google.protobuf.Timestamp.newBuilder()
                    .setSeconds(now.plusSeconds(41_400).getEpochSecond()))
            .setMaxRuntime(com.google.protobuf.Duration.newBuilder().setSeconds(10 * 3600))
            .build();
    // Behind its uniform line as soon as it is queued (nothing done yet): on-demand, no spot here.
    String id = running(c, onDemand, spec);
    await()
        .atMost(java.time.Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(explain(c, id))
                    .as("the next plan says why it stays")
                    .isEqualTo(
                        "running on od-1; stays on on-demand: no spot capacity fits it now"));

    FakeAgent spot =
        track(new FakeAgent(server.address(), "spot-1", 8, CapacityType.CAPACITY_TYPE_SPOT))
            .connect();
    var checkpoint = onDemand.next(SchedulerMessage.KindCase.CHECKPOINT_JOB, 10).getCheckpointJob();
    assertThat(checkpoint.getJobId()).isEqualTo(id);
    assertThat(checkpoint.getReason()).isEqualTo("returning to spot");
    assertThat(explain(c, id)).isEqualTo("checkpointing on od-1 before it moves back to spot");
    onDemand.status(id, 1, JobStatus.Phase.PHASE_CHECKPOINTED, 0);
    StartJob resumed = spot.next(SchedulerMessage.KindCase.START_JOB, 10).getStartJob();
    spot.status(id, 2, JobStatus.Phase.PHASE_STARTED, 0);

    assertThat(resumed.getJobId()).isEqualTo(id);
    assertThat(resumed.getAttempt()).isEqualTo(2);
    Job after = job(c, id);
    assertThat(after.getAttempts(0).getEndReason())
        .isEqualTo("checkpointed and requeued: returning to spot");
    assertThat(after.getAttempts(1).getCapacityType()).isEqualTo(CapacityType.CAPACITY_TYPE_SPOT);
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(explain(c, id))
                    .isEqualTo(
                        "running on spot-1 (attempt 2); earlier, attempt 1 on od-1 (on-demand):"
                            + " checkpointed and requeued: returning to spot"));
    var line =
        c
            .finops()
            .getCostReport(io.tern.api.v1.GetCostReportRequest.getDefaultInstance())
            .getJobsList()
            .stream()
            .filter(l -> l.getKey().equals(id))
            .findFirst()
            .orElseThrow();
    assertThat(line.getChangeovers()).isEqualTo(1);
    assertThat(line.getReturnsToSpot()).isEqualTo(1);
    String metrics = scrape(server.metricsPort());
    assertThat(metrics)
        .contains("tern_spot_returns_total 1.0")
        .contains("tern_deadline_migrations_total 0.0")
        .contains("tern_jobs_waiting_for_spot ");
  }

  @Test
  void aJobReturnsToSpotOnceThePoolHasSettledSinceASpotNodeJoinedNotSinceItsLastReclaim()
      throws Exception {
    // A clock the test moves (and a node lease longer than its steps), so the settle is timed
    // exactly.
    io.tern.testing.TestClock clock = new io.tern.testing.TestClock(Instant.now());
    SchedulerServer server =
        track(
            new SchedulerServer(cluster.config(Duration.ofHours(2)).withMetricsPort(0), clock)
                .start());
    awaitLeading(server);
    Clients c = track(new Clients(server.address()));
    FakeAgent reclaimed =
        track(new FakeAgent(server.address(), "spot-1", 8, CapacityType.CAPACITY_TYPE_SPOT))
            .connect();
    reclaimed.next(SchedulerMessage.KindCase.REGISTERED, 10);
    reclaimed.send(
        AgentMessage.newBuilder()
            .setSpotNotice(
                io.tern.api.v1.SpotNotice.newBuilder()
                    .setKind(io.tern.api.v1.SpotNotice.Kind.KIND_INSTANCE_ACTION)
                    .setAction("terminate"))
            .build());
    await()
        .atMost(WAIT)
        .until(
            () ->
                c.cluster.listNodes(ListNodesRequest.getDefaultInstance()).getNodesList().stream()
                    .anyMatch(
                        n ->
                            n.getId().equals("spot-1")
                                && n.getState() == NodeState.NODE_STATE_DRAINING));
    FakeAgent onDemand =
        track(new FakeAgent(server.address(), "od-1", 8, CapacityType.CAPACITY_TYPE_ON_DEMAND))
            .connect();
    JobSpec spec =
        checkpointable(Clients.spec("train", 1)).toBuilder()
            .setDeadline(
                com.google.protobuf.Timestamp.newBuilder()
                    .setSeconds(clock.instant().plusSeconds(41_400).getEpochSecond()))
            .setMaxRuntime(com.google.protobuf.Duration.newBuilder().setSeconds(10 * 3600))
            .build();
    String id = running(c, onDemand, spec);

    // Half an hour after the reclaim a spot node of the pool joins: long settled since the
    // reclaim, but not since the capacity came back.
    clock.advance(Duration.ofMinutes(30));
    FakeAgent joined =
        track(new FakeAgent(server.address(), "spot-2", 8, CapacityType.CAPACITY_TYPE_SPOT))
            .connect();
    joined.next(SchedulerMessage.KindCase.REGISTERED, 10);
    awaitTwoPlans(server);
    String unsettled =
        "running on od-1; stays on on-demand: the spot capacity that fits it came back less than"
            + " 20 min ago (a job moves to spot once it has stayed that long)";
    assertThat(explain(c, id)).isEqualTo(unsettled);
    // The settle is two changeovers (2 x 10 min, above the 10 min floor) from the join.
    clock.advance(Duration.ofMinutes(19));
    awaitTwoPlans(server);
    assertThat(explain(c, id)).isEqualTo(unsettled);

    clock.advance(Duration.ofMinutes(1));
    var checkpoint = onDemand.next(SchedulerMessage.KindCase.CHECKPOINT_JOB, 10).getCheckpointJob();
    assertThat(checkpoint.getJobId()).isEqualTo(id);
    assertThat(checkpoint.getReason()).isEqualTo("returning to spot");
    assertThat(explain(c, id)).isEqualTo("checkpointing on od-1 before it moves back to spot");
  }

  /** Waits until the leader has computed two more plans: one began after this call. */
  private static void awaitTwoPlans(SchedulerServer server) throws Exception {
    long before = plansCounted(server);
    await().atMost(WAIT).until(() -> plansCounted(server) >= before + 2);
  }

  /** How many plans the leader has computed ({@code tern_plan_seconds_count}). */
  private static long plansCounted(SchedulerServer server) throws Exception {
    return scrape(server.metricsPort())
        .lines()
        .filter(l -> l.startsWith("tern_plan_seconds_count "))
        .mapToLong(l -> (long) Double.parseDouble(l.substring(l.indexOf(' ') + 1)))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void aJobWithASpotWaitWaitsForSpotThenRunsThere() throws Exception {
    SchedulerServer server = leaderWithMetrics();
    Clients c = track(new Clients(server.address()));
    track(new FakeAgent(server.address(), "od-1", 8, CapacityType.CAPACITY_TYPE_ON_DEMAND))
        .connect();
    JobSpec spec =
        Clients.spec("sweep", 1).toBuilder()
            .setSpotWait(com.google.protobuf.Duration.newBuilder().setSeconds(30 * 60))
            .build();
    String id = submit(c, spec, "").getJob().getId();

    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(explain(c, id))
                    .startsWith("pending: waiting for spot until ")
                    .contains("(spot wait 30m), then any capacity"));
    assertThat(scrape(server.metricsPort())).contains("tern_jobs_waiting_for_spot 1.0");
    FakeAgent spot =
        track(new FakeAgent(server.address(), "spot-1", 8, CapacityType.CAPACITY_TYPE_SPOT))
            .connect();
    StartJob started = spot.next(SchedulerMessage.KindCase.START_JOB, 10).getStartJob();

    assertThat(started.getJobId()).isEqualTo(id);
    assertThat(job(c, id).getAttempts(0).getCapacityType())
        .isEqualTo(CapacityType.CAPACITY_TYPE_SPOT);
  }

  private static String explain(Clients c, String id) {
    return c.jobsNow().explainJob(ExplainJobRequest.newBuilder().setJobId(id).build()).getSummary();
  }

  private static String scrape(int port) throws Exception {
    try (var http = java.net.http.HttpClient.newHttpClient()) {
      return http.send(
              java.net.http.HttpRequest.newBuilder(
                      java.net.URI.create("http://127.0.0.1:" + port + "/metrics"))
                  .build(),
              java.net.http.HttpResponse.BodyHandlers.ofString())
          .body();
    }
  }

  @Test
  void attemptsTheLeaderDoesNotKnowAreStoppedOnRegister() throws Exception {
    SchedulerServer server = leader();
    FakeAgent agent =
        track(new FakeAgent(server.address(), "node-1", 8, CapacityType.CAPACITY_TYPE_SPOT))
            .connect(
                List.of(
                    io.tern.api.v1.RunningAttempt.newBuilder()
                        .setJobId("job-000099")
                        .setAttempt(1)
                        .addGpuIndices(0)
                        .build()));

    SchedulerMessage stop = agent.next(SchedulerMessage.KindCase.STOP_JOB, 10);

    assertThat(stop.getStopJob().getJobId()).isEqualTo("job-000099");
  }
}
