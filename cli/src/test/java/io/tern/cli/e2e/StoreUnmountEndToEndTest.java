package io.tern.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tern.api.v1.Attempt;
import io.tern.api.v1.Job;
import io.tern.checkpoint.StoreIdentity;
import io.tern.checkpoint.config.CheckpointStoreLocation;
import io.tern.cli.testing.FaultCluster;
import io.tern.cli.testing.StepLog;
import io.tern.cli.testing.TernProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A file checkpoint store whose volume goes away (here: its folder moved elsewhere, as an unmount
 * leaves it) while the cluster's scheduler and agent are restarted, with real processes ({@link
 * FaultCluster}): neither makes an empty stand-in where the store should be, a job that needs the
 * store waits for it as a store fault, saying which store is missing, and once the folder is back
 * the store is used again and every job finishes, resumed from the store.
 */
class StoreUnmountEndToEndTest {
  private static final double PACE = 0.2;
  private static final int EVERY = 10;
  private static final Duration WAIT = Duration.ofSeconds(120);

  @TempDir Path dir;

  @Test
  void restartsWhileTheStoreIsUnmountedMakeNoStandInAndUseTheStoreOnceItIsBack() throws Exception {
    try (FaultCluster cluster = new FaultCluster(dir, true)) {
      Path store = cluster.checkpoints();
      StoreIdentity identity = markerOf(store);
      cluster.startAgent("node-a", 2);
      String running = cluster.submit("running", 300, PACE, EVERY);
      awaitCheckpoint(cluster, running);

      Path away = Files.move(store, dir.resolve("unmounted"));
      cluster.restartScheduler();
      cluster.agent("node-a").killAlone();
      TernProcess agent = cluster.startAgent("node-a", 2);
      String waiting = cluster.submit("waiting", 20, PACE, EVERY);
      await("the start of " + waiting + " waits for the store")
          .atMost(WAIT)
          .pollInterval(Duration.ofMillis(500))
          .until(() -> endedOnTheStore(cluster.job(waiting), store));

      assertThat(store).as("no stand-in for the unmounted store").doesNotExist();
      assertThat(cluster.job(waiting).getAttempts(0).getEndReason())
          .contains("checkpoint store " + store + " is missing (no such folder)");
      assertThat(agent.output())
          .as("the agent's log says what is wrong")
          .contains("checkpoint store " + store + " is missing (no such folder)");
      assertThat(cluster.scheduler().output())
          .as("the scheduler's log names the store it is missing")
          .contains(
              "checkpoint store "
                  + store
                  + " is missing (no such folder), but this cluster's store is "
                  + identity
                  + ": is it mounted?");

      Files.move(away, store); // mounted again
      ExactlyOnceEndToEndTest.awaitSucceeded(cluster, Duration.ofSeconds(240), running, waiting);

      assertThat(markerOf(store)).isEqualTo(identity);
      Job done = cluster.job(waiting);
      Attempt last = done.getAttempts(done.getAttemptsCount() - 1);
      assertThat(last.getExitCode()).as("%s", done).isZero();
      assertThat(last.hasLastCheckpoint()).as("it committed to the store: %s", done).isTrue();
      StepLog steps = cluster.steps();
      for (String id : new String[] {running, waiting}) {
        StepLog.Verdict v = steps.verdict(id, id.equals(running) ? 300 : 20);
        assertThat(v.missing()).as("%s", v).isEmpty();
        assertThat(v.overlappingPairs()).as("%s", v).isZero();
      }
    }
  }

  @Test
  void aClusterWhoseSchedulerHasNoStoreHoldsARestartedAgentToTheStoreItsAgentsUsed()
      throws Exception {
    // The scheduler is not given the store (it keeps no code): the first agent's store is recorded.
    try (FaultCluster cluster = new FaultCluster(dir, false)) {
      Path store = cluster.checkpoints();
      StoreIdentity identity = markerOf(store);
      cluster.startAgent("node-a", 2);
      String running = cluster.submit("running", 300, PACE, EVERY);
      awaitCheckpoint(cluster, running);
      assertThat(cluster.scheduler().output())
          .contains("recording " + identity + ", the store node node-a's agent uses");

      // Another store's volume is mounted in its place while the agent restarts.
      Path away = Files.move(store, dir.resolve("unmounted"));
      StoreIdentity other =
          CheckpointStoreLocation.parse(store.toString()).initialise(Clock.systemUTC());
      cluster.agent("node-a").killAlone();
      TernProcess agent = cluster.startAgent("node-a", 2);
      await("the restarted agent refuses the other store")
          .atMost(WAIT)
          .pollInterval(Duration.ofMillis(500))
          .until(() -> endedOnTheStore(cluster.job(running), store));
      assertThat(agent.output()).contains("holds store " + other);
      try (var files = Files.list(store)) {
        assertThat(files)
            .as("nothing written to the other store")
            .containsExactly(store.resolve(".tern-store.json"));
      }

      Files.delete(store.resolve(".tern-store.json"));
      Files.delete(store);
      Files.move(away, store); // the cluster's volume is mounted again
      ExactlyOnceEndToEndTest.awaitSucceeded(cluster, Duration.ofSeconds(240), running);

      Job done = cluster.job(running);
      Attempt last = done.getAttempts(done.getAttemptsCount() - 1);
      assertThat(last.getRestore().hasRestored()).as("resumed from the store: %s", done).isTrue();
      StepLog.Verdict v = cluster.steps().verdict(running, 300);
      assertThat(v.missing()).as("%s", v).isEmpty();
      assertThat(v.overlappingPairs()).as("%s", v).isZero();
    }
  }

  private static StoreIdentity markerOf(Path store) throws Exception {
    return StoreIdentity.decode(Files.readAllBytes(store.resolve(".tern-store.json")));
  }

  private static void awaitCheckpoint(FaultCluster cluster, String id) {
    await("a checkpoint of " + id + " in the store")
        .atMost(WAIT)
        .until(
            () -> cluster.job(id).getAttemptsList().stream().anyMatch(Attempt::hasLastCheckpoint));
  }

  /** Whether an attempt of {@code job} did not start because the store at {@code store} failed. */
  private static boolean endedOnTheStore(Job job, Path store) {
    return job.getAttemptsList().stream()
        .anyMatch(
            a ->
                a.getEndReason().contains("not started")
                    && a.getEndReason().contains("checkpoint store " + store));
  }
}
