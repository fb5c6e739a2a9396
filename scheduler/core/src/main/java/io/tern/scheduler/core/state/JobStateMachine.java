package io.tern.scheduler.core.state;

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
import java.util.ArrayList;
import java.util.List;

/**
 * The job lifecycle as a pure function: {@code on(status, event) → Transition(status', effects)}.
 * The live scheduler and the simulator both change a job's state only through it, and only execute
 * the effects it returns.
 *
 * <p>Rules:
 *
 * <ul>
 *   <li>A placement must be exactly the next attempt, and only of a queued job, so a job never runs
 *       twice at once; any other placement is stale and ignored.
 *   <li>News of an attempt other than the current one, or of an attempt that no longer holds
 *       resources, is ignored (a slow agent, a previous leader, a repeated report), with one
 *       exception: a success from an attempt that was given up as lost finishes the job (its work
 *       is done): a queued job ends SUCCEEDED at once, a rerun is stopped and the job ends
 *       SUCCEEDED when it has stopped (the original's outcome wins, as Nomad reconciles an
 *       allocation of a client that reconnects after it was replaced).
 *   <li>An attempt that ends after such a late success ends the job SUCCEEDED; one that ends after
 *       a cancel ends it CANCELLED, whatever ended it.
 *   <li>Only exits with a non-zero code and failed starts use up retries; preemption, reclaims,
 *       node loss and refusals requeue the job, resuming from its last committed checkpoint.
 *   <li>A job a user held is never placed, and only a user releases it; a user may hold only a
 *       queued job (PENDING, or HELD by policy). A user requeues a running job with {@link
 *       Interrupt}.
 *   <li>A job that has ended (SUCCEEDED, FAILED or CANCELLED) stays ended: no event moves it. It is
 *       no longer held by a user, and a user release applies only to a job a user held that is
 *       still HELD, so a release never brings an ended job back to the queue.
 *   <li>Redundant events (a hold while held, an interrupt while already interrupted) are ignored.
 * </ul>
 *
 * <p>Stateless and thread-safe.
 */
public final class JobStateMachine {

  public Transition on(JobStatus status, JobEvent event) {
    return switch (event) {
      case Placed e -> placed(status, e);
      case Hold e ->
          status.state() == JobState.PENDING
              ? Transition.to(status.to(JobState.HELD))
              : Transition.ignore(status);
      case Release e ->
          status.state() == JobState.HELD && !status.heldByUser()
              ? Transition.to(status.to(JobState.PENDING))
              : Transition.ignore(status);
      case UserHold e ->
          status.state().queued() && !status.heldByUser()
              ? Transition.to(status.heldByUser(JobState.HELD, true))
              : Transition.ignore(status);
      case UserRelease e ->
          status.state() == JobState.HELD && status.heldByUser()
              ? Transition.to(status.heldByUser(JobState.PENDING, false))
              : Transition.ignore(status);
      case Cancel e -> cancel(status, e);
      case Exited e when e.lostBefore() && e.exitCode() == 0 -> lateSuccess(status, e);
      default -> {
        if (event.attempt() != status.attempt() || !status.state().holdsResources()) {
          yield Transition.ignore(status);
        }
        yield attemptEvent(status, event);
      }
    };
  }

  private static Transition attemptEvent(JobStatus s, JobEvent event) {
    return switch (event) {
      case Started e ->
          s.state() == JobState.STARTING
              ? Transition.to(s.to(JobState.RUNNING))
              : Transition.ignore(s);
      case Exited e -> end(s, e.exitCode() == 0 ? Outcome.SUCCESS : Outcome.FAILURE);
      case StartFailed e -> end(s, Outcome.FAILURE);
      case Refused e -> end(s, Outcome.REQUEUE);
      case Checkpointed e -> end(s, Outcome.REQUEUE);
      case Stopped e -> end(s, Outcome.REQUEUE);
      case Lost e -> end(s, Outcome.REQUEUE);
      case Interrupt e -> interrupt(s, e);
      case Placed e -> throw new AssertionError("handled in on()");
      case Hold e -> throw new AssertionError("handled in on()");
      case Release e -> throw new AssertionError("handled in on()");
      case UserHold e -> throw new AssertionError("handled in on()");
      case UserRelease e -> throw new AssertionError("handled in on()");
      case Cancel e -> throw new AssertionError("handled in on()");
    };
  }

