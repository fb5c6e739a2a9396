package io.tern.scheduler.server.loop;

import static org.assertj.core.api.Assertions.assertThat;

import io.tern.api.v1.JobState;
import io.tern.api.v1.SchedulerMessage.KindCase;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Interrupts and stops as agents receive them, on a loop run by hand. */
class JobCommandsTest {
  private static final String JOB = "job-000001";

  private final HandLoop loop = new HandLoop();

  private HandLoop.Channel leadWithACheckpointableJobOnN1() {
    return loop.leadOnN1(
        HandLoop.placed(
            JOB, HandLoop.checkpointable("vision", 1, 90), JobState.JOB_STATE_RUNNING, "n1", 0));
  }

  @Test
  void aCheckpointableJobIsAskedToCheckpointByItsGraceOnceTheChangeIsStored() {
    HandLoop.Channel agent = leadWithACheckpointableJobOnN1();

    loop.commands.interrupt(loop.term, JOB, 1, true, "preempted", HandLoop.T0);
    assertThat(loop.term.entry(JOB).state()).isEqualTo(JobState.JOB_STATE_CHECKPOINTING);
    assertThat(agent.sent).isEmpty();

    loop.settle();
    var checkpoint = agent.of(KindCase.CHECKPOINT_JOB).getFirst();
    assertThat(checkpoint.getEpoch()).isEqualTo(7);
    assertThat(checkpoint.getCheckpointJob().getAttempt()).isEqualTo(1);
    assertThat(checkpoint.getCheckpointJob().getDeadline())
        .isEqualTo(HandLoop.at(HandLoop.T0.plusSeconds(90)));
  }

  @Test
  void aRequeueIsAnsweredOnlyOnceTheCheckpointRequestIsStored() throws Exception {
    HandLoop.Channel agent = leadWithACheckpointableJobOnN1();
    JobControls controls =
        new JobControls(loop, loop.clock, loop.writes, loop.commands, loop.plans);

    var answer = controls.requeue(JOB, "alice", "new data");
    loop.runDue();
    assertThat(loop.term.entry(JOB).state()).isEqualTo(JobState.JOB_STATE_CHECKPOINTING);
    assertThat(answer).as("ZooKeeper has not stored it yet").isNotDone();

    loop.settle();
    assertThat(answer.get().getState()).isEqualTo(JobState.JOB_STATE_CHECKPOINTING);
    assertThat(agent.of(KindCase.CHECKPOINT_JOB)).hasSize(1);
  }

  @Test
  void aRequeueAndAHoldWhoseWriteNeverCommitsAreAnsweredWithTheFailureNotLeftHanging() {
    leadWithACheckpointableJobOnN1();
    loop.term.add(new JobEntry(HandLoop.queued("job-000002", HandLoop.spec("vision", 1)), 0));
    JobControls controls =
        new JobControls(loop, loop.clock, loop.writes, loop.commands, loop.plans);

    var requeue = controls.requeue(JOB, "alice", "");
    var hold = controls.hold("job-000002", "alice", "");
    loop.runDue();
    assertThat(requeue).isNotDone();
    assertThat(hold).isNotDone();

    // ZooKeeper never confirms (the term ends): the callers hear so.
    loop.failWrites(UnknownOutcomeException.storedUnanswered());
    loop.runDue();
    assertThat(requeue).isCompletedExceptionally();
    assertThat(hold).isCompletedExceptionally();
  }

  @Test
  void aReclaimThatLeavesNoTimeStillGivesTheJobTenSecondsToCheckpoint() {
    HandLoop.Channel agent = leadWithACheckpointableJobOnN1();

    // The notice came late: the reclaim's cap (10 s before it) is already past.
    loop.commands.interrupt(
        loop.term, JOB, 1, true, "spot reclaim of n1", HandLoop.T0, HandLoop.T0.minusSeconds(5));
    loop.settle();

    assertThat(agent.of(KindCase.CHECKPOINT_JOB).getFirst().getCheckpointJob().getDeadline())
        .isEqualTo(HandLoop.at(HandLoop.T0.plus(io.tern.scheduler.spec.CheckpointDeadline.LEAST)));
  }

  @Test
  void aJobThatCannotCheckpointIsStoppedAtOnce() {
    loop.lead(
        List.of(
            HandLoop.placed(JOB, HandLoop.spec("vision", 1), JobState.JOB_STATE_RUNNING, "n1", 0)),
        List.of(HandLoop.node("n1", 8)));
    HandLoop.Channel agent = loop.connect("n1");

    loop.commands.interrupt(loop.term, JOB, 1, true, "preempted", HandLoop.T0);

    var stop = agent.of(KindCase.STOP_JOB).getFirst().getStopJob();
    assertThat(stop.getJobId()).isEqualTo(JOB);
    assertThat(stop.getReason()).isEqualTo("preempted");
    assertThat(loop.term.stopping).contains(JOB);
  }

  @Test
  void anInterruptOfAnotherAttemptChangesNothing() {
    HandLoop.Channel agent = leadWithACheckpointableJobOnN1();

    loop.commands.interrupt(loop.term, JOB, 2, true, "preempted", HandLoop.T0);
    loop.settle();

    assertThat(loop.term.entry(JOB).state()).isEqualTo(JobState.JOB_STATE_RUNNING);
    assertThat(agent.sent).isEmpty();
    assertThat(loop.committed).isEmpty();
  }
}
