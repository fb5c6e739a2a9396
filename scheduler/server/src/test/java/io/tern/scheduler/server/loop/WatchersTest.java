package io.tern.scheduler.server.loop;

import static org.assertj.core.api.Assertions.assertThat;

import io.tern.api.v1.Job;
import io.tern.api.v1.JobState;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class WatchersTest {
  private final Watchers watchers = new Watchers(UnaryOperator.identity());
  private final List<JobState> seen = new ArrayList<>();
  private boolean ended;

  private final Watchers.Watcher client =
      new Watchers.Watcher() {
        @Override
        public boolean onJob(Job job) {
          seen.add(job.getState());
          return true;
        }

        @Override
        public void onEnd() {
          ended = true;
        }
      };

  private static Job job(JobState state) {
    return Job.newBuilder().setId("job-000001").setState(state).build();
  }

  @Test
  void aWatchThatStartsBeforeAChangeCommitsHearsThatChangeOnce() {
    // The job is STARTING in memory; its write is still on its way to ZooKeeper.
    watchers.add(job(JobState.JOB_STATE_STARTING), client);
    watchers.changed(job(JobState.JOB_STATE_STARTING)); // that write commits
    watchers.changed(job(JobState.JOB_STATE_RUNNING));
    watchers.changed(job(JobState.JOB_STATE_SUCCEEDED));

    assertThat(seen)
        .containsExactly(
            JobState.JOB_STATE_STARTING, JobState.JOB_STATE_RUNNING, JobState.JOB_STATE_SUCCEEDED);
    assertThat(ended).isTrue();
  }

  @Test
  void aChangeWithinAStateIsStillSent() {
    watchers.add(job(JobState.JOB_STATE_PENDING), client);
    watchers.changed(job(JobState.JOB_STATE_PENDING).toBuilder().setPendingReason("held").build());

    assertThat(seen).containsExactly(JobState.JOB_STATE_PENDING, JobState.JOB_STATE_PENDING);
    assertThat(ended).isFalse();
  }
}
