package io.tern.scheduler.server.loop;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Timestamp;
import io.tern.api.v1.Attempt;
import io.tern.api.v1.CheckpointCommitFailure;
import io.tern.api.v1.CheckpointRef;
import io.tern.api.v1.Job;
import io.tern.api.v1.JobState;
import io.tern.api.v1.RestoreReport;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class JobChangesTest {
  private static final Instant T = Instant.parse("2026-12-05T12:00:00Z");

  private static Job job(Attempt... attempts) {
    Job.Builder b =
        Job.newBuilder()
            .setId("job-000001")
            .setState(JobState.JOB_STATE_RUNNING)
            .setPendingReason("queued");
    for (Attempt a : attempts) {
      b.addAttempts(a);
    }
    return b.build();
  }

  private static CheckpointRef checkpoint(String name, int attempt) {
    return CheckpointRef.newBuilder().setName(name).setAttempt(attempt).build();
  }

  @Test
  void placingAddsTheAttemptAndClearsTheReasonButLeavesTheStateToTheLifecycle() {
    Job placed = JobChanges.placed(job(), Attempt.newBuilder().setNumber(1).build());

    assertThat(placed.getAttemptsList()).extracting(Attempt::getNumber).containsExactly(1);
    assertThat(placed.getPendingReason()).isEmpty();
    assertThat(placed.getState()).isEqualTo(JobState.JOB_STATE_RUNNING);
  }

  @Test
  void pastTheKeptAttemptsTheOldestThatNeverRanMakesWay() {
    Job job = job();
    Timestamp at = CoreSnapshots.timestamp(T);
    Attempt ran =
        Attempt.newBuilder()
            .setNumber(1)
            .setStartedAt(at)
            .setEndedAt(at)
            .setEndReason("reclaimed: spot notice")
            .build();
    job = job.toBuilder().clearAttempts().addAttempts(ran).build();
    for (int n = 2; n <= JobChanges.KEPT_ATTEMPTS; n++) {
      job =
          JobChanges.placed(
              job,
              Attempt.newBuilder()
                  .setNumber(n)
                  .setEndedAt(at)
                  .setEndReason(
                      n == 3
                          ? "start failed: no such file"
                          : "not started: node n1 could not prepare it (disk full); no retry"
                              + " counted")
                  .build());
    }
    assertThat(job.getAttemptsCount()).isEqualTo(JobChanges.KEPT_ATTEMPTS);

    job = JobChanges.placed(job, Attempt.newBuilder().setNumber(101).build());
    job = JobChanges.placed(job, Attempt.newBuilder().setNumber(102).build());

    assertThat(job.getAttemptsCount()).isEqualTo(JobChanges.KEPT_ATTEMPTS);
    assertThat(job.getAttemptsList())
        .extracting(Attempt::getNumber)
        .as("one that ran and one that counted a retry are kept; 2 and 4 made way")
        .startsWith(1, 3, 5, 6)
        .endsWith(101, 102);
    assertThat(JobChanges.failedAttempts(job)).isEqualTo(1);
  }

  @Test
  void theStartTimeIsRecordedOnce() {
    Job once = JobChanges.started(job(Attempt.newBuilder().setNumber(1).build()), T);
    Job twice = JobChanges.started(once, T.plusSeconds(5));

    assertThat(CoreSnapshots.instant(twice.getAttempts(0).getStartedAt())).isEqualTo(T);
  }

  @Test
  void anAttemptEndsOnceWithItsReasonAndExitCode() {
    Job ended =
        JobChanges.attemptEnded(job(Attempt.newBuilder().setNumber(1).build()), T, "exit 3", 3);
    Job again = JobChanges.attemptEnded(ended, T.plusSeconds(1), "lost", null);

    Attempt a = again.getAttempts(0);
    assertThat(CoreSnapshots.instant(a.getEndedAt())).isEqualTo(T);
    assertThat(a.getEndReason()).isEqualTo("exit 3");
    assertThat(a.getExitCode()).isEqualTo(3);
  }

  @Test
  void failedAttemptsAreNonZeroExitsAndFailedStartsOnly() {
    Job job =
        job(
            Attempt.newBuilder().setNumber(1).setExitCode(1).build(),
            Attempt.newBuilder().setNumber(2).setEndReason("start failed: no GPU").build(),
            Attempt.newBuilder().setNumber(3).setEndReason("checkpointed and requeued").build(),
            Attempt.newBuilder().setNumber(4).setExitCode(0).build());

    assertThat(JobChanges.failedAttempts(job)).isEqualTo(2);
  }

  @Test
  void aLateExitIsRecordedOnItsAttemptAndNamesItAsTheOneThatFinished() {
    Job job =
        job(
            Attempt.newBuilder()
                .setNumber(1)
                .setEndReason("lost: node n1 stopped answering")
                .build(),
            Attempt.newBuilder().setNumber(2).build());

    Job late = JobChanges.lateExit(job, 1, 0, "exit 0, reported late");

    assertThat(late.getAttempts(0).getExitCode()).isZero();
    assertThat(late.getAttempts(0).getEndReason()).isEqualTo("exit 0, reported late");
    assertThat(late.getAttempts(1).hasExitCode()).isFalse();
    assertThat(JobChanges.finishedEarlier(late)).isEqualTo(1);
    assertThat(JobChanges.finishedEarlier(job)).isZero();
  }

  @Test
  void aCommitClearsTheFailureAndARestoreNamesWhatWasRestored() {
    Job failing =
        JobChanges.checkpointCommitFailed(
            job(Attempt.newBuilder().setNumber(2).build()),
            CheckpointCommitFailure.newBuilder().setError("disk full").build());
    Job committed = JobChanges.checkpointCommitted(failing, checkpoint("step-10", 2));

    assertThat(committed.getAttempts(0).hasCheckpointCommitFailure()).isFalse();
    assertThat(committed.getAttempts(0).getLastCheckpoint().getName()).isEqualTo("step-10");

    Job restored =
        JobChanges.restored(
            committed,
            RestoreReport.newBuilder()
                .setRequested(checkpoint("step-9", 1))
                .setRestored(checkpoint("step-8", 1))
                .build());
    assertThat(restored.getAttempts(0).getResumedFrom().getName()).isEqualTo("step-8");
    Job fresh = JobChanges.restored(restored, RestoreReport.getDefaultInstance());
    assertThat(fresh.getAttempts(0).hasResumedFrom()).isFalse();
  }

  @Test
  void aReclaimIsMarkedOnTheCurrentAttempt() {
    Job job =
        job(Attempt.newBuilder().setNumber(1).build(), Attempt.newBuilder().setNumber(2).build());

    Job reclaimed = JobChanges.markReclaimed(job);

    assertThat(reclaimed.getAttempts(0).getReclaimed()).isFalse();
    assertThat(reclaimed.getAttempts(1).getReclaimed()).isTrue();
  }
}
