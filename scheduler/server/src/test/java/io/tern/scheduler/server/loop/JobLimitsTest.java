package io.tern.scheduler.server.loop;

import static org.assertj.core.api.Assertions.assertThat;

import io.tern.api.v1.JobSpec;
import io.tern.api.v1.JobState;
import io.tern.api.v1.SchedulerMessage.KindCase;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A running job held to its maxRuntime and maxCostUsd, on a loop run by hand. */
class JobLimitsTest {
  private static final String JOB = "job-000001";
  private final HandLoop loop = new HandLoop();
  private final JobLimits limits = new JobLimits(loop.clock, loop.commands);

  /** On n1 (8 GPUs at $4 an hour) since T0 on two of its GPUs: $1 an hour. */
  private HandLoop.Channel running(JobSpec spec) {
    return loop.leadOnN1(HandLoop.placed(JOB, spec, JobState.JOB_STATE_RUNNING, "n1", 0, 1));
  }

  @Test
  void aRunLongerThanItsMaxRuntimeIsCancelledSayingSo() {
    HandLoop.Channel agent =
        running(
            HandLoop.spec("vision", 2).toBuilder()
                .setMaxRuntime(com.google.protobuf.Duration.newBuilder().setSeconds(1800))
                .build());

    loop.clock.advance(Duration.ofMinutes(29));
    limits.tick(loop.term);
    loop.settle();
    assertThat(agent.of(KindCase.STOP_JOB)).as("within its 30 minutes").isEmpty();

    loop.clock.advance(Duration.ofMinutes(1));
    limits.tick(loop.term);
    loop.settle();
    var stop = agent.of(KindCase.STOP_JOB).getFirst().getStopJob();
    assertThat(stop.getReason()).isEqualTo("cancelled: ran past its maxRuntime of 30m (attempt 1)");
    assertThat(loop.term.entry(JOB).job.getCancelRequested()).isTrue();
    assertThat(loop.term.entry(JOB).job.getPendingReason())
        .as("kept with the job, whatever ends its attempt")
        .isEqualTo("cancelled: ran past its maxRuntime of 30m (attempt 1)");

    var explained = loop.jobRequests().explain(JOB);
    loop.settle();
    assertThat(explained.join().getSummary())
        .as("until its agent has stopped it")
        .isEqualTo(
            "being stopped on n1 to be cancelled; cancelled: ran past its maxRuntime of 30m"
                + " (attempt 1)");

    limits.tick(loop.term);
    loop.settle();
    assertThat(agent.of(KindCase.STOP_JOB)).as("once").hasSize(1);
  }

  @Test
  void aJobWhoseCostReachedItsCapIsCancelledSayingSo() {
    HandLoop.Channel agent =
        running(HandLoop.spec("vision", 2).toBuilder().setMaxCostUsd(0.5).build());

    loop.clock.advance(Duration.ofMinutes(29));
    limits.tick(loop.term);
    loop.settle();
    assertThat(agent.of(KindCase.STOP_JOB)).as("$0.48 of $0.50").isEmpty();

    loop.clock.advance(Duration.ofMinutes(2));
    limits.tick(loop.term);
    loop.settle();
    assertThat(agent.of(KindCase.STOP_JOB).getFirst().getStopJob().getReason())
        .isEqualTo("cancelled: reached its cost cap: $0.5167 of its maxCostUsd $0.5000");
  }

  @Test
  void checkpointingBuysARunNoMoreTime() {
    HandLoop.Channel agent =
        loop.leadOnN1(
            HandLoop.placed(
                JOB,
                HandLoop.checkpointable("vision", 2, 600).toBuilder()
                    .setMaxRuntime(com.google.protobuf.Duration.newBuilder().setSeconds(1800))
                    .build(),
                JobState.JOB_STATE_CHECKPOINTING,
                "n1",
                0,
                1));

    loop.clock.advance(Duration.ofMinutes(30));
    limits.tick(loop.term);
    loop.settle();

    assertThat(agent.of(KindCase.STOP_JOB).getFirst().getStopJob().getReason())
        .startsWith("cancelled: ran past its maxRuntime of 30m");
  }

  @Test
  void aQueuedJobAlreadyPastItsCapIsNotPlacedAgainButCancelled() {
    // Attempt 1 ran an hour at $1 an hour and checkpointed: $1.00 of a $0.50 cap.
    var job =
        HandLoop.placed(
            JOB,
            HandLoop.spec("vision", 2).toBuilder().setMaxCostUsd(0.5).build(),
            JobState.JOB_STATE_PENDING,
            "n1",
            0,
            1)
            .toBuilder();
    job.setAttempts(
        0,
        job.getAttempts(0).toBuilder()
            .setEndedAt(HandLoop.at(HandLoop.T0.plusSeconds(3600)))
            .setEndReason("checkpointed and requeued: requeued by alice"));
    loop.clock.advance(Duration.ofHours(1));
    loop.leadOnN1(job.build());

    assertThat(JobLimits.pastCap(loop.term, loop.term.entry(JOB), loop.clock.instant())).isTrue();
    limits.tick(loop.term);
    loop.settle();

    var cancelled = loop.term.entry(JOB).job;
    assertThat(cancelled.getState()).isEqualTo(JobState.JOB_STATE_CANCELLED);
    assertThat(cancelled.getPendingReason())
        .isEqualTo("cancelled: reached its cost cap: $1.00 of its maxCostUsd $0.5000");
  }
}
