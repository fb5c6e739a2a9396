package io.tern.scheduler.core.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tern.scheduler.core.model.CapacityType;
import io.tern.scheduler.core.model.NodeAssignment;
import io.tern.scheduler.core.plan.CheckpointRequest;
import io.tern.scheduler.core.plan.Placement;
import io.tern.scheduler.core.state.Effect.LedgerEntry;
import io.tern.scheduler.core.state.Effect.RecordLedger;
import io.tern.scheduler.core.state.Effect.ReleaseResources;
import io.tern.scheduler.core.state.Effect.Requeue;
import io.tern.scheduler.core.state.Effect.SendCheckpoint;
import io.tern.scheduler.core.state.Effect.SendStart;
import io.tern.scheduler.core.state.Effect.SendStop;
import io.tern.scheduler.core.state.JobEvent.Cancel;
import io.tern.scheduler.core.state.JobEvent.CheckpointCommitted;
import io.tern.scheduler.core.state.JobEvent.CheckpointRequested;
import io.tern.scheduler.core.state.JobEvent.Exited;
import io.tern.scheduler.core.state.JobEvent.Hold;
import io.tern.scheduler.core.state.JobEvent.NodeLost;
import io.tern.scheduler.core.state.JobEvent.Placed;
import io.tern.scheduler.core.state.JobEvent.Release;
import io.tern.scheduler.core.state.JobEvent.StartFailed;
import io.tern.scheduler.core.state.JobEvent.Started;
import io.tern.scheduler.core.state.JobEvent.StopRequested;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class JobStateMachineTest {
  private static final String J = "job-1";
  private static final Instant T = Instant.parse("2026-03-02T12:00:00Z");
  private final JobStateMachine machine = new JobStateMachine();

  private static Placement placement(int attempt) {
    return new Placement(
        J, attempt, List.of(new NodeAssignment("n1", List.of(0))), CapacityType.SPOT, false);
  }

  private static JobStatus at(JobState state, int attempt) {
    return new JobStatus(J, state, attempt, 2);
  }

  @Test
  void theHappyPath() {
    Transition placed = machine.on(JobStatus.submitted(J, 2), new Placed(placement(1)));
    assertThat(placed.status()).isEqualTo(new JobStatus(J, JobState.STARTING, 1, 2));
    assertThat(placed.effects())
        .containsExactly(
            new SendStart(J, 1, placement(1)), new RecordLedger(J, 1, LedgerEntry.ATTEMPT_STARTED));
    Transition started = machine.on(placed.status(), new Started(1));
    assertThat(started.state()).isEqualTo(JobState.RUNNING);
    Transition done = machine.on(started.status(), new Exited(1, 0));
    assertThat(done.state()).isEqualTo(JobState.SUCCEEDED);
    assertThat(done.effects())
        .containsExactly(
            new ReleaseResources(J, 1), new RecordLedger(J, 1, LedgerEntry.JOB_SUCCEEDED));
  }

  @Test
  void preemptionCheckpointsThenRequeuesWithoutUsingARetry() {
    Transition ask =
        machine.on(
            at(JobState.RUNNING, 3),
            new CheckpointRequested(3, CheckpointRequest.Reason.PREEMPTION));
    assertThat(ask.state()).isEqualTo(JobState.CHECKPOINTING);
    assertThat(ask.effects())
        .containsExactly(new SendCheckpoint(J, 3, CheckpointRequest.Reason.PREEMPTION));
    Transition committed = machine.on(ask.status(), new CheckpointCommitted(3, T));
    assertThat(committed.status()).isEqualTo(new JobStatus(J, JobState.PENDING, 3, 2));
    assertThat(committed.effects()).contains(new Requeue(J, 3, true), new ReleaseResources(J, 3));
  }

  @Test
  void aStopForAJobThatCannotCheckpointSendsStop() {
    Transition stop = machine.on(at(JobState.RUNNING, 1), new StopRequested(1, "preempted"));
    assertThat(stop.state()).isEqualTo(JobState.CHECKPOINTING);
    assertThat(stop.effects()).containsExactly(new SendStop(J, 1, "preempted"));
    assertThat(machine.on(stop.status(), new Exited(1, 137)).state()).isEqualTo(JobState.PENDING);
  }

  @Test
  void aLostNodeSendsTheJobBackThroughLost() {
    Transition lost = machine.on(at(JobState.RUNNING, 2), new NodeLost(2));
    assertThat(lost.state()).isEqualTo(JobState.LOST);
    assertThat(lost.effects()).contains(new RecordLedger(J, 2, LedgerEntry.ATTEMPT_LOST));
    Transition back = machine.on(lost.status(), new JobEvent.Requeue());
    assertThat(back.state()).isEqualTo(JobState.PENDING);
    assertThat(back.effects()).containsExactly(new Requeue(J, 2, true));
    assertThat(machine.on(back.status(), new Placed(placement(3))).state())
        .isEqualTo(JobState.STARTING);
  }

  @Test
  void failuresRetryUntilRetriesRunOut() {
    Transition first = machine.on(new JobStatus(J, JobState.RUNNING, 1, 1), new Exited(1, 2));
    assertThat(first.status()).isEqualTo(new JobStatus(J, JobState.PENDING, 1, 0));
    Transition started = machine.on(first.status(), new Placed(placement(2)));
    Transition second = machine.on(started.status(), new StartFailed(2, "image"));
    assertThat(second.state()).isEqualTo(JobState.FAILED);
    assertThat(second.effects()).contains(new RecordLedger(J, 2, LedgerEntry.JOB_FAILED));
  }

  @Test
  void holdAndReleaseToggleAndAreIdempotent() {
    Transition held = machine.on(at(JobState.PENDING, 0), new Hold("off-peak"));
    assertThat(held.state()).isEqualTo(JobState.HELD);
    assertThat(machine.on(held.status(), new Hold("again")).ignored()).isTrue();
    assertThat(machine.on(held.status(), new Release()).state()).isEqualTo(JobState.PENDING);
    assertThat(machine.on(at(JobState.PENDING, 0), new Release()).ignored()).isTrue();
  }

  @Test
  void cancellingARunningJobStopsIt() {
    Transition t = machine.on(at(JobState.RUNNING, 1), new Cancel());
    assertThat(t.state()).isEqualTo(JobState.CANCELLED);
    assertThat(t.effects().get(0)).isEqualTo(new SendStop(J, 1, "cancelled"));
    // Its exit arrives afterwards and changes nothing.
    assertThat(machine.on(t.status(), new Exited(1, 143)).ignored()).isTrue();
  }

  static Stream<Arguments> staleEvents() {
    return Stream.of(
        Arguments.of(JobState.RUNNING, new Exited(1, 0)),
        Arguments.of(JobState.RUNNING, new Started(1)),
        Arguments.of(JobState.RUNNING, new NodeLost(1)),
        Arguments.of(JobState.STARTING, new CheckpointCommitted(1, T)),
        Arguments.of(JobState.PENDING, new StartFailed(1, "late")),
        Arguments.of(JobState.STARTING, new Placed(placement(2))));
  }

  @ParameterizedTest
  @MethodSource("staleEvents")
  void eventsOfAnOlderAttemptAreIgnored(JobState state, JobEvent event) {
    JobStatus current = at(state, 2);
    Transition t = machine.on(current, event);
    assertThat(t.ignored()).isTrue();
    assertThat(t.status()).isEqualTo(current);
    assertThat(t.effects()).isEmpty();
  }

  static Stream<Arguments> illegalEvents() {
    return Stream.of(
        // A job never runs twice at once.
        Arguments.of(at(JobState.RUNNING, 1), new Placed(placement(2))),
        // Attempts are numbered one by one.
        Arguments.of(at(JobState.PENDING, 1), new Placed(placement(3))),
        // News from an attempt that was never placed.
        Arguments.of(at(JobState.RUNNING, 1), new Exited(2, 0)),
        Arguments.of(at(JobState.PENDING, 1), new Started(1)),
        Arguments.of(at(JobState.HELD, 0), new Placed(placement(1))),
        Arguments.of(at(JobState.RUNNING, 1), new Hold("x")),
        Arguments.of(
            at(JobState.STARTING, 1),
            new CheckpointRequested(1, CheckpointRequest.Reason.PREEMPTION)),
        Arguments.of(at(JobState.SUCCEEDED, 1), new Cancel()),
        Arguments.of(at(JobState.PENDING, 1), new JobEvent.Requeue()),
        Arguments.of(at(JobState.PENDING, 1), new NodeLost(1)));
  }

  @ParameterizedTest
  @MethodSource("illegalEvents")
  void illegalTransitionsAreTypedErrors(JobStatus status, JobEvent event) {
    assertThatThrownBy(() -> machine.on(status, event))
        .isInstanceOfSatisfying(
            IllegalTransitionException.class,
            e -> {
              assertThat(e.status()).isEqualTo(status);
              assertThat(e.event()).isEqualTo(event);
            });
  }
}
