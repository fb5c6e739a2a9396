package io.tern.cli.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Timestamp;
import io.tern.api.v1.Attempt;
import io.tern.api.v1.Job;
import io.tern.api.v1.JobSpec;
import io.tern.api.v1.JobState;
import io.tern.cli.client.Protos;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class JobStatusTextTest {
  private static final Timestamp PLACED = Timestamp.newBuilder().setSeconds(1_800_000_000L).build();
  private static final Timestamp STARTED =
      Timestamp.newBuilder().setSeconds(1_800_000_060L).build();

  private static String status(Job job) {
    StringWriter text = new StringWriter();
    try (PrintWriter out = new PrintWriter(text)) {
      JobCommands.printJob(job, out);
    }
    return text.toString();
  }

  private static Job job(JobState state, Attempt... attempts) {
    return Job.newBuilder()
        .setId("job-000001")
        .setState(state)
        .setSpec(JobSpec.newBuilder().setName("train").setTeam("vision"))
        .addAllAttempts(java.util.List.of(attempts))
        .build();
  }

  private static String attemptRow(String status, int number) {
    return status
        .lines()
        .filter(l -> l.startsWith(number + " "))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no row for attempt " + number + " in\n" + status));
  }

  @Test
  void theCostShowsWithItsCapAndNotAtAllForAJobThatCostNothing() {
    Job capped =
        job(JobState.JOB_STATE_RUNNING).toBuilder()
            .setCostUsd(2.5324)
            .setSpec(JobSpec.newBuilder().setName("train").setTeam("vision").setMaxCostUsd(1))
            .build();

    assertThat(status(capped)).contains("\nCost:       $2.53 of its cap $1.00\n");
    assertThat(status(job(JobState.JOB_STATE_PENDING))).doesNotContain("Cost:");
  }

  @Test
  void anAttemptShowsWhenItStartedNotWhenItWasPlaced() {
    String status =
        status(
            job(
                JobState.JOB_STATE_RUNNING,
                Attempt.newBuilder()
                    .setNumber(1)
                    .addNodeIds("n1")
                    .setPlacedAt(PLACED)
                    .setStartedAt(STARTED)
                    .build()));

    assertThat(attemptRow(status, 1))
        .contains(Protos.time(STARTED))
        .doesNotContain(Protos.time(PLACED));
  }

  @Test
  void anAttemptThatNeverStartedShowsNoStartTime() {
    String status =
        status(
            job(
                JobState.JOB_STATE_STARTING,
                Attempt.newBuilder()
                    .setNumber(1)
                    .addNodeIds("n1")
                    .setPlacedAt(PLACED)
                    .setEndedAt(STARTED)
                    .setEndReason("not started: node n1 could not prepare it; no retry counted")
                    .build(),
                Attempt.newBuilder().setNumber(2).addNodeIds("n2").setPlacedAt(STARTED).build()));

    assertThat(attemptRow(status, 1))
        .as("ended before it started")
        .doesNotContain(Protos.time(PLACED))
        .contains(" - ");
    assertThat(attemptRow(status, 2))
        .as("placed, not yet started")
        .contains("placed " + Protos.time(STARTED));
  }

  @Test
  void aCheckpointingJobSaysWhyItWasAskedTo() {
    Job checkpointing =
        job(
            JobState.JOB_STATE_CHECKPOINTING,
            Attempt.newBuilder()
                .setNumber(1)
                .addNodeIds("n1")
                .setPlacedAt(PLACED)
                .setStartedAt(STARTED)
                .setCheckpointReason("spot reclaim of n1")
                .build());

    assertThat(status(checkpointing)).contains("Reason:     spot reclaim of n1");
  }

  @Test
  void aJobCancelledWhileQueuedSaysWhy() {
    Job cancelled =
        job(JobState.JOB_STATE_CANCELLED).toBuilder()
            .setPendingReason("cancelled: not needed")
            .build();

    assertThat(status(cancelled)).contains("Reason:     cancelled: not needed");
  }
}
