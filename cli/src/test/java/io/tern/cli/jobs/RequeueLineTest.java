package io.tern.cli.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.tern.api.v1.Job;
import io.tern.api.v1.JobState;
import org.junit.jupiter.api.Test;

/** What `tern requeue` says of the job the scheduler answers with. */
class RequeueLineTest {
  private final JobControlCommands.RequeueCommand requeue = new JobControlCommands.RequeueCommand();

  @Test
  void aJobThatCheckpointsQueuesOnceItsCheckpointIsIn() {
    Job job = Job.newBuilder().setState(JobState.JOB_STATE_CHECKPOINTING).build();

    assertThat(requeue.line(job))
        .isEqualTo("CHECKPOINTING; it queues again once its checkpoint is in");
  }

  @Test
  void aJobThatCannotCheckpointIsSaidToLoseItsWork() {
    Job job = Job.newBuilder().setState(JobState.JOB_STATE_RUNNING).build();

    assertThat(requeue.line(job))
        .isEqualTo(
            "RUNNING, being stopped (it cannot checkpoint: the work of this attempt is lost); it"
                + " queues again once stopped");
  }
}
