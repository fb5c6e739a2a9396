package io.tern.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tern.api.v1.Attempt;
import io.tern.api.v1.Job;
import io.tern.api.v1.JobState;
import io.tern.cli.testing.FaultCluster;
import io.tern.cli.testing.StepLog;
import io.tern.cli.testing.TernProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A job never runs twice at once, and no committed work is lost, under the faults of issue 15, with
 * real processes ({@link FaultCluster}: {@code tern zk}, {@code tern scheduler} with an 8 s node
 * lease, {@code tern agent}s) and jobs that log every step with their pid ({@link StepLog}). Every
 * scenario checks the same invariants: no two runs of a job overlap in time, no step is missing, no
 * job that finished runs again, and no more work is redone than was done since the last checkpoint.
 */
class ExactlyOnceEndToEndTest {
  static final double PACE = 0.2;
  static final int EVERY = 10;

  /**
   * Steps a job may redo after a fault: those since its last committed checkpoint. That is up to
   * two intervals (a checkpoint written just before the fault may not be committed yet), or, for an
   * agent paused (its committer with it), the steps its jobs ran until their shims fenced them
   * (about 4.5 s at 0.2 s a step) on top of one interval.
   */
  static final int LOSS = 2 * EVERY;

  static final int PAUSED_LOSS = EVERY + 30;
  private static final Duration DONE = Duration.ofSeconds(120);

  @TempDir Path dir;
  private FaultCluster cluster;

  @BeforeEach
  void startCluster() throws Exception {
    cluster = new FaultCluster(dir);
  }

  @AfterEach
  void stopCluster() throws Exception {
    cluster.close();
    String keep = System.getProperty("tern.e2e.keep");
    if (keep != null) {
      new ProcessBuilder("cp", "-r", dir.toString(), keep).inheritIO().start().waitFor();
    }
  }

  @Test
  void anAgentKilledWithMinus9AndRestartedStopsItsOrphansBeforeItRegisters() {
    cluster.startAgent("node-a", 2);
    String first = cluster.submit("kill-1", 80, PACE, EVERY);
    String second = cluster.submit("kill-2", 80, PACE, EVERY);
    awaitStep(first, 15);
    awaitStep(second, 15);

    cluster.agent("node-a").killAlone(); // its jobs keep running, orphaned
    TernProcess restarted = cluster.startAgent("node-a", 2); // same node id, same work dir

    awaitSucceeded(first, second);
    StepLog steps = cluster.steps();
    assertExactlyOnce(cluster, steps, first, 80, LOSS);
    assertExactlyOnce(cluster, steps, second, 80, LOSS);
    assertThat(restarted.output())
        .as("the restarted agent found the jobs (or their exits) before registering")
        .containsAnyOf("still running from an earlier agent", "ended while no agent ran");
  }

  @Test
  void anAgentStoppedLongerThanTheLeaseHasFencedItsJobsBeforeTheyResumeElsewhere()
      throws Exception {
    cluster.startAgent("node-a", 2);
    String first = cluster.submit("pause-1", 80, PACE, EVERY);
    String second = cluster.submit("pause-2", 80, PACE, EVERY);
    awaitStep(first, 15);
    awaitStep(second, 15);
    cluster.startAgent("node-b", 2);
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> cluster.scheduler().output().contains("node node-b registered"));

    TernProcess paused = cluster.agent("node-a");
    paused.signal("STOP"); // SIGSTOP: a partition, a long GC pause
    long stoppedAt = System.nanoTime();
    await().atMost(Duration.ofSeconds(60)).until(() -> runningAgain(first) && runningAgain(second));
    double movedAfter = (System.nanoTime() - stoppedAt) / 1e9;
    paused.signal("CONT");

