package io.tern.scheduler.core.state;

import io.tern.scheduler.core.plan.CheckpointRequest;
import io.tern.scheduler.core.plan.Placement;

/**
 * What the caller must do after a transition, as data, executed in list order. The core never
 * performs them itself.
 */
public sealed interface Effect {

  /** Tell the agents to start the attempt on the placed GPUs. */
  record SendStart(String jobId, int attempt, Placement placement) implements Effect {}

  /** Tell the agent to make the attempt checkpoint and exit. */
  record SendCheckpoint(String jobId, int attempt, CheckpointRequest.Reason reason)
      implements Effect {}

  /** Tell the agent to stop the attempt. */
  record SendStop(String jobId, int attempt, String reason) implements Effect {}

  /** Put the job back in the queue; {@code resume} when it should resume from its checkpoint. */
  record Requeue(String jobId, int previousAttempt, boolean resume) implements Effect {}

  /** The attempt's GPUs are free again. */
  record ReleaseResources(String jobId, int attempt) implements Effect {}

  /** Write a ledger entry (cost, work lost, outcome). */
  record RecordLedger(String jobId, int attempt, LedgerEntry entry) implements Effect {}

  /** Ledger entry kinds. */
  enum LedgerEntry {
    ATTEMPT_STARTED,
    CHECKPOINT_COMMITTED,
    ATTEMPT_PREEMPTED,
    ATTEMPT_LOST,
    ATTEMPT_FAILED,
    JOB_SUCCEEDED,
    JOB_FAILED,
    JOB_CANCELLED
  }
}
