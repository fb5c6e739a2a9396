package io.tern.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tern.api.v1.Attempt;
import io.tern.api.v1.Job;
import io.tern.api.v1.JobState;
import io.tern.cli.testing.FaultCluster;
import io.tern.cli.testing.TernProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With real processes ({@link FaultCluster}): a scheduler given the agents' store deletes the
 * checkpoints of a job once it has finished for {@code --keep-checkpoints}, keeps its attempt and
 * success records, and leaves a job still running alone; the code a finished job shipped goes the
 * same way, the code of a job still running stays.
 */
class CheckpointRetirementEndToEndTest {
  private static final Duration DONE = Duration.ofSeconds(120);

  @TempDir Path dir;

  @Test
  void aFinishedJobsCheckpointsAreDeletedAndARunningJobsKept() throws Exception {
    Path store = dir.resolve("checkpoints");
    try (FaultCluster cluster = keepingOneSecond(store)) {
      String done = cluster.submit("short", 15, 0.2, 5);
      String running = cluster.submit("long", 3000, 0.2, 5);
      ExactlyOnceEndToEndTest.awaitSucceeded(cluster, DONE, done);
      Job finished = cluster.job(done);
      assertThat(finished.getAttemptsList())
          .as("it committed checkpoints while it ran: %s", finished)
          .anyMatch(Attempt::hasLastCheckpoint);

      // Rounds come every 10 s with so short a keep.
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(500))
          .until(() -> checkpointsOf(store, done).isEmpty());
      assertThat(records(store, done))
          .as("the attempt's marker, the retired marker and the success record stay")
          .contains(".attempt-1", ".attempt-999999999", ".succeeded-1");
      assertThat(cluster.stateOrNull(running)).isEqualTo(JobState.JOB_STATE_RUNNING);
      assertThat(checkpointsOf(store, running)).as("a running job's checkpoints stay").isNotEmpty();
    }
  }

  @Test
  void theCodeOfAFinishedJobIsDeletedAndTheCodeOfARunningJobKept() throws Exception {
    Path store = dir.resolve("checkpoints");
    try (FaultCluster cluster = keepingOneSecond(store)) {
      String done = submitFrom(cluster, project("short-project", "echo done"));
      String running = submitFrom(cluster, project("long-project", "sleep 600"));
      ExactlyOnceEndToEndTest.awaitSucceeded(cluster, DONE, done);
      await().atMost(DONE).until(() -> cluster.stateOrNull(running) == JobState.JOB_STATE_RUNNING);
      String doneCode = cluster.job(done).getSpec().getWorkdirDigest();
      String runningCode = cluster.job(running).getSpec().getWorkdirDigest();
      assertThat(doneCode).as("shipped code").isNotEmpty().isNotEqualTo(runningCode);
      // Unused code is kept an hour at least, whatever the keep time: both were used two hours
      // ago, as far as the store can tell.
      java.nio.file.attribute.FileTime twoHoursAgo =
          java.nio.file.attribute.FileTime.from(java.time.Instant.now().minusSeconds(7200));
      Files.setLastModifiedTime(archive(store, doneCode), twoHoursAgo);
      Files.setLastModifiedTime(archive(store, runningCode), twoHoursAgo);

      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(500))
          .until(() -> !Files.exists(archive(store, doneCode)));
      assertThat(archive(store, runningCode)).as("the running job's code stays").exists();
      await("the running job's code marked used again, for other clusters sharing the store")
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(500))
          .until(
              () ->
                  Files.getLastModifiedTime(archive(store, runningCode))
                      .toInstant()
                      .isAfter(twoHoursAgo.toInstant().plusSeconds(3600)));
      assertThat(cluster.stateOrNull(running)).isEqualTo(JobState.JOB_STATE_RUNNING);
    }
  }

  /** A cluster whose scheduler keeps finished jobs' checkpoints 1 s, with one 2-GPU agent. */
  private FaultCluster keepingOneSecond(Path store) throws Exception {
    FaultCluster cluster =
        new FaultCluster(
            Files.createDirectories(dir.resolve("cluster")),
            true,
            store,
            List.of("--keep-checkpoints", "1s"));
    try {
      cluster.startAgent("node-a", 2);
    } catch (Exception | Error e) {
      cluster.close();
      throw e;
    }
    return cluster;
  }

  private Path project(String name, String command) throws IOException {
    Path p = Files.createDirectories(dir.resolve(name));
    Files.writeString(p.resolve("run.sh"), command + "\n");
    return p;
  }

  /** {@code cd project && tern submit -- sh run.sh}, a real process; returns the job's id. */
  private String submitFrom(FaultCluster cluster, Path project) throws Exception {
    TernProcess submit =
        TernProcess.startIn(
            project,
            dir,
            "submit-" + project.getFileName(),
            "submit",
            "--scheduler",
            cluster.address(),
            "--name",
            project.getFileName().toString(),
            "--team",
            "faults",
            "--gpus",
            "1",
            "--",
            "sh",
            "run.sh");
    assertThat(submit.awaitExit(DONE)).as("tern submit ends").isTrue();
    assertThat(submit.exitCode()).as(submit.output()).isZero();
    return submit.output().lines().reduce((a, b) -> b).orElseThrow().trim();
  }

  private static Path archive(Path store, String digest) {
    return store.resolve("workdirs").resolve("sha256-" + digest + ".zip");
  }

  /** The job's folder in the store: {@code STORE/clusters/CLUSTER_ID/JOB_ID}. */
  private static Path jobDir(Path store, String jobId) throws IOException {
    try (Stream<Path> clusters = Files.list(store.resolve("clusters"))) {
      return clusters
          .map(c -> c.resolve(jobId))
          .filter(Files::isDirectory)
          .findFirst()
          .orElseThrow();
    }
  }

  /** Its checkpoints ({@code aATTEMPT-NAME} folders). */
  private static List<String> checkpointsOf(Path store, String jobId) throws IOException {
    try (Stream<Path> entries = Files.list(jobDir(store, jobId))) {
      return entries
          .map(p -> p.getFileName().toString())
          .filter(n -> n.matches("a\\d+-.*"))
          .toList();
    }
  }

  /** Its attempt markers and success records. */
  private static List<String> records(Path store, String jobId) throws IOException {
    try (Stream<Path> entries = Files.list(jobDir(store, jobId))) {
      return entries.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".")).toList();
    }
  }
}