    awaitSucceeded(first, second);
    StepLog steps = cluster.steps();
    assertExactlyOnce(cluster, steps, first, 80, PAUSED_LOSS);
    assertExactlyOnce(cluster, steps, second, 80, PAUSED_LOSS);
    System.out.printf(
        "SIGSTOP: jobs resumed elsewhere %.1f s after the stop; %s; %s%n",
        movedAfter, steps.verdict(first, 80), steps.verdict(second, 80));
    assertThat(paused.output()).contains("lease expired");
  }

  @Test
  void aJobThatFinishesWhileItsAgentIsStoppedPastTheLeaseIsNotRunAgain() throws Exception {
    cluster.startAgent("node-a", 2);
    // One checkpoint, at step 50: a rerun from it would redo steps 51-100.
    String job = cluster.submit("finish-paused", 100, PACE, 50);
    cluster.startAgent("node-b", 2);
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> cluster.scheduler().output().contains("node node-b registered"));
    awaitStep(job, 93); // the last 7 steps (1.4 s) run before the shim's fence (about 4.5 s)

    // The node it runs on (node-a, unless a start lost under load moved it to node-b).
    String node = cluster.job(job).getAttemptsList().getLast().getNodeIds(0);
    String other = node.equals("node-a") ? "node-b" : "node-a";
    TernProcess paused = cluster.agent(node);
    paused.signal("STOP");
    // Nobody hears the exit 0; the leader gives the node up and places the job on the other, whose
    // agent finds the success the shim recorded in the checkpoint store and runs nothing.
    awaitSucceeded(job);
    Job done = cluster.job(job);
    paused.signal("CONT"); // its own report of the exit 0 changes nothing now

    StepLog.Verdict v = cluster.steps().verdict(job, 100);
    System.out.println("finished while stopped: " + v);
    assertThat(v.runs()).as("ran once: %s", v).isEqualTo(1);
    assertThat(v.stepsRedone()).as("%s", v).isZero();
    assertThat(v.missing()).as("steps never done: %s", v).isEmpty();
    assertThat(v.ends()).as("%s", v).isEqualTo(1);
    // The attempt that ran on the paused node has the exit 0 from the store.
    Attempt finished =
        done.getAttemptsList().stream()
            .filter(a -> a.getEndReason().startsWith("exit 0, recorded in the checkpoint store"))
            .findFirst()
            .orElseThrow(
                () -> new AssertionError("no recorded exit 0 in " + done.getAttemptsList()));
    assertThat(finished.getExitCode()).isZero();
    assertThat(finished.getNodeIdsList()).containsExactly(node);
    Attempt rerun = done.getAttemptsList().getLast();
    assertThat(rerun.getNodeIdsList()).containsExactly(other);
    assertThat(rerun.getEndReason())
        .startsWith(
            "not started: job " + job + " already succeeded: attempt " + finished.getNumber());
    await() // the paused node registers again and reports its attempt's exit
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                cluster.scheduler().output().split("node " + node + " registered", -1).length > 2);
    assertThat(cluster.job(job).getAttemptsList()).isEqualTo(done.getAttemptsList());
    assertThat(cluster.job(job).getState()).isEqualTo(JobState.JOB_STATE_SUCCEEDED);
  }

  @Test
  void aZooKeeperOutageOf20SecondsLosesNoFinishedJobAndRunsNoneTwice() throws Exception {
    cluster.startAgent("node-a", 2);
    String longJob = cluster.submit("zk-long", 120, PACE, EVERY);
    String shortJob = cluster.submit("zk-short", 40, PACE, EVERY);
    awaitStep(longJob, 10);
    awaitStep(shortJob, 33); // it ends about 1.4 s into the outage

    long outage = System.nanoTime();
    cluster.stopZk();
    await().atMost(Duration.ofSeconds(30)).until(() -> cluster.steps().ended(shortJob));
    // The outage lasts 20 s whatever happens meanwhile.
    Thread.sleep(Math.max(0, 20_000 - (System.nanoTime() - outage) / 1_000_000));
    cluster.startZk();

    awaitSucceeded(longJob, shortJob);
    StepLog steps = cluster.steps();
    assertExactlyOnce(cluster, steps, longJob, 120, LOSS);
    assertExactlyOnce(cluster, steps, shortJob, 40, LOSS);
    assertThat(steps.verdict(shortJob, 40).runs()).as("the short job ran once").isEqualTo(1);
    Job shortDone = cluster.job(shortJob);
    assertThat(shortDone.getAttemptsCount()).isEqualTo(1);
    System.out.printf(
        "ZooKeeper outage 20 s: %s; %s%n",
        steps.verdict(longJob, 120), steps.verdict(shortJob, 40));
  }

  @Test
  void aJobPlacedWhileItsAgentShutsDownIsRefusedAndRunsElsewhere() throws Exception {
    TernProcess leaving = cluster.startAgent("node-a", 2);
    // A running job: the agent shuts down while it stops it and waits for the leader's acks.
    String slow = cluster.submit("running", 10_000, PACE, 1_000_000);
    awaitStep(slow, 3);

    leaving.signal("TERM");
    String placed = cluster.submit("placed", 30, PACE, EVERY);
    assertThat(leaving.awaitExit(Duration.ofSeconds(30))).isTrue();
    Job meanwhile = cluster.job(placed);
    cluster.startAgent("node-b", 2);

    awaitSucceeded(placed);
    StepLog steps = cluster.steps();
    assertExactlyOnce(cluster, steps, placed, 30, LOSS);
    Job done = cluster.job(placed);
    for (Attempt a : done.getAttemptsList()) {
      if (a.getNodeIdsList().contains("node-a")) {
        assertThat(a.getEndReason()).startsWith("refused by node node-a");
      }
    }
    assertThat(done.getAttemptsList())
        .as("it ran on node-b once")
        .filteredOn(a -> a.getNodeIdsList().contains("node-b"))
        .hasSize(1);
    System.out.printf(
        "shutdown: %d attempt(s) before node-b came (%s); %s%n",
        meanwhile.getAttemptsCount(),
        meanwhile.getAttemptsList().stream().map(Attempt::getEndReason).toList(),
        steps.verdict(placed, 30));
  }

  private boolean runningAgain(String id) {
    Job job;
    try {
      job = cluster.job(id);
    } catch (RuntimeException e) {
      return false;
    }
    return job.getAttemptsCount() >= 2 && job.getState() == JobState.JOB_STATE_RUNNING;
  }

  private void awaitStep(String job, int step) {
    await()
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> cluster.steps().reached(job) >= step);
  }

  private void awaitSucceeded(String... ids) {
    awaitSucceeded(cluster, DONE, ids);
  }

  static void awaitSucceeded(FaultCluster cluster, Duration atMost, String... ids) {
    await()
        .atMost(atMost)
        .pollInterval(Duration.ofMillis(500))
        .until(
            () ->
                List.of(ids).stream()
                    .allMatch(id -> cluster.stateOrNull(id) == JobState.JOB_STATE_SUCCEEDED));
  }

  /**
   * The invariants of issue 15 for one job that succeeded: no runs at once, no step missing, no run
   * after it finished, each attempt resumed from the newest checkpoint the scheduler had, and at
   * most {@code allowedLoss} steps redone at once (the work since the last committed checkpoint).
   */
  static void assertExactlyOnce(
      FaultCluster cluster, StepLog steps, String job, int total, int allowedLoss) {
    StepLog.Verdict v = steps.verdict(job, total);
    assertThat(v.overlappingPairs()).as("runs of %s at once: %s", job, v).isZero();
    assertThat(v.missing()).as("steps of %s never done: %s", job, v).isEmpty();
    assertThat(v.ends()).as("%s finished once: %s", job, v).isEqualTo(1);
    assertThat(v.runsAfterEnd()).as("%s ran again after it finished: %s", job, v).isZero();
    assertThat(v.worstLoss())
        .as("%s redid at most the work since its last committed checkpoint: %s", job, v)
        .isLessThanOrEqualTo(allowedLoss);
    Job record = cluster.job(job);
    // Each attempt resumes from the newest checkpoint recorded before it, or from a later one
    // whose commit a killed agent made but never got to report (the record names what it restored).
    // An attempt its agent did not start (an earlier one had already finished the job) restored
    // nothing.
    int newest = 0;
    for (Attempt a : record.getAttemptsList()) {
      if (a.getEndReason().startsWith("not started: ")) {
        assertThat(a.hasStartedAt()).as("attempt %d of %s", a.getNumber(), job).isFalse();
        continue;
      }
      int resumed = a.hasResumedFrom() ? checkpointStep(a.getResumedFrom().getName()) : 0;
      assertThat(resumed)
          .as("attempt %d of %s resumed from the newest checkpoint recorded", a.getNumber(), job)
          .isGreaterThanOrEqualTo(newest);
      if (a.hasLastCheckpoint()) {
        newest = checkpointStep(a.getLastCheckpoint().getName());
      }
      newest = Math.max(newest, resumed);
    }
  }

  /** The step of a checkpoint named like {@code ck-000076}. */
  private static int checkpointStep(String name) {
    return Integer.parseInt(name.substring(name.lastIndexOf('-') + 1));
  }
}
