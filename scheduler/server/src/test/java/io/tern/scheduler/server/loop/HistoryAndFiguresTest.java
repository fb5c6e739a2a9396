package io.tern.scheduler.server.loop;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Timestamp;
import io.tern.api.v1.Job;
import io.tern.api.v1.JobState;
import io.tern.api.v1.Node;
import io.tern.api.v1.NodeState;
import io.tern.api.v1.Priority;
import java.util.List;
import org.junit.jupiter.api.Test;

/** HistoryRequests and ClusterFigures: reads of the term on a loop run by hand. */
class HistoryAndFiguresTest {
  private final HandLoop loop = new HandLoop();

  private static Job finished(String id, String team, String nodeId) {
    return HandLoop.placed(id, HandLoop.spec(team, 1), JobState.JOB_STATE_SUCCEEDED, nodeId, 0);
  }

  private void leadWithAHistory() {
    loop.lead(
        List.of(
            finished("job-000001", "vision", "gone"),
            finished("job-000002", "nlp", "n1"),
            HandLoop.placed(
                "job-000003", HandLoop.spec("vision", 1), JobState.JOB_STATE_RUNNING, "n1", 1),
            HandLoop.queued(
                "job-000004",
                HandLoop.spec("vision", 1).toBuilder().setPriority(Priority.PRIORITY_HIGH).build()),
            HandLoop.queued("job-000005", HandLoop.spec("nlp", 1))),
        List.of(
            HandLoop.node("n1", 8),
            HandLoop.node("gone", 8).toBuilder().setState(NodeState.NODE_STATE_LOST).build(),
            HandLoop.node("idle-lost", 8).toBuilder().setState(NodeState.NODE_STATE_LOST).build()));
  }

  @Test
  void historyHasTheVisibleFinishedJobsThatRanAndTheNodesTheyRanOn() throws Exception {
    leadWithAHistory();
    HistoryRequests history = new HistoryRequests(loop);

    var reply = history.export(Timestamp.getDefaultInstance(), "", "vision"::equals);
    loop.runDue();

    var h = reply.get();
    assertThat(h.jobs()).extracting(Job::getId).containsExactly("job-000001");
    assertThat(h.jobsLeftOut()).as("vision's running and queued jobs").isEqualTo(2);
    // The lost node a job ran on, and every node not lost; never a lost node that ran nothing.
    assertThat(h.nodes()).extracting(Node::getId).containsExactly("gone", "n1");
  }

  @Test
  void historyStartsAtSince() throws Exception {
    leadWithAHistory();
    HistoryRequests history = new HistoryRequests(loop);

    var reply = history.export(HandLoop.at(HandLoop.T0.plusSeconds(1)), "", team -> true);
    loop.runDue();

    assertThat(reply.get().jobs()).isEmpty();
    assertThat(reply.get().jobsLeftOut()).isZero();
  }

  @Test
  void figuresCountJobsQueueAndNodesByState() throws Exception {
    leadWithAHistory();

    var reply = ClusterFigures.of(loop, loop.clock);
    loop.runDue();

    ClusterFigures figures = reply.get();
    assertThat(figures.jobs())
        .containsEntry(JobState.JOB_STATE_SUCCEEDED, 2)
        .containsEntry(JobState.JOB_STATE_RUNNING, 1)
        .containsEntry(JobState.JOB_STATE_PENDING, 2)
        .containsEntry(JobState.JOB_STATE_FAILED, 0);
    assertThat(figures.queue())
        .containsExactly(
            java.util.Map.entry(List.of("nlp", "normal"), 1),
            java.util.Map.entry(List.of("vision", "high"), 1));
    assertThat(figures.nodes())
        .containsEntry(NodeState.NODE_STATE_READY, 1)
        .containsEntry(NodeState.NODE_STATE_LOST, 2)
        .containsEntry(NodeState.NODE_STATE_DRAINING, 0);
  }

  @Test
  void figuresFailWhereThisReplicaDoesNotLead() {
    var reply = ClusterFigures.of(loop, loop.clock);
    loop.runDue();
    assertThat(reply).isCompletedExceptionally();
  }
}
