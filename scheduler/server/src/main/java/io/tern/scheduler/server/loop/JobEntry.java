package io.tern.scheduler.server.loop;

import io.tern.api.v1.Attempt;
import io.tern.api.v1.Job;
import io.tern.api.v1.JobState;
import io.tern.scheduler.core.model.Allocation;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
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

  /** What the job's ended attempts cost, for the core's view, as of {@code spentVersion}. */
  private double spentUsd;

  private int spentVersion = -1;

  /** Which parents the job waits for ("waiting for job-000001"), as of the last plan; or null. */
  String waitingFor;

  /**
   * Until when the job stays out of plans because the checkpoint store failed its last start, or
   * null; kept in memory only (a new leader tries the job at once).
   */
  Instant storeFaultUntil;

  /** Why, with {@link #storeFaultUntil}: the store's error as the agent reported it. */
  String storeFault;

  /**
   * Whether the queued job must stay out of this plan because the checkpoint store failed its last
   * start a short while ago; its reason then says so and when it is tried again.
   */
  boolean waitsForStore(Instant now) {
    if (storeFaultUntil == null) {
      return false;
    }
    if (!now.isBefore(storeFaultUntil)) {
      storeFaultUntil = null;
      storeFault = null;
      waitingFor = null;
      return false;
    }
    String reason =
        "its last start failed: "
            + storeFault
            + "; tries again at "
            + DateTimeFormatter.ISO_INSTANT.format(storeFaultUntil.truncatedTo(ChronoUnit.SECONDS))
            + " (no retry counted)";
    waitingFor = reason;
    if (!job.getPendingReason().equals(reason)) {
      // Derived, not worth a write: persisted with the job's next real change.
      job = job.toBuilder().setPendingReason(reason).build();
    }
    return true;
  }

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
    return attemptNumber(job);
  }

  /**
   * The number of {@code job}'s last attempt, 0 before its first: not the count of attempts on
   * record, which may have dropped some that never ran ({@link JobChanges#placed}).
   */
  static int attemptNumber(io.tern.api.v1.Job job) {
    int n = job.getAttemptsCount();
    return n == 0 ? 0 : job.getAttempts(n - 1).getNumber();
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
