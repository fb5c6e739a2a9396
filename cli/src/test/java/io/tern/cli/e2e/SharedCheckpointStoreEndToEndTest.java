package io.tern.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tern.api.v1.Attempt;
import io.tern.api.v1.Job;
import io.tern.api.v1.JobState;
import io.tern.cli.testing.FaultCluster;
import io.tern.cli.testing.StepLog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One checkpoint store outlives its cluster (the agents' default, {@code ~/.tern/checkpoints}):
 * with real processes ({@link FaultCluster}), a cluster on a fresh ZooKeeper numbers its jobs from
 * {@code job-000001} again, and its job must run as a job of its own, neither fenced by the earlier
 * job's attempt markers nor taken for done by its success record. Within one cluster the id that
 * keeps its jobs apart in the store survives a scheduler restart: a job still resumes from its
 * checkpoint.
 */
class SharedCheckpointStoreEndToEndTest {
  private static final double PACE = 0.2;
  private static final int EVERY = 10;
  private static final Duration DONE = Duration.ofSeconds(120);

  @TempDir Path dir;

  @Test
  void aFreshZooKeepersJob000001RunsThoughTheStoreHoldsAnEarlierClustersJob000001()
      throws Exception {
    Path store = dir.resolve("checkpoints");
    String earlier;
    try (FaultCluster first =
        new FaultCluster(Files.createDirectories(dir.resolve("first")), false, store)) {
      first.startAgent("node-a", 1);
      earlier = first.submit("earlier", 100, PACE, EVERY);
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () ->
                  first.job(earlier).getAttemptsList().stream()
                      .anyMatch(Attempt::hasLastCheckpoint));

      // A new leader (epoch 2) of the same ZooKeeper: the same cluster, the same jobs in the store.
      first.restartScheduler();
      // The requeue below may come before the agent has registered with the new leader: the
      // checkpoint request is then sent when it does.
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> first.stateOrNull(earlier) == JobState.JOB_STATE_RUNNING);
      first.requeue(earlier);
      ExactlyOnceEndToEndTest.awaitSucceeded(first, DONE, earlier);
      Job done = first.job(earlier);
      // Two attempts, or three when the restart outlasted the agents' fence (a loaded machine):
      // every attempt after the first, all placed by the restarted scheduler, restored.
      assertThat(done.getAttemptsCount()).isBetween(2, 3);
      for (Attempt resumed : done.getAttemptsList().subList(1, done.getAttemptsCount())) {
        assertThat(resumed.getRestore().hasRestored())
            .as(
                "attempt %d, placed by the restarted scheduler, restored: %s",
                resumed.getNumber(), resumed)
            .isTrue();
      }
      assertThat(first.steps().verdict(earlier, 100).missing()).isEmpty();
    }

    // Everything stopped; a fresh ZooKeeper, and agents on the same store.
    try (FaultCluster second =
        new FaultCluster(Files.createDirectories(dir.resolve("second")), false, store)) {
      second.startAgent("node-a", 1);
      String again = second.submit("again", 20, PACE, EVERY);
      assertThat(again).isEqualTo(earlier);
      await()
          .atMost(DONE)
          .pollInterval(Duration.ofMillis(500))
          .until(
              () ->
                  Set.of(JobState.JOB_STATE_SUCCEEDED, JobState.JOB_STATE_FAILED)
                      .contains(second.stateOrNull(again)));
      Job job = second.job(again);
      StepLog.Verdict v = second.steps().verdict(again, 20);
      assertThat(job.getState()).as("%s", job).isEqualTo(JobState.JOB_STATE_SUCCEEDED);
      assertThat(job.getAttemptsList())
          .as("it ran once, as attempt 1")
          .singleElement()
          .satisfies(a -> assertThat(a.getExitCode()).isZero());
      assertThat(v.runs()).as("%s", v).isEqualTo(1);
      assertThat(v.ends()).as("%s", v).isEqualTo(1);
      assertThat(v.missing()).as("%s", v).isEmpty();
    }
  }
}
