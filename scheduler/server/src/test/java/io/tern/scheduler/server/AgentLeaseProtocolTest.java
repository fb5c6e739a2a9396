package io.tern.scheduler.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.tern.api.v1.AgentMessage;
import io.tern.api.v1.CapacityType;
import io.tern.api.v1.ExplainJobRequest;
import io.tern.api.v1.GetJobRequest;
import io.tern.api.v1.Job;
import io.tern.api.v1.JobState;
import io.tern.api.v1.JobStatus;
import io.tern.api.v1.ListNodesRequest;
import io.tern.api.v1.Node;
import io.tern.api.v1.SchedulerMessage;
import io.tern.api.v1.StartJob;
import io.tern.api.v1.SubmitJobRequest;
import io.tern.scheduler.server.testing.Clients;
import io.tern.scheduler.server.testing.FakeAgent;
import io.tern.scheduler.server.testing.ReplicaCluster;
import io.tern.testing.TestClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The leader's side of the agents' lease (agent.proto: Registered.node_lease_ms, AgentMessage.seq,
 * Ack) and of refused starts, on a real replica and ZooKeeper over real gRPC.
 */
class AgentLeaseProtocolTest {
  private static final Duration WAIT = Duration.ofSeconds(15);

  private ReplicaCluster cluster;

  @BeforeEach
  void start() throws Exception {
    cluster = new ReplicaCluster();
  }

  @AfterEach
  void stop() throws Exception {
    cluster.close();
  }

  @Test
  void registeredCarriesTheLeaseAndAskForEightHeartbeatsPerLeaseAtLeast() throws Exception {
    SchedulerServer server = cluster.replica(Duration.ofSeconds(4));
    ReplicaCluster.awaitLeading(server);
    FakeAgent agent = onDemandAgent(server, "node-1");

    var registered = agent.next(SchedulerMessage.KindCase.REGISTERED, 10).getRegistered();

    assertThat(registered.getNodeLeaseMs()).isEqualTo(4000);
    assertThat(registered.getTelemetryIntervalMs()).isPositive().isLessThanOrEqualTo(500);
  }

  @Test
  void heartbeatsAreAcknowledgedAtOnceAndStatusesOnceStored() throws Exception {
    SchedulerServer server = cluster.leader();
    Clients c = cluster.track(new Clients(server.address()));
    FakeAgent agent = onDemandAgent(server, "node-1");
    agent.next(SchedulerMessage.KindCase.REGISTERED, 10);

    agent.heartbeat(5);
    assertThat(agent.next(SchedulerMessage.KindCase.ACK, 10).getAck().getSeq()).isEqualTo(5);

    String id =
        c.jobs
            .submitJob(SubmitJobRequest.newBuilder().setSpec(Clients.spec("j", 1)).build())
            .getJob()
            .getId();
    agent.next(SchedulerMessage.KindCase.START_JOB, 10);
    agent.send(status(id, JobStatus.Phase.PHASE_EXITED, 9));
    assertThat(agent.next(SchedulerMessage.KindCase.ACK, 10).getAck().getSeq()).isEqualTo(9);
    // Acknowledged only once stored: the job is SUCCEEDED as soon as the ack is out.
    assertThat(job(c, id).getState()).isEqualTo(JobState.JOB_STATE_SUCCEEDED);

    agent.send(status(id, JobStatus.Phase.PHASE_EXITED, 10)); // sent again after a reconnect
    assertThat(agent.next(SchedulerMessage.KindCase.ACK, 10).getAck().getSeq()).isEqualTo(10);
    assertThat(job(c, id).getAttemptsCount()).as("never run again").isEqualTo(1);
  }

