package io.tern.scheduler.core.state;

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

/**
 * The job lifecycle as a pure function: {@code on(status, event) → Transition(status', effects)}.
 *
 * <p>Rules: an event about an older attempt is ignored (a slow agent or an old leader); an event
 * about an attempt that was never placed is illegal; a placement must be exactly the next attempt,
 * and only from PENDING, so a job never runs twice at once. Preemption and node loss are not
 * failures and do not use up retries. Redundant events (a hold while held, a release while not
 * held) are ignored. Anything else not in the table throws {@link IllegalTransitionException}.
 *
 * <p>Stateless and thread-safe.
 */
public final class JobStateMachine {

  public Transition on(JobStatus status, JobEvent event) {
    if (event instanceof Placed placed) {
      return placed(status, placed);
    }
    int attempt = event.attempt();
    if (attempt >= 0) {
      if (attempt < status.attempt()) {
        return Transition.ignore(status);
      }
      if (attempt > status.attempt()) {
        throw new IllegalTransitionException(status, event);
      }
      if (status.state().terminal()) {
        // Late news about the attempt that already ended the job (e.g. its exit after a cancel).
        return Transition.ignore(status);
      }
    }
    return switch (event) {
      case Started e -> started(status, e);
      case StartFailed e -> startFailed(status, e);
      case Exited e -> exited(status, e);
      case CheckpointRequested e -> checkpointRequested(status, e);
      case StopRequested e -> stopRequested(status, e);
      case CheckpointCommitted e -> checkpointCommitted(status, e);
      case NodeLost e -> nodeLost(status, e);
      case JobEvent.Requeue e -> requeue(status, e);
      case Hold e -> hold(status, e);
      case Release e -> release(status, e);
      case Cancel e -> cancel(status, e);
      case Placed e -> placed(status, e);
    };
  }

  private static Transition placed(JobStatus s, Placed e) {
    int next = e.placement().attempt();
    if (next <= s.attempt()) {
      return Transition.ignore(s);
    }
    if (s.state() != JobState.PENDING || next != s.attempt() + 1) {
      throw new IllegalTransitionException(s, e);
    }
    JobStatus started = new JobStatus(s.jobId(), JobState.STARTING, next, s.retriesLeft());
    return Transition.to(
        started,
        new SendStart(s.jobId(), next, e.placement()),
        new RecordLedger(s.jobId(), next, LedgerEntry.ATTEMPT_STARTED));
  }

  private static Transition started(JobStatus s, Started e) {
    return switch (s.state()) {
      case STARTING -> Transition.to(s.to(JobState.RUNNING));
      case RUNNING, CHECKPOINTING, LOST -> Transition.ignore(s);
      default -> throw new IllegalTransitionException(s, e);
    };
  }

  private static Transition startFailed(JobStatus s, StartFailed e) {
    if (s.state() != JobState.STARTING) {
      throw new IllegalTransitionException(s, e);
    }
    return failedAttempt(s);
  }

  private static Transition exited(JobStatus s, Exited e) {
    return switch (s.state()) {
      case STARTING, RUNNING ->
          e.exitCode() == 0
              ? Transition.to(
                  s.to(JobState.SUCCEEDED),
                  new ReleaseResources(s.jobId(), s.attempt()),
                  new RecordLedger(s.jobId(), s.attempt(), LedgerEntry.JOB_SUCCEEDED))
              : failedAttempt(s);
      // Asked to stop: whatever the exit code, it goes back to the queue, resuming from its last
      // committed checkpoint; being preempted is not a failure.
      case CHECKPOINTING ->
          Transition.to(
              s.to(JobState.PENDING),
              new ReleaseResources(s.jobId(), s.attempt()),
              new RecordLedger(s.jobId(), s.attempt(), LedgerEntry.ATTEMPT_PREEMPTED),
              new Requeue(s.jobId(), s.attempt(), true));
      case LOST -> Transition.ignore(s);
      default -> throw new IllegalTransitionException(s, e);
    };
  }

  private static Transition failedAttempt(JobStatus s) {
    if (s.retriesLeft() > 0) {
      JobStatus retry =
          new JobStatus(s.jobId(), JobState.PENDING, s.attempt(), s.retriesLeft() - 1);
      return Transition.to(
          retry,
          new ReleaseResources(s.jobId(), s.attempt()),
          new RecordLedger(s.jobId(), s.attempt(), LedgerEntry.ATTEMPT_FAILED),
          new Requeue(s.jobId(), s.attempt(), true));
    }
    return Transition.to(
        s.to(JobState.FAILED),
        new ReleaseResources(s.jobId(), s.attempt()),
        new RecordLedger(s.jobId(), s.attempt(), LedgerEntry.JOB_FAILED));
  }

