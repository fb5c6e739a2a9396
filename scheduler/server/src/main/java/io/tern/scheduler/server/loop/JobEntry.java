package io.tern.scheduler.server.loop;

import io.tern.api.v1.Attempt;
import io.tern.api.v1.Job;
import io.tern.api.v1.JobState;
import io.tern.scheduler.core.explain.Explanation;
import io.tern.scheduler.core.explain.PendingReason;
import io.tern.scheduler.core.model.Allocation;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A job in the leader's memory with the version its znode will have once every write queued for it
 * has committed. Confined to the scheduler loop thread.
 */
final class JobEntry {
  Job job;
  int version;
  private io.tern.scheduler.core.model.Job core;
  private int coreVersion = -1;
  private Allocation allocation;
  private int allocationVersion = -1;
  private boolean allocationStopping;

  /** Why the job was still pending after plan number {@link #explainedBy}. */
  private Explanation explanation;

  /** The canonical instance of {@code explanation}'s reasons (see {@link Planner}). */
  private List<PendingReason> reasons;

  /** What the job's ended attempts cost, for the core's view, as of {@code spentVersion}. */
  private double spentUsd;

  private int spentVersion = -1;

  private Instant holdUntil;

  /** Which parents the job waits for ("waiting for job-000001"), as of the last plan; or null. */
  String waitingFor;

  private long explainedBy = -1;

  JobEntry(Job job, int version) {
    this.job = job;
    this.version = version;
  }

  /**
   * The job as the core sees it, rebuilt only when the stored job changed (every change goes
   * through a versioned save), so a plan over 100,000 queued jobs does not convert them all again.
   */
  io.tern.scheduler.core.model.Job coreJob() {
    if (coreVersion != version) {
      core = CoreSnapshots.job(job).toBuilder().spentUsd(spentUsd).build();
      coreVersion = version;
    }
    return core;
  }

  /**
   * Reads what the job's ended attempts cost from {@code ledger} (before each plan), once per
   * version of the job: the ledger books an attempt's end in the same save that changes the job.
   */
  void refreshSpent(io.tern.scheduler.server.finops.CostLedger ledger) {
    if (spentVersion != version) {
      spent(ledger.endedAttemptsCostUsd(job.getId()));
      spentVersion = version;
    }
  }

  /** Sets what the job's ended attempts cost; the core's views are rebuilt if it changed. */
  void spent(double usd) {
    if (usd != spentUsd) {
      spentUsd = Math.max(0, usd);
      coreVersion = -1;
      allocationVersion = -1;
    }
  }

  /**
   * The current attempt as the core sees it ({@code stopping}: a stop was sent), rebuilt only when
   * the stored job or the stopping mark changed. The core recognises allocations it saw in its last
   * plan by identity and then reads nothing more of them.
   */
  Allocation coreAllocation(boolean stopping) {
    if (allocationVersion != version || allocationStopping != stopping) {
      allocation = CoreSnapshots.allocation(this, stopping);
      allocationVersion = version;
      allocationStopping = stopping;
    }
    return allocation;
  }

  /** Why the job was still pending after plan number {@code plan}, or null if it was not. */
  Explanation explanation(long plan) {
    return explainedBy == plan ? explanation : null;
  }

  /**
   * Records why plan number {@code plan} left the job pending.
   *
   * @param canonicalReasons one instance per distinct list of reasons, so that comparing with the
   *     previous plan's is an identity check that touches no older object
   * @return whether the previous plan left it pending for the same reasons
   */
  boolean explain(Explanation why, List<PendingReason> canonicalReasons, long plan) {
    boolean same =
        explainedBy == plan - 1
            && reasons == canonicalReasons
            && Objects.equals(holdUntil, why.holdUntil());
    explanation = why;
    reasons = canonicalReasons;
    holdUntil = why.holdUntil();
    explainedBy = plan;
    return same;
  }

  String id() {
    return job.getId();
  }

  JobState state() {
    return job.getState();
  }

  Optional<Attempt> currentAttempt() {
    return job.getAttemptsCount() == 0
        ? Optional.empty()
        : Optional.of(job.getAttempts(job.getAttemptsCount() - 1));
  }

  int attemptNumber() {
    return currentAttempt().map(Attempt::getNumber).orElse(0);
  }

  /** STARTING, RUNNING or CHECKPOINTING: its current attempt holds GPUs. */
  boolean holdsGpus() {
    return switch (job.getState()) {
      case JOB_STATE_STARTING, JOB_STATE_RUNNING, JOB_STATE_CHECKPOINTING -> true;
      default -> false;
    };
  }

  boolean queued() {
    return job.getState() == JobState.JOB_STATE_PENDING
        || job.getState() == JobState.JOB_STATE_HELD;
  }

  /** Queued and not held by a user: the planner considers it. */
  boolean plannable() {
    return queued() && !job.getHeldByUser();
  }

  boolean finished() {
    return switch (job.getState()) {
      case JOB_STATE_SUCCEEDED, JOB_STATE_FAILED, JOB_STATE_CANCELLED -> true;
      default -> false;
    };
  }
}