  private static Transition placed(JobStatus s, Placed e) {
    int next = e.placement().attempt();
    if (!s.state().queued() || s.heldByUser() || next != s.attempt() + 1) {
      return Transition.ignore(s);
    }
    JobStatus starting =
        new JobStatus(
            s.jobId(),
            JobState.STARTING,
            next,
            s.retriesLeft(),
            s.checkpointable(),
            false,
            false,
            false);
    return Transition.to(starting, new SendStart(s.jobId(), next, e.placement()));
  }

  private enum Outcome {
    SUCCESS,
    FAILURE,
    REQUEUE
  }

  /** The current attempt ended: the job goes back to the queue or ends, by {@code outcome}. */
  private static Transition end(JobStatus s, Outcome outcome) {
    JobState next;
    int retriesLeft = s.retriesLeft();
    if (s.finishedEarlier()) {
      next = JobState.SUCCEEDED;
    } else if (s.cancelRequested()) {
      next = JobState.CANCELLED;
    } else {
      next =
          switch (outcome) {
            case SUCCESS -> JobState.SUCCEEDED;
            case REQUEUE -> JobState.PENDING;
            case FAILURE -> retriesLeft > 0 ? JobState.PENDING : JobState.FAILED;
          };
      if (outcome == Outcome.FAILURE && retriesLeft > 0) {
        retriesLeft--;
      }
    }
    JobStatus ended = s.ended(next, retriesLeft);
    List<Effect> effects = new ArrayList<>(2);
    effects.add(new ReleaseResources(s.jobId(), s.attempt()));
    if (next == JobState.PENDING) {
      effects.add(new Requeue(s.jobId(), s.attempt()));
    }
    return new Transition(ended, effects, false);
  }

  private static Transition interrupt(JobStatus s, Interrupt e) {
    if (s.state() != JobState.RUNNING || s.stopping()) {
      return Transition.ignore(s);
    }
    if (e.checkpoint() && s.checkpointable()) {
      return Transition.to(
          s.to(JobState.CHECKPOINTING), new SendCheckpoint(s.jobId(), s.attempt(), e.reason()));
    }
    return Transition.to(s.withStopping(), new SendStop(s.jobId(), s.attempt(), e.reason()));
  }

  /**
   * A success reported by an attempt given up as lost: its work is done. A queued job ends
   * SUCCEEDED; a rerun that holds resources is stopped, and its end ends the job SUCCEEDED.
   */
  private static Transition lateSuccess(JobStatus s, Exited e) {
    if (s.state().terminal() || s.finishedEarlier() || e.attempt() > s.attempt()) {
      return Transition.ignore(s);
    }
    if (!s.state().holdsResources()) {
      return Transition.to(s.ended(JobState.SUCCEEDED, s.retriesLeft()));
    }
    return Transition.to(
        s.withFinishedEarlier(),
        new SendStop(
            s.jobId(),
            s.attempt(),
            "attempt " + e.attempt() + " already finished the job (its exit 0 was reported late)"));
  }

  private static Transition cancel(JobStatus s, Cancel e) {
    if (s.state().terminal() || s.cancelRequested()) {
      return Transition.ignore(s);
    }
    if (!s.state().holdsResources()) {
      return Transition.to(s.heldByUser(JobState.CANCELLED, false));
    }
    return Transition.to(s.withCancelRequested(), new SendStop(s.jobId(), s.attempt(), e.reason()));
  }
}
