package io.tern.scheduler.server.loop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tern.api.v1.DrainNodeRequest;
import io.tern.api.v1.GetQueueRequest;
import io.tern.api.v1.JobState;
import io.tern.api.v1.ListNodesRequest;
import io.tern.api.v1.NodeState;
import io.tern.api.v1.Priority;
import io.tern.api.v1.QueueEntry;
import io.tern.api.v1.SchedulerMessage.KindCase;
import io.tern.api.v1.UndrainNodeRequest;
import io.tern.scheduler.server.zk.ZkPaths;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.Test;

/** ClusterService's requests on a loop run by hand. */
class ClusterRequestsTest {
  private final HandLoop loop = new HandLoop();
  private final List<String> absorbed = new ArrayList<>();
  private final ClusterRequests cluster =
      new ClusterRequests(
          loop,
          loop.clock,
          term -> absorbed.add("absorbed"),
          loop.writes,
          loop.commands,
          loop.plans);

  private HandLoop.Channel leadWithACheckpointableJobOnN1() {
    return loop.leadOnN1(
        HandLoop.placed(
            "job-000001",
            HandLoop.checkpointable("vision", 1, 30),
            JobState.JOB_STATE_RUNNING,
            "n1",
            0));
  }

  @Test
  void nodesShowTheLatestTelemetryAndOnlyTheJobIdsOfTeamsTheCallerSees() throws Exception {
    loop.lead(
        List.of(
            HandLoop.placed(
                "job-000001", HandLoop.spec("vision", 1), JobState.JOB_STATE_RUNNING, "n1", 0),
            HandLoop.placed(
                "job-000002", HandLoop.spec("nlp", 1), JobState.JOB_STATE_RUNNING, "n1", 1)),
        List.of(HandLoop.node("n1", 8), HandLoop.node("n2", 8)));

    var reply = cluster.nodes(ListNodesRequest.getDefaultInstance(), "vision"::equals);
    loop.runDue();

    assertThat(absorbed).containsExactly("absorbed");
    var nodes = reply.get().getNodesList();
    assertThat(nodes).extracting(n -> n.getId()).containsExactly("n1", "n2");
    assertThat(nodes.getFirst().getJobIdsList()).containsExactly("job-000001");
    assertThat(nodes.getFirst().getGpusCount()).isEqualTo(8);
  }

  @Test
  void aLostNodeAfterAFailoverShowsWhenItWasLastHeardNotTheElection() throws Exception {
    var lastHeard = HandLoop.T0.minusSeconds(600);
    loop.lead(
        List.of(),
        List.of(
            HandLoop.node("n1", 8).toBuilder()
                .setState(NodeState.NODE_STATE_LOST)
                .setLastHeartbeat(HandLoop.at(lastHeard))
                .build(),
            HandLoop.node("n2", 8)));

    var reply = cluster.nodes(ListNodesRequest.getDefaultInstance(), team -> true);
    loop.runDue();

    var nodes = reply.get().getNodesList();
    assertThat(nodes.get(0).getLastHeartbeat()).isEqualTo(HandLoop.at(lastHeard));
    assertThat(nodes.get(1).getLastHeartbeat())
        .as("a live node's lease counts from the election until its agent reports")
        .isEqualTo(HandLoop.at(HandLoop.T0));
  }

  /** n1, its agent connected, drains for a spot reclaim a minute after T0. */
  private void leadWithN1DrainingForAReclaimAtT0Plus60s() {
    loop.lead(
        List.of(),
        List.of(
            HandLoop.node("n1", 8).toBuilder()
                .setState(NodeState.NODE_STATE_DRAINING)
                .setReclaimAt(HandLoop.at(HandLoop.T0.plusSeconds(60)))
                .build()));
    loop.connect("n1");
  }

  @Test
  void aNodeUnderAReclaimNoticeIsUndrainedOnlyOnceItsReclaimTimeHasPassed() throws Exception {
    leadWithN1DrainingForAReclaimAtT0Plus60s();

    var early = cluster.undrain(UndrainNodeRequest.newBuilder().setNodeId("n1").build());
    loop.runDue();
    assertThatThrownBy(early::get)
        .hasMessageContaining("is draining for a spot reclaim at 2026-05-04T06:01:00Z")
        .hasMessageContaining("the cloud takes it back");

    loop.clock.advance(java.time.Duration.ofSeconds(61));
    var late = cluster.undrain(UndrainNodeRequest.newBuilder().setNodeId("n1").build());
    loop.runDue();
    assertThat(late.get().getState()).isEqualTo(NodeState.NODE_STATE_READY);
    assertThat(late.get().hasReclaimAt()).as("the notice is over").isFalse();
  }

