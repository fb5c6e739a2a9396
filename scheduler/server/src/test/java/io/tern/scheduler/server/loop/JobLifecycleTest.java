package io.tern.scheduler.server.loop;

import static org.assertj.core.api.Assertions.assertThat;

import io.tern.api.v1.Attempt;
import io.tern.api.v1.CheckpointPolicy;
import io.tern.api.v1.Job;
import io.tern.api.v1.JobSpec;
import io.tern.scheduler.core.state.JobEvent;
import io.tern.scheduler.core.state.JobState;
import io.tern.scheduler.core.state.Transition;
import io.tern.scheduler.server.zk.Epoch;
import io.tern.scheduler.server.zk.StoredState;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class JobLifecycleTest {
  private final LeaderTerm term =
      new LeaderTerm(
          new Epoch(1, 0),
          new StoredState(
              "cluster-1", Map.of(), 1, Set.of(), Map.of(), Map.of(), Map.of(), Optional.empty()),
          Instant.EPOCH);

  private static JobEntry entry(io.tern.api.v1.JobState state, JobSpec spec, Attempt... attempts) {
    Job.Builder job = Job.newBuilder().setId("job-000001").setSpec(spec).setState(state);
    for (Attempt a : attempts) {
      job.addAttempts(a);
    }
    return new JobEntry(job.build(), 0);
  }

  private static Attempt attempt(int number, Integer exitCode, String endReason) {
    Attempt.Builder a = Attempt.newBuilder().setNumber(number).setEndReason(endReason);
    if (exitCode != null) {
      a.setExitCode(exitCode);
    }
    return a.build();
  }

  @Test
  void retriesLeftCountTheStoredFailedAttempts() {
    JobEntry running =
        entry(
            io.tern.api.v1.JobState.JOB_STATE_RUNNING,
            JobSpec.newBuilder().setRetries(3).build(),
            attempt(1, 2, "exit 2"),
            attempt(2, null, "start failed: no such file"),
            attempt(3, null, "lost: node n1 stopped answering"),
            attempt(4, null, ""));

    var status = JobLifecycle.status(term, running);

    assertThat(status.attempt()).isEqualTo(4);
    assertThat(status.retriesLeft()).isEqualTo(1);
    assertThat(status.state()).isEqualTo(JobState.RUNNING);
    assertThat(status.checkpointable()).isFalse();
  }

  @Test
  void aJobThatFinishesLeavesTheJobsThatPlansWalk() {
    JobEntry running =
        entry(
            io.tern.api.v1.JobState.JOB_STATE_RUNNING,
            JobSpec.getDefaultInstance(),
            attempt(1, null, ""));
    Job done =
        running.job.toBuilder()
            .setId("job-000000")
            .setState(io.tern.api.v1.JobState.JOB_STATE_SUCCEEDED)
            .build();
    term.add(new JobEntry(done, 0));
    term.add(running);
    assertThat(term.jobs).hasSize(2);
    assertThat(term.unfinishedJobs()).containsExactly(running);
    assertThat(term.unfinishedBefore("job-000002")).containsExactly(running);

    JobLifecycle.on(term, running, new JobEvent.Exited(1, 0));

    assertThat(running.state()).isEqualTo(io.tern.api.v1.JobState.JOB_STATE_SUCCEEDED);
    assertThat(term.unfinishedJobs()).isEmpty();
    assertThat(term.jobs).hasSize(2);
  }

  @Test
  void aCancelOfARunningJobIsStoredAndWinsWhenTheAttemptEnds() {
    JobEntry running =
        entry(
            io.tern.api.v1.JobState.JOB_STATE_RUNNING,
            JobSpec.getDefaultInstance(),
            attempt(1, null, ""));

    Transition cancel = JobLifecycle.on(term, running, new JobEvent.Cancel("cancelled"));

    assertThat(cancel.ignored()).isFalse();
    assertThat(running.job.getCancelRequested()).isTrue();
    assertThat(term.cancelling).contains("job-000001");
    JobLifecycle.on(term, running, new JobEvent.Exited(1, 0));
    assertThat(running.state()).isEqualTo(io.tern.api.v1.JobState.JOB_STATE_CANCELLED);
    assertThat(term.cancelling).isEmpty();
  }

  @Test
  void aStopIsMarkedInTheTermUntilTheAttemptEnds() {
    JobEntry running =
        entry(
            io.tern.api.v1.JobState.JOB_STATE_RUNNING,
            JobSpec.getDefaultInstance(),
            attempt(1, null, ""));

    JobLifecycle.on(term, running, new JobEvent.Interrupt(1, true, "preempted"));
    assertThat(term.stopping).contains("job-000001");
    assertThat(running.state()).isEqualTo(io.tern.api.v1.JobState.JOB_STATE_RUNNING);
    assertThat(JobLifecycle.on(term, running, new JobEvent.Interrupt(1, true, "again")).ignored())
        .isTrue();

    JobLifecycle.on(term, running, new JobEvent.Stopped(1));
    assertThat(term.stopping).isEmpty();
    assertThat(running.state()).isEqualTo(io.tern.api.v1.JobState.JOB_STATE_PENDING);
  }

  @Test
  void aCheckpointableJobCheckpoints() {
    JobSpec spec =
        JobSpec.newBuilder()
            .setCheckpoint(CheckpointPolicy.newBuilder().setSignal("SIGUSR1"))
            .build();
    JobEntry running = entry(io.tern.api.v1.JobState.JOB_STATE_RUNNING, spec, attempt(1, null, ""));

    JobLifecycle.on(term, running, new JobEvent.Interrupt(1, true, "preempted"));

    assertThat(running.state()).isEqualTo(io.tern.api.v1.JobState.JOB_STATE_CHECKPOINTING);
    assertThat(term.stopping).isEmpty();
  }

  @Test
  void statesMapBothWaysAndAStoredLostJobIsQueued() {
    for (JobState state : JobState.values()) {
      assertThat(JobLifecycle.core(JobLifecycle.proto(state))).isEqualTo(state);
    }
    assertThat(JobLifecycle.core(io.tern.api.v1.JobState.JOB_STATE_LOST))
        .isEqualTo(JobState.PENDING);
  }
}
