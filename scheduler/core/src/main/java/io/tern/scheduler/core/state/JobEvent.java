package io.tern.scheduler.core.state;

import io.tern.scheduler.core.plan.Placement;
import java.util.Objects;

/**
 * Something that happened to a job. Events about an attempt carry its number, so that a report from
 * an older attempt (a slow agent, a previous leader) can be recognised.
 */
public sealed interface JobEvent {

  /** The attempt the event is about, or -1 for events that are not about an attempt. */
  int attempt();

  /** The plan placed the job: attempt {@code placement.attempt()} starts. */
  record Placed(Placement placement) implements JobEvent {
    public Placed {
      Objects.requireNonNull(placement, "placement");
    }

    @Override
    public int attempt() {
      return placement.attempt();
    }
  }

  /** The agent reports the attempt's process is running. */
  record Started(int attempt) implements JobEvent {}

  /** The agent could not start the attempt (bad command, missing GPU...): a failed attempt. */
  record StartFailed(int attempt) implements JobEvent {}

  /** The agent refused the attempt (its node is shutting down): not the job's fault. */
  record Refused(int attempt) implements JobEvent {}

  /**
   * The attempt's process exited with {@code exitCode}.
   *
   * @param lostBefore the attempt had already been given up as lost (its node stopped answering)
   *     when it exited: only a success counts then, since the work it reports is done
   */
  record Exited(int attempt, int exitCode, boolean lostBefore) implements JobEvent {
    public Exited(int attempt, int exitCode) {
      this(attempt, exitCode, false);
    }
  }

  /** The attempt wrote the checkpoint it was asked for and exited. */
  record Checkpointed(int attempt) implements JobEvent {}

  /** The attempt was stopped as asked. */
  record Stopped(int attempt) implements JobEvent {}

  /**
   * The attempt is gone without a word from it: its node was lost or reclaimed, its agent came back
   * without it, or it never started. It resumes from its last committed checkpoint.
   */
  record Lost(int attempt) implements JobEvent {}

  /**
   * Interrupt a running attempt (preemption, spot notice, migration): with {@code checkpoint} and a
   * checkpointable job, it checkpoints and exits; otherwise it is stopped and loses its work since
   * its last checkpoint.
   */
  record Interrupt(int attempt, boolean checkpoint, String reason) implements JobEvent {}

  /** Policy holds a pending job (off-peak wait, hard budget). */
  record Hold() implements JobEvent {
    @Override
    public int attempt() {
      return -1;
    }
  }

  /** The hold no longer applies. */
  record Release() implements JobEvent {
    @Override
    public int attempt() {
      return -1;
    }
  }

  /**
   * A user holds a queued job ({@code tern hold}): it stays HELD until {@link UserRelease},
   * whatever policy says. A job that has started or ended cannot be held.
   */
  record UserHold() implements JobEvent {
    @Override
    public int attempt() {
      return -1;
    }
  }

  /** A user releases a job a user held: it queues again, and policy may hold it once more. */
  record UserRelease() implements JobEvent {
    @Override
    public int attempt() {
      return -1;
    }
  }

  /** The user cancelled the job. */
  record Cancel(String reason) implements JobEvent {
    @Override
    public int attempt() {
      return -1;
    }
  }
}
