package io.tern.scheduler.core.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.tern.scheduler.core.model.CapacityType;
import io.tern.scheduler.core.model.NodeAssignment;
import io.tern.scheduler.core.plan.Placement;
import io.tern.scheduler.core.state.Effect.ReleaseResources;
import io.tern.scheduler.core.state.Effect.Requeue;
import io.tern.scheduler.core.state.Effect.SendCheckpoint;
import io.tern.scheduler.core.state.Effect.SendStart;
import io.tern.scheduler.core.state.Effect.SendStop;
import io.tern.scheduler.core.state.JobEvent.Cancel;
import io.tern.scheduler.core.state.JobEvent.Checkpointed;
import io.tern.scheduler.core.state.JobEvent.Exited;
import io.tern.scheduler.core.state.JobEvent.Hold;
import io.tern.scheduler.core.state.JobEvent.Interrupt;
import io.tern.scheduler.core.state.JobEvent.Lost;
import io.tern.scheduler.core.state.JobEvent.Placed;
import io.tern.scheduler.core.state.JobEvent.Refused;
import io.tern.scheduler.core.state.JobEvent.Release;
import io.tern.scheduler.core.state.JobEvent.StartFailed;
import io.tern.scheduler.core.state.JobEvent.Started;
import io.tern.scheduler.core.state.JobEvent.Stopped;
import io.tern.scheduler.core.state.JobEvent.UserHold;
import io.tern.scheduler.core.state.JobEvent.UserRelease;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class JobStateMachineTest {
  private static final String J = "job-1";
  private final JobStateMachine machine = new JobStateMachine();

  private static Placement placement(int attempt) {
    return new Placement(
        J, attempt, List.of(new NodeAssignment("n1", List.of(0))), CapacityType.SPOT, false);
  }

  private static JobStatus at(JobState state, int attempt) {
    return new JobStatus(J, state, attempt, 2, true, false, false, false);
  }

  /** Applies {@code events} in order from a freshly submitted job with {@code retries}. */
  private JobStatus run(int retries, boolean checkpointable, JobEvent... events) {
    JobStatus s = JobStatus.submitted(J, retries, checkpointable);
    for (JobEvent e : events) {
      s = machine.on(s, e).status();
    }
    return s;
  }

  @Test
  void theHappyPath() {
    Transition placed = machine.on(JobStatus.submitted(J, 2, true), new Placed(placement(1)));
    assertThat(placed.status()).isEqualTo(at(JobState.STARTING, 1));
    assertThat(placed.effects()).containsExactly(new SendStart(J, 1, placement(1)));
    Transition started = machine.on(placed.status(), new Started(1));
    assertThat(started.state()).isEqualTo(JobState.RUNNING);
    Transition done = machine.on(started.status(), new Exited(1, 0));
    assertThat(done.state()).isEqualTo(JobState.SUCCEEDED);
    assertThat(done.effects()).containsExactly(new ReleaseResources(J, 1));
  }

  @Test
  void aPlacementMustBeTheNextAttemptOfAQueuedJob() {
    assertThat(machine.on(at(JobState.RUNNING, 1), new Placed(placement(2))).ignored()).isTrue();
    assertThat(machine.on(at(JobState.PENDING, 1), new Placed(placement(3))).ignored()).isTrue();
    assertThat(machine.on(at(JobState.PENDING, 1), new Placed(placement(1))).ignored()).isTrue();
    assertThat(machine.on(at(JobState.HELD, 1), new Placed(placement(2))).state())
        .isEqualTo(JobState.STARTING);
  }

  @Test
  void failuresUseRetriesThenFail() {
    JobStatus s =
        run(
            1,
            false,
            new Placed(placement(1)),
            new Started(1),
            new Exited(1, 3),
            new Placed(placement(2)),
            new StartFailed(2));
    assertThat(s.state()).isEqualTo(JobState.FAILED);
    assertThat(s.attempt()).isEqualTo(2);
    assertThat(s.retriesLeft()).isZero();
  }

  @Test
  void preemptionAndLossDoNotUseRetries() {
    JobStatus s =
        run(
            0,
            true,
            new Placed(placement(1)),
            new Started(1),
            new Interrupt(1, true, "preempted"),
            new Checkpointed(1),
            new Placed(placement(2)),
            new Lost(2),
            new Placed(placement(3)),
            new Refused(3));
    assertThat(s).isEqualTo(new JobStatus(J, JobState.PENDING, 3, 0, true, false, false, false));
  }

  @Test
  void anInterruptCheckpointsACheckpointableJobAndStopsAnotherOnce() {
    Transition checkpoint = machine.on(at(JobState.RUNNING, 1), new Interrupt(1, true, "reclaim"));
    assertThat(checkpoint.state()).isEqualTo(JobState.CHECKPOINTING);
    assertThat(checkpoint.effects()).containsExactly(new SendCheckpoint(J, 1, "reclaim"));

    JobStatus plain = new JobStatus(J, JobState.RUNNING, 1, 2, false, false, false, false);
    Transition stop = machine.on(plain, new Interrupt(1, true, "reclaim"));
    assertThat(stop.state()).isEqualTo(JobState.RUNNING);
    assertThat(stop.status().stopping()).isTrue();
    assertThat(stop.effects()).containsExactly(new SendStop(J, 1, "reclaim"));
    assertThat(machine.on(stop.status(), new Interrupt(1, true, "again")).ignored()).isTrue();
    Transition stopped = machine.on(stop.status(), new Stopped(1));
    assertThat(stopped.status())
        .isEqualTo(new JobStatus(J, JobState.PENDING, 1, 2, false, false, false, false));
    assertThat(stopped.effects()).containsExactly(new ReleaseResources(J, 1), new Requeue(J, 1));
  }

  @Test
  void aCancelWhileCheckpointingEndsCancelledWhateverEndsTheAttempt() {
    Transition cancel = machine.on(at(JobState.CHECKPOINTING, 1), new Cancel("cancelled"));
    assertThat(cancel.state()).isEqualTo(JobState.CHECKPOINTING);
    assertThat(cancel.effects()).containsExactly(new SendStop(J, 1, "cancelled"));
    assertThat(machine.on(cancel.status(), new Checkpointed(1)).state())
        .isEqualTo(JobState.CANCELLED);
    assertThat(machine.on(cancel.status(), new Exited(1, 0)).state()).isEqualTo(JobState.CANCELLED);
    assertThat(machine.on(cancel.status(), new Lost(1)).state()).isEqualTo(JobState.CANCELLED);
    assertThat(machine.on(cancel.status(), new Cancel("again")).ignored()).isTrue();
  }

  @Test
  void aQueuedJobIsCancelledAtOnce() {
    Transition t = machine.on(at(JobState.HELD, 0), new Cancel("cancelled"));
    assertThat(t.state()).isEqualTo(JobState.CANCELLED);
    assertThat(t.effects()).isEmpty();
  }

  static Stream<Arguments> staleNews() {
    return Stream.of(
        Arguments.of(at(JobState.RUNNING, 2), new Exited(1, 0)),
        Arguments.of(at(JobState.RUNNING, 2), new Exited(1, 1)),
        Arguments.of(at(JobState.RUNNING, 2), new Exited(3, 1)),
        Arguments.of(at(JobState.PENDING, 1), new Exited(1, 1)),
        Arguments.of(at(JobState.PENDING, 1), new Started(1)),
        Arguments.of(at(JobState.SUCCEEDED, 1), new Lost(1)),
        Arguments.of(at(JobState.CANCELLED, 1), new Exited(1, 0, true)),
        Arguments.of(at(JobState.RUNNING, 1), new Started(1)),
        Arguments.of(at(JobState.STARTING, 1), new Interrupt(1, true, "too early")),
        Arguments.of(at(JobState.RUNNING, 1), new Hold()),
        Arguments.of(at(JobState.PENDING, 1), new Release()),
        Arguments.of(at(JobState.RUNNING, 1), new UserHold()),
        Arguments.of(at(JobState.STARTING, 1), new UserHold()),
        Arguments.of(at(JobState.FAILED, 1), new UserHold()),
        Arguments.of(at(JobState.HELD, 1), new UserRelease()),
        Arguments.of(at(JobState.PENDING, 1), new UserRelease()));
  }

  @ParameterizedTest
  @MethodSource("staleNews")
  void staleOrRedundantNewsChangesNothing(JobStatus before, JobEvent event) {
    Transition t = machine.on(before, event);
    assertThat(t.ignored()).isTrue();
    assertThat(t.status()).isEqualTo(before);
    assertThat(t.effects()).isEmpty();
  }

  @Test
  void holdsComeAndGoWhileQueued() {
    JobStatus held = machine.on(at(JobState.PENDING, 0), new Hold()).status();
    assertThat(held.state()).isEqualTo(JobState.HELD);
    assertThat(machine.on(held, new Release()).state()).isEqualTo(JobState.PENDING);
  }

  @Test
  void aJobAUserHeldIsNeitherPlacedNorReleasedByPolicyUntilAUserReleasesIt() {
    JobStatus policyHeld = machine.on(at(JobState.PENDING, 1), new Hold()).status();
    JobStatus held = machine.on(policyHeld, new UserHold()).status();

    assertThat(held.state()).isEqualTo(JobState.HELD);
    assertThat(held.heldByUser()).isTrue();
    assertThat(machine.on(held, new UserHold()).ignored()).as("held twice").isTrue();
    assertThat(machine.on(held, new Release()).ignored()).as("a policy release").isTrue();
    assertThat(machine.on(held, new Placed(placement(2))).ignored()).as("a placement").isTrue();
    assertThat(machine.on(held, new Cancel("no")).state()).isEqualTo(JobState.CANCELLED);

    Transition released = machine.on(held, new UserRelease());
    assertThat(released.state()).isEqualTo(JobState.PENDING);
    assertThat(released.status().heldByUser()).isFalse();
    assertThat(released.effects()).isEmpty();
    assertThat(machine.on(released.status(), new Placed(placement(2))).state())
        .isEqualTo(JobState.STARTING);
  }

  @Test
  void aJobAUserHeldThenCancelledStaysCancelledWhenReleased() {
    JobStatus cancelled = run(0, false, new UserHold(), new Cancel("no"));

    assertThat(cancelled.state()).isEqualTo(JobState.CANCELLED);
    assertThat(cancelled.heldByUser()).as("no longer held once ended").isFalse();
    assertThat(machine.on(cancelled, new UserRelease()).ignored()).isTrue();
    assertThat(run(0, false, new UserHold(), new Cancel("no"), new UserRelease()).state())
        .isEqualTo(JobState.CANCELLED);
  }

  @Test
  void aJobAUserHeldThatALateSuccessEndedStaysSucceededWhenReleased() {
    JobStatus heldAfterLoss =
        new JobStatus(J, JobState.HELD, 1, 0, false, false, false, false, true);
    JobStatus succeeded = machine.on(heldAfterLoss, new Exited(1, 0, true)).status();

    assertThat(succeeded.state()).isEqualTo(JobState.SUCCEEDED);
    assertThat(succeeded.heldByUser()).isFalse();
    assertThat(machine.on(succeeded, new UserRelease()).ignored()).isTrue();
  }

  /** Every event there is, about attempt {@code attempt} where it names one. */
  private static List<JobEvent> everyEvent(int attempt) {
    return List.of(
        new Placed(placement(attempt)),
        new Placed(placement(attempt + 1)),
        new Started(attempt),
        new StartFailed(attempt),
        new Refused(attempt),
        new Exited(attempt, 0),
        new Exited(attempt, 1),
        new Exited(attempt, 0, true),
        new Checkpointed(attempt),
        new Stopped(attempt),
        new Lost(attempt),
        new Interrupt(attempt, true, "x"),
        new Hold(),
        new Release(),
        new UserHold(),
        new UserRelease(),
        new Cancel("x"));
  }

  /**
   * An ended job is final: whatever marks it carries (one a user held, whose cancel arrived while
   * it ran, as stored by an older scheduler), no event moves it out of SUCCEEDED, FAILED or
   * CANCELLED.
   */
  @Test
  void noEventMovesAJobOutOfATerminalState() {
    for (JobState state : JobState.values()) {
      if (!state.terminal()) {
        continue;
      }
      for (int marks = 0; marks < 16; marks++) {
        JobStatus ended =
            new JobStatus(
                J,
                state,
                1,
                1,
                true,
                (marks & 1) != 0,
                (marks & 2) != 0,
                (marks & 4) != 0,
                (marks & 8) != 0);
        for (JobEvent event : everyEvent(1)) {
          assertThat(machine.on(ended, event).ignored()).as("%s on %s", event, ended).isTrue();
        }
      }
    }
  }

  @Test
  void aUserRequeuesARunningJobWithAnInterruptThatUsesNoRetry() {
    JobStatus requeued =
        run(
            0,
            true,
            new Placed(placement(1)),
            new Started(1),
            new Interrupt(1, true, "requeued by alice"),
            new Checkpointed(1));

    assertThat(requeued.state()).isEqualTo(JobState.PENDING);
    assertThat(requeued.retriesLeft()).isZero();
    assertThat(requeued.attempt()).isEqualTo(1);
  }

  @Test
  void aLateSuccessOfALostAttemptStopsItsRerunAndEndsTheJobSucceeded() {
    Transition t = machine.on(at(JobState.RUNNING, 2), new Exited(1, 0, true));
    assertThat(t.state()).isEqualTo(JobState.RUNNING);
    assertThat(t.status().finishedEarlier()).isTrue();
    assertThat(t.effects())
        .containsExactly(
            new SendStop(
                J, 2, "attempt 1 already finished the job (its exit 0 was reported late)"));
    assertThat(machine.on(t.status(), new Exited(1, 0, true)).ignored()).isTrue();
    Transition stopped = machine.on(t.status(), new Stopped(2));
    assertThat(stopped.state()).isEqualTo(JobState.SUCCEEDED);
    assertThat(stopped.effects()).containsExactly(new ReleaseResources(J, 2));

    Transition queued = machine.on(at(JobState.PENDING, 1), new Exited(1, 0, true));
    assertThat(queued.state()).isEqualTo(JobState.SUCCEEDED);
    assertThat(queued.effects()).isEmpty();
  }
}
