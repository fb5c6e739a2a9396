package io.tern.scheduler.server.loop;

import io.tern.api.v1.Attempt;
import io.tern.api.v1.CheckpointCommitFailure;
import io.tern.api.v1.CheckpointRef;
import io.tern.api.v1.Job;
import io.tern.api.v1.RestoreReport;
import io.tern.scheduler.spec.AttemptCheckpoints;
import java.time.Instant;

/**
 * The edits the scheduler makes to a stored {@link Job}'s record besides its state (which only
 * {@link JobLifecycle} sets): pure functions from a job to its next version, each one small,
 * testable rule.
 */
final class JobChanges {
  private JobChanges() {}

  /**
   * Attempts a job keeps on record before the oldest that never ran make way: a job that nodes keep
   * refusing (a full disk, a store that fails) would otherwise grow without bound, towards
   * ZooKeeper's limit on one record (1 MB), and every write of it would fail.
   */
  static final int KEPT_ATTEMPTS = 100;

  /**
   * A new attempt was placed: it is the current one, and the job no longer waits. Past {@link
   * #KEPT_ATTEMPTS}, the oldest attempt that never ran is dropped: it cost nothing, did no work,
   * wrote no checkpoint and counted no retry, so the ledger, retries and resumes read the same.
   * Numbers keep counting up (the next placement follows the last attempt's number, not the count).
   */
  static Job placed(Job job, Attempt attempt) {
    Job.Builder b = job.toBuilder().setPendingReason("").addAttempts(attempt);
    if (b.getAttemptsCount() > KEPT_ATTEMPTS) {
      for (int i = 0; i < b.getAttemptsCount() - 1; i++) {
        if (neverRan(b.getAttempts(i))) {
          b.removeAttempts(i);
          break;
        }
      }
    }
    return b.build();
  }

  /** An attempt its node did not start (refused, or could not prepare), with nothing to keep. */
  static boolean neverRan(Attempt a) {
    return a.hasEndedAt()
        && !a.hasStartedAt()
        && !a.hasExitCode()
        && (a.getEndReason().startsWith("not started: ")
            || a.getEndReason().startsWith("refused by node "))
        && !a.hasLastCheckpoint()
        && !a.hasResumedFrom()
        && !a.hasRestore();
  }

  /** The current attempt's agent reported it running at {@code at}. */
  static Job started(Job job, Instant at) {
    Job.Builder b = job.toBuilder();
    int last = b.getAttemptsCount() - 1;
    if (!b.getAttempts(last).hasStartedAt()) {
      b.setAttempts(
          last, b.getAttempts(last).toBuilder().setStartedAt(CoreSnapshots.timestamp(at)));
    }
    return b.build();
  }

  /**
   * Attempt {@code number} ran though its STARTED report never arrived (lost with a stream, or the
   * agent was fenced first): it is counted as started when it was placed, so that the ledger bills
   * the time it held its GPUs. The job unchanged when the attempt has a start or does not exist.
   */
  static Job ranUnreported(Job job, int number) {
    for (int i = 0; i < job.getAttemptsCount(); i++) {
      Attempt a = job.getAttempts(i);
      if (a.getNumber() == number && !a.hasStartedAt() && a.hasPlacedAt()) {
        return job.toBuilder().setAttempts(i, a.toBuilder().setStartedAt(a.getPlacedAt())).build();
      }
    }
    return job;
  }

  /** Records the end of the current attempt (if it has not ended). */
  static Job attemptEnded(Job job, Instant at, String reason, Integer exitCode) {
    Job.Builder b = job.toBuilder();
    int last = b.getAttemptsCount() - 1;
    if (last >= 0 && !b.getAttempts(last).hasEndedAt()) {
      Attempt.Builder a =
          b.getAttempts(last).toBuilder()
              .setEndedAt(CoreSnapshots.timestamp(at))
              .setEndReason(reason);
      if (exitCode != null) {
        a.setExitCode(exitCode);
      }
      b.setAttempts(last, a);
    }
    return b.build();
  }

  /**
   * An earlier attempt, ended without an exit code (its node was declared lost), reports that its
   * job exited with {@code exitCode} after all: the record takes the late exit.
   */
  static Job lateExit(Job job, int attemptNumber, int exitCode, String reason) {
    Job.Builder b = job.toBuilder();
    for (int i = 0; i < b.getAttemptsCount(); i++) {
      if (b.getAttempts(i).getNumber() == attemptNumber) {
        b.setAttempts(i, b.getAttempts(i).toBuilder().setExitCode(exitCode).setEndReason(reason));
      }
    }
    return b.build();
  }

