package io.tern.scheduler.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.Status;
import io.tern.api.v1.CapacityType;
import io.tern.api.v1.GetJobRequest;
import io.tern.api.v1.Job;
import io.tern.api.v1.JobState;
import io.tern.api.v1.JobStatus;
import io.tern.api.v1.SchedulerMessage.KindCase;
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
 * Two agent processes with the same node id (Register.agent_instance): the one the leader hears
 * keeps the node and the other is refused, on a real replica and ZooKeeper over real gRPC, with a
 * clock the test moves.
 */
class DuplicateNodeIdTest {
  private static final Duration WAIT = Duration.ofSeconds(15);

  private ReplicaCluster cluster;
  private final TestClock clock = new TestClock(Instant.parse("2026-12-01T08:00:00Z"));
  private SchedulerServer server;
  private Clients c;

  @BeforeEach
  void start() throws Exception {
    cluster = new ReplicaCluster();
    // A node lease far longer than the clock's steps: nodes are never lost here.
    server = cluster.track(new SchedulerServer(cluster.config(Duration.ofHours(2)), clock).start());
    ReplicaCluster.awaitLeading(server);
    c = cluster.track(new Clients(server.address()));
  }

  @AfterEach
  void stop() throws Exception {
    cluster.close();
  }

  private FakeAgent agent(String instance) {
    return cluster
        .track(new FakeAgent(server.address(), "gpu-a", 2, CapacityType.CAPACITY_TYPE_ON_DEMAND))
        .instance(instance);
  }

  /** Registers {@code agent} and has it send a heartbeat the leader acknowledges. */
  private static void registerAndHeartbeat(FakeAgent agent, long seq) throws Exception {
    agent.connect().next(KindCase.REGISTERED, 10);
    agent.heartbeat(seq);
    assertThat(agent.next(KindCase.ACK, 10).getAck().getSeq()).isEqualTo(seq);
  }

  private String runningOn(FakeAgent agent, String name) throws Exception {
    String id =
        c.jobs
            .submitJob(SubmitJobRequest.newBuilder().setSpec(Clients.spec(name, 1)).build())
            .getJob()
            .getId();
    assertThat(agent.next(KindCase.START_JOB, 10).getStartJob().getJobId()).isEqualTo(id);
    agent.status(id, 1, JobStatus.Phase.PHASE_STARTED, 0);
    await().atMost(WAIT).until(() -> job(id).getState() == JobState.JOB_STATE_RUNNING);
    return id;
  }

  private Job job(String id) {
    return c.jobs.getJob(GetJobRequest.newBuilder().setJobId(id).build());
  }

  private static Status awaitClosed(FakeAgent agent) {
    return await().atMost(WAIT).until(agent::closedWith, s -> s != null);
  }

  @Test
  void aSecondAgentIsRefusedWhileTheFirstIsHeardAndTheFirstKeepsTheNodeAndItsJobs()
      throws Exception {
    FakeAgent first = agent("instance-a");
    registerAndHeartbeat(first, 1);
    String id = runningOn(first, "train");

    clock.advance(Duration.ofMillis(300));
    FakeAgent second = agent("instance-b").connect();

    Status refused = awaitClosed(second);
    assertThat(refused.getCode()).isEqualTo(Status.Code.ALREADY_EXISTS);
    assertThat(refused.getDescription())
        .contains("node gpu-a is held by another agent (instance instance-a, heard 300 ms ago)")
        .contains("two agents with the same --node-id?")
        .contains("instance-b");
    // The first agent's stream, session and job are untouched: it is still the node's channel.
    assertThat(first.closedWith()).isNull();
    first.heartbeat(2);
    assertThat(first.next(KindCase.ACK, 10).getAck().getSeq()).isEqualTo(2);
    Job job = job(id);
    assertThat(job.getState()).isEqualTo(JobState.JOB_STATE_RUNNING);
    assertThat(job.getAttemptsCount()).isEqualTo(1);
    String next =
        c.jobs
            .submitJob(SubmitJobRequest.newBuilder().setSpec(Clients.spec("next", 1)).build())
            .getJob()
            .getId();
    var start = first.next(KindCase.START_JOB, 10).getStartJob();
    assertThat(start.getJobId())
        .as("the first agent still gets the node's commands")
        .isEqualTo(next);

    // The second keeps being refused while the first is heard.
    clock.advance(Duration.ofMillis(1500));
    FakeAgent again = agent("instance-b").connect();
    assertThat(awaitClosed(again).getCode()).isEqualTo(Status.Code.ALREADY_EXISTS);
    assertThat(first.closedWith()).isNull();
  }

  @Test
  void theSameAgentOnANewStreamReplacesItsOldOne() throws Exception {
    FakeAgent first = agent("instance-a");
    registerAndHeartbeat(first, 1);
    String id = runningOn(first, "train");

    FakeAgent reconnected = agent("instance-a").connect();

    reconnected.next(KindCase.REGISTERED, 10);
    assertThat(awaitClosed(first).getDescription())
        .isEqualTo("replaced by a newer connection from the same node");
    assertThat(job(id).getAttemptsCount()).isEqualTo(1);
  }

  @Test
  void anAgentThatSaysNoInstanceReplacesTheStreamAsBefore() throws Exception {
    FakeAgent first = agent("instance-a");
    registerAndHeartbeat(first, 1);

    FakeAgent older = agent("").connect();

    older.next(KindCase.REGISTERED, 10);
    assertThat(awaitClosed(first).getCode()).isEqualTo(Status.Code.UNAVAILABLE);
  }

  @Test
  void anotherAgentIsAcceptedOnceTheFirstHasBeenSilentForTwoSeconds() throws Exception {
    FakeAgent first = agent("instance-a");
    registerAndHeartbeat(first, 1);

    clock.advance(Duration.ofMillis(1999));
    FakeAgent early = agent("instance-b").connect();
    assertThat(awaitClosed(early).getCode()).isEqualTo(Status.Code.ALREADY_EXISTS);

    clock.advance(Duration.ofMillis(1));
    FakeAgent second = agent("instance-b").connect();

    second.next(KindCase.REGISTERED, 10);
    assertThat(awaitClosed(first).getDescription())
        .isEqualTo("replaced by a newer connection from the same node");
    second.heartbeat(1);
    assertThat(second.next(KindCase.ACK, 10).getAck().getSeq()).isEqualTo(1);
  }
}