  @Test
  void aStartRefusedByAnAgentThatShutsDownIsRequeuedAndPlacedElsewhere() throws Exception {
    SchedulerServer server = cluster.leader();
    Clients c = cluster.track(new Clients(server.address()));
    FakeAgent leaving = onDemandAgent(server, "node-1");
    leaving.next(SchedulerMessage.KindCase.REGISTERED, 10);
    String id =
        c.jobs
            .submitJob(SubmitJobRequest.newBuilder().setSpec(Clients.spec("j", 1)).build())
            .getJob()
            .getId();
    leaving.next(SchedulerMessage.KindCase.START_JOB, 10);

    leaving.send(status(id, JobStatus.Phase.PHASE_REFUSED, 1));

    await().atMost(WAIT).until(() -> job(c, id).getState() == JobState.JOB_STATE_PENDING);
    Job job = job(c, id);
    assertThat(job.getAttempts(0).getEndReason())
        .isEqualTo("refused by node node-1: not started: shutting down");
    assertThatThrownBy(() -> leaving.next(SchedulerMessage.KindCase.START_JOB, 2))
        .as("nothing more is placed on a node whose agent shuts down")
        .hasMessageContaining("no START_JOB");

    FakeAgent other = onDemandAgent(server, "node-2");
    assertThat(other.next(SchedulerMessage.KindCase.START_JOB, 10).getStartJob().getAttempt())
        .isEqualTo(2);
    assertThat(job(c, id).getAttempts(0).hasExitCode()).as("not a failure").isFalse();
  }

  @Test
  void aStartTheNodeCannotPrepareIsPlacedElsewhereWithoutARetryAndTheNodeRests() throws Exception {
    SchedulerServer server = cluster.leader();
    Clients c = cluster.track(new Clients(server.address()));
    FakeAgent full = onDemandAgent(server, "node-1");
    full.next(SchedulerMessage.KindCase.REGISTERED, 10);
    String id = submitWithoutRetries(c);
    full.next(SchedulerMessage.KindCase.START_JOB, 10);

    full.send(
        status(
            id,
            JobStatus.Phase.PHASE_NODE_FAULT,
            "cannot record /w/jobs/" + id + "/attempt-1: No space left on device",
            1));

    await().atMost(WAIT).until(() -> job(c, id).getState() == JobState.JOB_STATE_PENDING);
    assertThat(job(c, id).getAttempts(0).getEndReason())
        .isEqualTo(
            "not started: node node-1 could not prepare it (cannot record /w/jobs/"
                + id
                + "/attempt-1: No space left on device); no retry counted");
    assertThatThrownBy(() -> full.next(SchedulerMessage.KindCase.START_JOB, 2))
        .as("the node rests")
        .hasMessageContaining("no START_JOB");
    Node resting = c.cluster.listNodes(ListNodesRequest.getDefaultInstance()).getNodes(0);
    assertThat(resting.hasRestingUntil()).as("ListNodes says it rests, and why").isTrue();
    assertThat(resting.getRestingReason())
        .isEqualTo(
            "its agent could not prepare a job (cannot record /w/jobs/"
                + id
                + "/attempt-1: No space left on device)");

    FakeAgent other = onDemandAgent(server, "node-2");
    assertThat(other.next(SchedulerMessage.KindCase.START_JOB, 10).getStartJob().getAttempt())
        .isEqualTo(2);
  }

