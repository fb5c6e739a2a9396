package io.tern.scheduler.spec;

import com.google.protobuf.Timestamp;
import io.tern.api.v1.Attempt;
import io.tern.api.v1.CheckpointCommitFailure;
import io.tern.api.v1.CheckpointRef;
import io.tern.api.v1.Job;
import io.tern.api.v1.RestoreReport;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

/**
 * The words `tern status` and `tern explain` use for what an attempt did with checkpoints, so both
 * say the same: which checkpoint it actually restored (never merely the one it was asked to), and
 * whether its commits fail.
 */
public final class AttemptCheckpoints {
  private AttemptCheckpoints() {}

  /**
   * What the attempt's start restored: "resumed from step-000050 of attempt 1", "none: started
   * fresh, 2 checkpoints failed verification (step-000070 of attempt 1: ...)"; empty for an attempt
   * that was not asked to resume and restored nothing.
   */
  public static Optional<String> restore(Attempt a) {
    if (!a.hasRestore()) {
      return a.hasResumeRequested()
          ? Optional.of(
              "asked to resume from "
                  + name(a.getResumeRequested())
                  + (a.hasStartedAt()
                      ? "; its agent did not say what it restored"
                      : a.hasEndedAt() ? "; it never started" : ""))
          : Optional.empty();
    }
    return Optional.of(describe(a.getRestore()));
  }

  /**
   * A restore in words: "resumed from step-000050 of attempt 1 (asked for step-000070 of attempt
   * 1); passed over step-000070 of attempt 1: file state fails its SHA-256 check", or "none:
   * started fresh, 1 checkpoint failed verification (step-000070 of attempt 1: ...)".
   */
  public static String describe(RestoreReport r) {
    StringBuilder words = new StringBuilder();
    if (r.hasRestored()) {
      words.append("resumed from ").append(name(r.getRestored()));
      if (r.hasRequested() && !sameCheckpoint(r.getRequested(), r.getRestored())) {
        words.append(" (asked for ").append(name(r.getRequested())).append(')');
      }
    } else {
      words.append("none: started fresh");
      int failed = r.getFailedVerificationCount();
      if (failed > 0) {
        words
            .append(", ")
            .append(failed)
            .append(failed == 1 ? " checkpoint" : " checkpoints")
            .append(" failed verification");
      }
      if (r.hasRequested() && failed == 0) {
        words.append(" (asked for ").append(name(r.getRequested())).append(')');
      }
    }
    if (r.getFailedVerificationCount() > 0) {
      words.append(r.hasRestored() ? "; passed over " : " (");
      for (int i = 0; i < r.getFailedVerificationCount(); i++) {
        var f = r.getFailedVerification(i);
        words
            .append(i == 0 ? "" : ", ")
            .append(f.getName())
            .append(f.getAttempt() > 0 ? " of attempt " + f.getAttempt() : "")
            .append(": ")
            .append(f.getReason());
      }
      if (!r.hasRestored()) {
        words.append(')');
      }
    }
    return words.toString();
  }

  /**
   * "checkpoint commits failing since T: ERROR, last committed X at T2" for the job's current
   * attempt while its commits fail; empty otherwise.
   */
  public static Optional<String> commitFailure(Job job) {
    if (job.getAttemptsCount() == 0) {
      return Optional.empty();
    }
    Attempt current = job.getAttempts(job.getAttemptsCount() - 1);
    if (!current.hasCheckpointCommitFailure() || current.hasEndedAt()) {
      return Optional.empty();
    }
    CheckpointCommitFailure f = current.getCheckpointCommitFailure();
    return Optional.of(
        "checkpoint commits failing since "
            + time(f.getSince())
            + ": "
            + f.getError()
            + " ("
            + f.getFailures()
            + (f.getFailures() == 1 ? " failure" : " failures")
            + ", last "
            + time(f.getLastFailedAt())
            + "), last committed "
            + latest(job).map(c -> name(c) + " at " + time(c.getCommittedAt())).orElse("none"));
  }

  /** The newest checkpoint any attempt of the job committed. */
  public static Optional<CheckpointRef> latest(Job job) {
    for (int i = job.getAttemptsCount() - 1; i >= 0; i--) {
      if (job.getAttempts(i).hasLastCheckpoint()) {
        return Optional.of(job.getAttempts(i).getLastCheckpoint());
      }
      if (job.getAttempts(i).hasResumedFrom()) {
        return Optional.of(job.getAttempts(i).getResumedFrom());
      }
    }
    return Optional.empty();
  }

  private static boolean sameCheckpoint(CheckpointRef a, CheckpointRef b) {
    return a.getName().equals(b.getName()) && a.getAttempt() == b.getAttempt();
  }

  private static String name(CheckpointRef c) {
    return c.getName() + (c.getAttempt() > 0 ? " of attempt " + c.getAttempt() : "");
  }

  private static String time(Timestamp t) {
    return Instant.ofEpochSecond(t.getSeconds(), t.getNanos())
        .truncatedTo(ChronoUnit.SECONDS)
        .toString();
  }
}