  private static Transition checkpointRequested(JobStatus s, CheckpointRequested e) {
    return switch (s.state()) {
      case RUNNING ->
          Transition.to(
              s.to(JobState.CHECKPOINTING), new SendCheckpoint(s.jobId(), s.attempt(), e.reason()));
      case CHECKPOINTING -> Transition.ignore(s);
      default -> throw new IllegalTransitionException(s, e);
    };
  }

  private static Transition stopRequested(JobStatus s, StopRequested e) {
    return switch (s.state()) {
      case STARTING, RUNNING ->
          Transition.to(
              s.to(JobState.CHECKPOINTING), new SendStop(s.jobId(), s.attempt(), e.reason()));
      case CHECKPOINTING -> Transition.ignore(s);
      default -> throw new IllegalTransitionException(s, e);
    };
  }

  private static Transition checkpointCommitted(JobStatus s, CheckpointCommitted e) {
    return switch (s.state()) {
      // A periodic checkpoint: recorded, nothing else changes.
      case RUNNING ->
          Transition.to(
              s, new RecordLedger(s.jobId(), s.attempt(), LedgerEntry.CHECKPOINT_COMMITTED));
      // The checkpoint we asked for; the attempt is done and resumes elsewhere.
      case CHECKPOINTING ->
          Transition.to(
              s.to(JobState.PENDING),
              new RecordLedger(s.jobId(), s.attempt(), LedgerEntry.CHECKPOINT_COMMITTED),
              new ReleaseResources(s.jobId(), s.attempt()),
              new RecordLedger(s.jobId(), s.attempt(), LedgerEntry.ATTEMPT_PREEMPTED),
              new Requeue(s.jobId(), s.attempt(), true));
      // Committed by the agent after the node was declared lost, or after the job moved on: the
      // store has it; the next attempt will find it.
      case LOST, PENDING, HELD -> Transition.ignore(s);
      default -> throw new IllegalTransitionException(s, e);
    };
  }

  private static Transition nodeLost(JobStatus s, NodeLost e) {
    if (!s.state().holdsResources()) {
      if (s.state() == JobState.LOST) {
        return Transition.ignore(s);
      }
      throw new IllegalTransitionException(s, e);
    }
    return Transition.to(
        s.to(JobState.LOST),
        new ReleaseResources(s.jobId(), s.attempt()),
        new RecordLedger(s.jobId(), s.attempt(), LedgerEntry.ATTEMPT_LOST));
  }

  private static Transition requeue(JobStatus s, JobEvent.Requeue e) {
    if (s.state() != JobState.LOST) {
      throw new IllegalTransitionException(s, e);
    }
    return Transition.to(s.to(JobState.PENDING), new Requeue(s.jobId(), s.attempt(), true));
  }

  private static Transition hold(JobStatus s, Hold e) {
    return switch (s.state()) {
      case PENDING -> Transition.to(s.to(JobState.HELD));
      case HELD -> Transition.ignore(s);
      default -> throw new IllegalTransitionException(s, e);
    };
  }

  private static Transition release(JobStatus s, Release e) {
    return switch (s.state()) {
      case HELD -> Transition.to(s.to(JobState.PENDING));
      case PENDING -> Transition.ignore(s);
      default -> throw new IllegalTransitionException(s, e);
    };
  }

  private static Transition cancel(JobStatus s, Cancel e) {
    return switch (s.state()) {
      case PENDING, HELD, LOST ->
          Transition.to(
              s.to(JobState.CANCELLED),
              new RecordLedger(s.jobId(), s.attempt(), LedgerEntry.JOB_CANCELLED));
      case STARTING, RUNNING, CHECKPOINTING ->
          Transition.to(
              s.to(JobState.CANCELLED),
              new SendStop(s.jobId(), s.attempt(), "cancelled"),
              new ReleaseResources(s.jobId(), s.attempt()),
              new RecordLedger(s.jobId(), s.attempt(), LedgerEntry.JOB_CANCELLED));
      case SUCCEEDED, FAILED, CANCELLED -> throw new IllegalTransitionException(s, e);
    };
  }
}
