package io.tern.scheduler.server.loop;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Duration;
import io.tern.api.v1.Attempt;
import io.tern.api.v1.CheckpointRef;
import io.tern.api.v1.Job;
import io.tern.api.v1.JobSpec;
import io.tern.scheduler.core.policy.SpotPolicy;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** What the core learns of a stored job: its spot move, its work left, its cost. */
class CoreSnapshotsTest {
  private static final Instant T0 = Instant.parse("2026-12-01T00:00:00Z");

  private static Job.Builder job() {
    return Job.newBuilder()
        .setId("job-000001")
        .setSubmittedAt(CoreSnapshots.timestamp(T0))
        .setSpec(
            JobSpec.newBuilder()
                .setName("train")
                .setTeam("vision")
                .addCommand("train.py")
                .setDeadline(CoreSnapshots.timestamp(T0.plusSeconds(20 * 3600)))
                .setMaxRuntime(Duration.newBuilder().setSeconds(10 * 3600)));
  }

  private static Attempt.Builder attempt(int number, long startHour, long endHour, String why) {
    return Attempt.newBuilder()
        .setNumber(number)
        .setStartedAt(CoreSnapshots.timestamp(T0.plusSeconds(startHour * 3600)))
        .setEndedAt(CoreSnapshots.timestamp(T0.plusSeconds(endHour * 3600)))
        .setEndReason(why)
        .setLastCheckpoint(
            CheckpointRef.newBuilder()
                .setCommittedAt(CoreSnapshots.timestamp(T0.plusSeconds(endHour * 3600))));
  }

  @Test
  void aJobCheckpointedToMoveBackToSpotWaitsForSpotAWhile() {
    Instant ended = T0.plusSeconds(3 * 3600);
    JobEntry entry =
        new JobEntry(
            job()
                .addAttempts(
                    attempt(
                        1, 1, 3, "checkpointed and requeued: " + CoreSnapshots.RETURNING_TO_SPOT))
                .build(),
            1);
    entry.spent(12.5); // from the cost ledger, before each plan
    var core = entry.coreJob();

    assertThat(core.spotPreferredUntil()).isEqualTo(ended.plus(SpotPolicy.RETURN_TO_SPOT_WAIT));
    assertThat(core.queuedAt()).isEqualTo(ended);
    assertThat(core.spentUsd()).isEqualTo(12.5);
    // Its maximum runtime bounds its work; two hours were kept by a checkpoint.
    assertThat(core.expectedDuration()).isEqualTo(java.time.Duration.ofHours(10));
    assertThat(core.remainingDuration()).isEqualTo(java.time.Duration.ofHours(8));
  }

  @Test
  void anyOtherRequeueTakesAnyCapacity() {
    var core =
        CoreSnapshots.job(
            job().addAttempts(attempt(1, 1, 3, "checkpointed and requeued: spot reclaim")).build());
    assertThat(core.spotPreferredUntil()).isNull();
  }

  @Test
  void theAttemptNumberIsTheLastAttemptsNotTheCountOfThoseKept() {
    var core =
        CoreSnapshots.job(
            job()
                .addAttempts(attempt(1, 1, 3, "checkpointed and requeued: spot reclaim"))
                .addAttempts(attempt(7, 4, 5, "checkpointed and requeued: preempted"))
                .build());
    assertThat(core.attempt()).as("attempts 2 to 6 never ran and were dropped").isEqualTo(7);
    assertThat(CoreSnapshots.job(job().build()).attempt()).isZero();
  }
}
