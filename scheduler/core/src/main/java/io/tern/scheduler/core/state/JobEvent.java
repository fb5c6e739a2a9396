package io.tern.scheduler.core.state;

import io.tern.scheduler.core.plan.CheckpointRequest;
import io.tern.scheduler.core.plan.Placement;
import java.time.Instant;
import java.util.Objects;

/**
 * Something that happened to a job. Events about an attempt carry its number, so that a report from
 * an older attempt (a slow agent, a previous leader) can be recognised and ignored.
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

  /** The agent could not start the attempt (bad image, missing GPU...). */
  record StartFailed(int attempt, String reason) implements JobEvent {}

  /** The attempt's process exited. */
  record Exited(int attempt, int exitCode) implements JobEvent {}

  /** Ask a running attempt to checkpoint and exit (preemption with a checkpoint, migration). */
  record CheckpointRequested(int attempt, CheckpointRequest.Reason reason) implements JobEvent {}

  /** Stop a running attempt that cannot checkpoint (its work since the start is lost). */
  record StopRequested(int attempt, String reason) implements JobEvent {}

  /** A checkpoint of the attempt was committed to the store. */
  record CheckpointCommitted(int attempt, Instant at) implements JobEvent {}

  /** The node running the attempt was lost. */
  record NodeLost(int attempt) implements JobEvent {}

  /** A lost job goes back to the queue. */
  record Requeue() implements JobEvent {
    @Override
    public int attempt() {
      return -1;
    }
  }

  /** Policy holds a pending job (off-peak wait, hard budget). */
  record Hold(String reason) implements JobEvent {
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

  /** The user cancelled the job. */
  record Cancel() implements JobEvent {
    @Override
    public int attempt() {
      return -1;
    }
  }
}