  @Test
  void aStartTheCheckpointStoreFailsWaitsWithoutARetryAndWithoutBlamingTheNode() throws Exception {
    TestClock clock = new TestClock(Instant.parse("2026-12-01T08:00:00Z"));
    SchedulerServer server =
        cluster.track(new SchedulerServer(cluster.config(Duration.ofHours(2)), clock).start());
    ReplicaCluster.awaitLeading(server);
    Clients c = cluster.track(new Clients(server.address()));
    FakeAgent agent = onDemandAgent(server, "node-1");
    agent.next(SchedulerMessage.KindCase.REGISTERED, 10);
    String id = submitWithoutRetries(c);
    agent.next(SchedulerMessage.KindCase.START_JOB, 10);

    agent.send(
        status(
            id,
            JobStatus.Phase.PHASE_STORE_FAULT,
            "the checkpoint store failed: No space left on device",
            1));

    await().atMost(WAIT).until(() -> job(c, id).getState() == JobState.JOB_STATE_PENDING);
    assertThat(job(c, id).getAttempts(0).getEndReason())
        .isEqualTo(
            "not started: the checkpoint store failed: No space left on device (no retry counted)");
    assertThat(job(c, id).getAttempts(0).hasExitCode()).as("not a failure").isFalse();
    String other =
        c.jobs
            .submitJob(SubmitJobRequest.newBuilder().setSpec(Clients.spec("k", 1)).build())
            .getJob()
            .getId();
    assertThat(agent.next(SchedulerMessage.KindCase.START_JOB, 10).getStartJob().getJobId())
        .as("the node is not blamed: the next job starts there")
        .isEqualTo(other);
    assertThatThrownBy(() -> agent.next(SchedulerMessage.KindCase.START_JOB, 2))
        .as("the job waits for the store")
        .hasMessageContaining("no START_JOB");
    assertThat(c.jobs.explainJob(ExplainJobRequest.newBuilder().setJobId(id).build()).getSummary())
        .isEqualTo(
            "pending: its last start failed: the checkpoint store failed: No space left on device;"
                + " tries again at 2026-12-01T08:00:30Z (no retry counted)");

    clock.advance(Duration.ofSeconds(30)); // the pause
    StartJob again = agent.next(SchedulerMessage.KindCase.START_JOB, 10).getStartJob();
    assertThat(again.getJobId()).isEqualTo(id);
    assertThat(again.getAttempt()).isEqualTo(2);
  }

  @Test
  void anAttemptWhoseStartedReportWasLostCountsFromItsPlacement() throws Exception {
    SchedulerServer server = cluster.leader();
    Clients c = cluster.track(new Clients(server.address()));
    FakeAgent agent = onDemandAgent(server, "node-1");
    agent.next(SchedulerMessage.KindCase.REGISTERED, 10);
    String id = submitWithoutRetries(c);
    agent.next(SchedulerMessage.KindCase.START_JOB, 10);

    // Its STARTED never came (the stream broke, the agent fenced itself): it ran all the same.
    agent.send(status(id, JobStatus.Phase.PHASE_STOPPED, "stopped: fenced", 1));

    await().atMost(WAIT).until(() -> job(c, id).getAttempts(0).hasEndedAt());
    var attempt = job(c, id).getAttempts(0);
    assertThat(attempt.hasStartedAt()).as("billed from its placement").isTrue();
    assertThat(attempt.getStartedAt()).isEqualTo(attempt.getPlacedAt());
  }

  private static AgentMessage status(String id, JobStatus.Phase phase, long seq) {
    return status(
        id, phase, phase == JobStatus.Phase.PHASE_REFUSED ? "not started: shutting down" : "", seq);
  }

  private static AgentMessage status(String id, JobStatus.Phase phase, String message, long seq) {
    return AgentMessage.newBuilder()
        .setJobStatus(
            JobStatus.newBuilder().setJobId(id).setAttempt(1).setPhase(phase).setMessage(message))
        .setSeq(seq)
        .build();
  }

  /** A job with no retries: a start failure would fail it. */
  private static String submitWithoutRetries(Clients c) {
    return c.jobs
        .submitJob(
            SubmitJobRequest.newBuilder()
                .setSpec(Clients.spec("j", 1).toBuilder().setRetries(0))
                .build())
        .getJob()
        .getId();
  }

  /** A connected fake agent with two on-demand GPUs. */
  private FakeAgent onDemandAgent(SchedulerServer server, String node) throws Exception {
    return cluster
        .track(new FakeAgent(server.address(), node, 2, CapacityType.CAPACITY_TYPE_ON_DEMAND))
        .connect();
  }

  private static Job job(Clients c, String id) {
    return c.jobs.getJob(GetJobRequest.newBuilder().setJobId(id).build());
  }
}