  @Test
  void aNodeWhoseAgentStillSeesItsNoticeIsNotUndrainedPastItsReclaimTime() throws Exception {
    leadWithN1DrainingForAReclaimAtT0Plus60s();
    loop.term.nodes.get("n1").spotNotice =
        io.tern.api.v1.SpotNotice.newBuilder()
            .setKind(io.tern.api.v1.SpotNotice.Kind.KIND_INSTANCE_ACTION)
            .setActionAt(HandLoop.at(HandLoop.T0.plusSeconds(60)))
            .build();
    loop.clock.advance(java.time.Duration.ofSeconds(61));

    var refused = cluster.undrain(UndrainNodeRequest.newBuilder().setNodeId("n1").build());
    loop.runDue();

    assertThatThrownBy(refused::get)
        .hasMessageContaining("node n1's agent has seen a spot reclaim notice")
        .hasMessageContaining("the cloud is taking it back");
    assertThat(loop.term.nodes.get("n1").state()).isEqualTo(NodeState.NODE_STATE_DRAINING);
  }

  @Test
  void theQueueIsInPriorityOrderThenSubmissionWithTheTotal() throws Exception {
    loop.lead(
        List.of(
            // A stored spec without a priority is a normal job, not one above high.
            HandLoop.queued(
                "job-000001", HandLoop.spec("vision", 1).toBuilder().clearPriority().build()),
            HandLoop.queued(
                "job-000002",
                HandLoop.spec("vision", 2).toBuilder().setPriority(Priority.PRIORITY_HIGH).build()),
            HandLoop.queued("job-000003", HandLoop.spec("nlp", 1))),
        List.of());
    loop.clock.advance(java.time.Duration.ofSeconds(90));

    var reply = cluster.queue(GetQueueRequest.newBuilder().setLimit(2).build());
    loop.runDue();

    assertThat(reply.get().getTotal()).isEqualTo(3);
    assertThat(reply.get().getEntriesList())
        .extracting(QueueEntry::getJobId)
        .containsExactly("job-000002", "job-000001");
    assertThat(reply.get().getEntries(0).getWaitingSeconds()).isEqualTo(90);
    assertThat(reply.get().getEntries(0).getReason()).isEqualTo("queued");
  }

  @Test
  void aDrainWithCheckpointsMarksTheNodeAndCheckpointsItsRunningJobs() throws Exception {
    HandLoop.Channel agent = leadWithACheckpointableJobOnN1();

    var reply =
        cluster.drain(
            DrainNodeRequest.newBuilder()
                .setNodeId("n1")
                .setCheckpointJobs(true)
                .setReason("maintenance")
                .build());
    loop.runDue();

    assertThat(reply.get().getState()).isEqualTo(NodeState.NODE_STATE_DRAINING);
    assertThat(reply.get().getJobIdsList()).containsExactly("job-000001");
    assertThat(loop.term.entry("job-000001").state()).isEqualTo(JobState.JOB_STATE_CHECKPOINTING);
    loop.settle();
    assertThat(loop.committedPaths())
        .containsExactly(ZkPaths.defaults().node("n1"), ZkPaths.defaults().job("job-000001"));
    var checkpoint = agent.of(KindCase.CHECKPOINT_JOB).getFirst().getCheckpointJob();
    assertThat(checkpoint.getReason()).isEqualTo("node n1 drained: maintenance");
    assertThat(checkpoint.getDeadline()).isEqualTo(HandLoop.at(HandLoop.T0.plusSeconds(30)));
  }

  @Test
  void aDrainWithoutCheckpointsLeavesJobsRunning() throws Exception {
    HandLoop.Channel agent = leadWithACheckpointableJobOnN1();

    var reply = cluster.drain(DrainNodeRequest.newBuilder().setNodeId("n1").build());
    loop.settle();

    assertThat(reply.get().getState()).isEqualTo(NodeState.NODE_STATE_DRAINING);
    assertThat(loop.term.entry("job-000001").state()).isEqualTo(JobState.JOB_STATE_RUNNING);
    assertThat(agent.sent).isEmpty();
  }

  @Test
  void drainingAnUnknownNodeIsNotFound() {
    loop.lead(List.of(), List.of());
    var reply = cluster.drain(DrainNodeRequest.newBuilder().setNodeId("ghost").build());
    loop.runDue();
    assertThatThrownBy(reply::get)
        .cause()
        .isInstanceOf(NoSuchElementException.class)
        .hasMessage("no node ghost");
  }
}