  /**
   * The number of an attempt before the current one that exited 0 (reported late, after its node
   * was declared lost): the job's work is done and the current attempt only repeats it; 0 if none.
   */
  static int finishedEarlier(Job job) {
    for (int i = 0; i < job.getAttemptsCount() - 1; i++) {
      Attempt a = job.getAttempts(i);
      if (a.hasExitCode() && a.getExitCode() == 0) {
        return a.getNumber();
      }
    }
    return 0;
  }

  /** Marks the current attempt as ended by a spot reclaim of its node. */
  static Job markReclaimed(Job job) {
    Job.Builder b = job.toBuilder();
    int last = b.getAttemptsCount() - 1;
    b.setAttempts(last, b.getAttempts(last).toBuilder().setReclaimed(true));
    return b.build();
  }

  /** The current attempt committed {@code checkpoint}: it is the latest, and commits work. */
  static Job checkpointCommitted(Job job, CheckpointRef checkpoint) {
    Job.Builder b = job.toBuilder();
    int last = b.getAttemptsCount() - 1;
    b.setAttempts(
        last,
        b.getAttempts(last).toBuilder()
            .setLastCheckpoint(checkpoint)
            .clearCheckpointCommitFailure());
    return b.build();
  }

  /**
   * The current attempt's agent said what it restored when it started: {@code resumed_from} names
   * the checkpoint actually restored, never merely the one asked for. A restored checkpoint newer
   * than the last one stored for the attempt that wrote it (its commit report was lost, with a
   * ZooKeeper outage say) becomes that attempt's last checkpoint: it kept its work until then.
   */
  static Job restored(Job job, RestoreReport report) {
    Job.Builder b = job.toBuilder();
    int last = b.getAttemptsCount() - 1;
    Attempt.Builder a = b.getAttempts(last).toBuilder().setRestore(report);
    if (report.hasRestored()) {
      CheckpointRef restored = report.getRestored();
      a.setResumedFrom(restored);
      for (int i = 0; i < last; i++) {
        Attempt earlier = b.getAttempts(i);
        if (earlier.getNumber() == restored.getAttempt() && newer(restored, earlier)) {
          b.setAttempts(i, earlier.toBuilder().setLastCheckpoint(restored));
        }
      }
    } else {
      a.clearResumedFrom();
    }
    b.setAttempts(last, a);
    return b.build();
  }

  /**
   * Whether {@code checkpoint} was committed after {@code attempt}'s last stored checkpoint, and
   * while the attempt ran (no later than its end).
   */
  private static boolean newer(CheckpointRef checkpoint, Attempt attempt) {
    if (!checkpoint.hasCommittedAt()) {
      return false;
    }
    Instant committed = CoreSnapshots.instant(checkpoint.getCommittedAt());
    if (attempt.hasEndedAt() && committed.isAfter(CoreSnapshots.instant(attempt.getEndedAt()))) {
      return false;
    }
    return !attempt.hasLastCheckpoint()
        || !attempt.getLastCheckpoint().hasCommittedAt()
        || committed.isAfter(CoreSnapshots.instant(attempt.getLastCheckpoint().getCommittedAt()));
  }

  /** The current attempt's checkpoints fail to commit: since when, how often, why. */
  static Job checkpointCommitFailed(Job job, CheckpointCommitFailure failure) {
    Job.Builder b = job.toBuilder();
    int last = b.getAttemptsCount() - 1;
    b.setAttempts(last, b.getAttempts(last).toBuilder().setCheckpointCommitFailure(failure));
    return b.build();
  }

  /**
   * The checkpoint a new attempt should resume from: the newest any attempt committed, or the one
   * an attempt actually restored when it committed none since (its predecessor's newer ones failed
   * verification).
   */
  static CheckpointRef latestCheckpoint(Job job) {
    return AttemptCheckpoints.latest(job).orElse(null);
  }

  /** Attempts that ended in a failure of the job itself (not preemption, reclaim or node loss). */
  static int failedAttempts(Job job) {
    int failed = 0;
    for (Attempt a : job.getAttemptsList()) {
      if (a.hasExitCode() && a.getExitCode() != 0 || a.getEndReason().startsWith("start failed")) {
        failed++;
      }
    }
    return failed;
  }
}
