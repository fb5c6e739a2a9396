package io.tern.scheduler.core.state;

import io.tern.scheduler.core.plan.Placement;

/**
 * What the caller must do after a transition, as data, executed in list order. The core never
 * performs them itself.
 */
public sealed interface Effect {

  /** Tell the agents to start the attempt on the placed GPUs. */
  record SendStart(String jobId, int attempt, Placement placement) implements Effect {}

  /** Tell the agents to make the attempt checkpoint and exit. */
  record SendCheckpoint(String jobId, int attempt, String reason) implements Effect {}

  /** Tell the agents to stop the attempt. */
  record SendStop(String jobId, int attempt, String reason) implements Effect {}

  /** The attempt ended: its GPUs are free again (and a gang's other members must stop). */
  record ReleaseResources(String jobId, int attempt) implements Effect {}

  /** The job is back in the queue and resumes from its last committed checkpoint. */
  record Requeue(String jobId, int previousAttempt) implements Effect {}
}
