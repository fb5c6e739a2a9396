package io.tern.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tern.cli.testing.ClusterCli;
import io.tern.cli.testing.FaultCluster;
import io.tern.cli.testing.TernInProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job and node verbs from the {@code tern} command against real processes ({@code tern zk},
 * {@code tern scheduler}, one {@code tern agent} with two simulated GPUs, so order comes from the
 * verbs and dependencies, not from a lack of GPUs) running real job processes: a drain lasts
 * through an agent restart and the node comes back with {@code tern nodes undrain}; a held job
 * stays held on a free node and runs once released; {@code update} changes a queued job and names a
 * field it refuses; {@code requeue} puts a running job back in the queue; a three-step pipeline
 * ({@code --after}) runs in order, and a failed step cancels the step that needed it to succeed and
 * starts the one that waited for its failure.
 */
class JobVerbsEndToEndTest {
  private static final Duration WAIT = Duration.ofSeconds(90);

  @TempDir static Path dir;
  private static FaultCluster cluster;
  private static ClusterCli cli;

  @BeforeAll
  static void startCluster() throws Exception {
    cluster = new FaultCluster(dir);
    cli = new ClusterCli(cluster.address(), WAIT);
    cluster.startAgent("gpu-1", 2);
    cli.awaitReadyNode();
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static TernInProcess tern(String verb, String... args) {
    return cli.tern(verb, args);
  }

  private static String submit(String name, String... command) {
    return cli.submit(name, List.of(), command);
  }

  /** Submits a one-GPU job running {@code command}, after {@code after} if not empty. */
  private static String submitAfter(String name, String after, String... command) {
    return cli.submit(name, after.isEmpty() ? List.of() : List.of("--after", after), command);
  }

  private static JsonNode job(String id) throws Exception {
    return cli.job(id);
  }

  private static JsonNode node() throws Exception {
    return new ObjectMapper().readTree(tern("nodes", "-o", "json").out()).path("nodes").get(0);
  }

  @Test
  void aDrainedNodeComesBackAndAHeldJobWaitsUntilReleased() throws Exception {
    TernInProcess drain = tern("nodes drain", "gpu-1");
    String first = submit("first", "true");
    String held = submit("held", "true");
    TernInProcess hold = tern("hold", held, "--reason", "data not ready");
    TernInProcess update = tern("update", held, "--priority", "high", "--retries", "2");
    TernInProcess pastDeadline = tern("update", held, "--deadline", "2001-01-01T00:00:00Z");
    await("first waits for the drained node")
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(300))
        .until(() -> tern("explain", first).out().contains("draining"));

    cluster.agent("gpu-1").kill();
    Instant restartedAt = Instant.now();
    cluster.startAgent("gpu-1", 2);
    JsonNode restarted =
        await("the restarted agent heartbeats")
            .atMost(WAIT)
            .pollInterval(Duration.ofMillis(500))
            .until(
                () -> node(),
                n -> Instant.parse(n.path("last_heartbeat").asText()).isAfter(restartedAt));
    TernInProcess undrain = tern("nodes undrain", "gpu-1", "-o", "json");
    cli.awaitState(first, "SUCCEEDED");
    JsonNode whileHeld = job(held);
    TernInProcess release = tern("release", held);
    cli.awaitState(held, "SUCCEEDED");
    TernInProcess again = tern("release", held);

    assertThat(drain.out()).isEqualTo("gpu-1: DRAINING\n");
    assertThat(restarted.path("state").asText())
        .as("the drain outlives the agent's restart")
        .isEqualTo("NODE_STATE_DRAINING");
    assertThat(hold.exit()).as(hold.err()).isZero();
    assertThat(hold.out()).startsWith(held + ": HELD (held by ").endsWith(": data not ready)\n");
    assertThat(update.out()).isEqualTo(held + ": priority high, deadline none, retries 2\n");
    assertThat(pastDeadline.exit()).isEqualTo(2);
    assertThat(pastDeadline.err())
        .startsWith("tern update: --deadline: 2001-01-01T00:00:00Z has passed");
    assertThat(new ObjectMapper().readTree(undrain.out()).path("state").asText())
        .isEqualTo("NODE_STATE_READY");
    assertThat(whileHeld.path("state").asText())
        .as("the node was free, and the job still held")
        .isEqualTo("JOB_STATE_HELD");
    assertThat(release.out()).startsWith(held + ": PENDING (released by ");
    assertThat(again.exit()).isEqualTo(1);
    assertThat(again.err()).contains(held + " is SUCCEEDED and cannot be released: it has ended");
  }

  @Test
  void logsHandsBackTheJobsBytesAsTheyCameAndAsJsonLines() throws Exception {
    // Not UTF-8 (NUL, 0xff, 0xfe), then é as UTF-8: printf's octal escapes, which every sh has.
    String id = submit("binary", "sh", "-c", "printf '\\000\\377\\376caf\\303\\251\\n'");
    cli.awaitState(id, "SUCCEEDED");
    byte[] wrote = {0, (byte) 0xff, (byte) 0xfe, 'c', 'a', 'f', (byte) 0xc3, (byte) 0xa9, '\n'};

    TernInProcess logs = tern("logs", id);
    TernInProcess json = tern("logs", id, "-o", "json");
    TernInProcess yaml = tern("logs", id, "-o", "yaml");

    assertThat(logs.exit()).as(logs.err()).isZero();
    assertThat(logs.stdout()).isEqualTo(wrote);
    assertThat(json.exit()).as(json.err()).isZero();
    java.io.ByteArrayOutputStream decoded = new java.io.ByteArrayOutputStream();
    for (String line : json.out().split("\n")) {
      JsonNode chunk = new ObjectMapper().readTree(line);
      assertThat(chunk.path("attempt").asInt()).isEqualTo(1);
      decoded.write(java.util.Base64.getDecoder().decode(chunk.path("data").asText()));
    }
    assertThat(decoded.toByteArray()).isEqualTo(wrote);
    assertThat(yaml.exit()).as(yaml.err()).isZero();
    assertThat(yaml.out()).startsWith("---\nattempt: 1\ndata: ");
  }

  @Test
  void aRequeuedJobRunsAgain() {
    String id = submit("requeued", "sleep", "600");
    cli.awaitState(id, "RUNNING");

    TernInProcess requeue = tern("requeue", id, "--reason", "new data");
    await("attempt 2 runs")
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(300))
        .until(
            () ->
                job(id).path("attempts").size() == 2
                    && job(id).path("state").asText().equals("JOB_STATE_RUNNING"));
    TernInProcess cancel = tern("cancel", id);
    TernInProcess notRunning = tern("hold", id);

    assertThat(requeue.exit()).as(requeue.err()).isZero();
    assertThat(requeue.out())
        .as("a job without a checkpoint policy")
        .isEqualTo(
            id
                + ": RUNNING, being stopped (it cannot checkpoint: the work of this attempt is"
                + " lost); it queues again once stopped\n");
    assertThat(cancel.exit()).isZero();
    assertThat(notRunning.exit()).isEqualTo(1);
    assertThat(notRunning.err()).contains("cannot be held");
  }

  private static Instant at(JsonNode job, String field) {
    return Instant.parse(job.path("attempts").get(0).path(field).asText());
  }

  @Test
  void threeStepsRunInOrder() throws Exception {
    String prepare = submitAfter("prepare", "", "sleep", "2");
    String train = submitAfter("train", prepare, "sleep", "1");
    String evaluate = submitAfter("evaluate", "afterok:" + train, "true");
    String waiting =
        await("evaluate waits for train")
            .atMost(WAIT)
            .pollInterval(Duration.ofMillis(300))
            .until(() -> tern("explain", evaluate).out(), out -> out.contains("waiting for"));

    JsonNode first = cli.awaitState(prepare, "SUCCEEDED");
    JsonNode second = cli.awaitState(train, "SUCCEEDED");
    JsonNode third = cli.awaitState(evaluate, "SUCCEEDED");

    assertThat(waiting).contains("pending: waiting for " + train);
    assertThat(at(second, "started_at")).isAfterOrEqualTo(at(first, "ended_at"));
    assertThat(at(third, "started_at")).isAfterOrEqualTo(at(second, "ended_at"));
  }

  @Test
  void aFailedStepCancelsWhatNeededItAndStartsWhatWaitedForItsFailure() throws Exception {
    String fails = submitAfter("fails", "", "sh", "-c", "sleep 1; exit 3");
    String needsSuccess = submitAfter("needs-success", fails, "true");
    String cleansUp = submitAfter("cleans-up", "afternotok:" + fails, "true");
    String afterAll = submitAfter("after-all", "afterany:" + needsSuccess, "true");

    cli.awaitState(fails, "FAILED");
    JsonNode cancelled = cli.awaitState(needsSuccess, "CANCELLED");
    cli.awaitState(cleansUp, "SUCCEEDED");
    JsonNode last = cli.awaitState(afterAll, "SUCCEEDED");

    assertThat(cancelled.path("attempts").size()).as("never started").isZero();
    assertThat(cancelled.path("pending_reason").asText())
        .isEqualTo("cancelled: dependency never satisfied: " + fails + " FAILED (afterok)");
    assertThat(last.path("attempts").size()).isEqualTo(1);
    String why = "cancelled: dependency never satisfied: " + fails + " FAILED (afterok)";
    assertThat(tern("status", needsSuccess).out()).contains("Reason:     " + why + "\n");
    assertThat(tern("explain", needsSuccess).out()).contains(why);
  }

  @Test
  void aJobHeldAndCancelledIsNotReleased() throws Exception {
    tern("nodes drain", "gpu-1"); // nothing starts before the hold
    String parent = submit("held-parent", "true");
    String child = submitAfter("held-child", parent, "true");
    TernInProcess hold = tern("hold", parent);
    TernInProcess cancel = tern("cancel", parent);
    cli.awaitState(child, "CANCELLED");
    TernInProcess release = tern("release", parent);
    tern("nodes undrain", "gpu-1");
    Thread.sleep(1500); // a released job would be placed by now

    assertThat(hold.exit()).as(hold.err()).isZero();
    assertThat(cancel.out()).isEqualTo(parent + ": CANCELLED\n");
    assertThat(release.exit()).isEqualTo(1);
    assertThat(release.err())
        .contains(
            parent
                + " is CANCELLED and cannot be released: it has ended; only a job a user held"
                + " (tern hold) can be released");
    assertThat(job(parent).path("state").asText()).isEqualTo("JOB_STATE_CANCELLED");
    assertThat(job(parent).path("attempts").size()).as("never started").isZero();
  }

  @Test
  void unknownParentsAndBadTypesAreRefusedAtSubmit() {
    TernInProcess unknown =
        tern("submit", "--name", "x", "--team", "vision", "--after", "job-999999", "--", "true");
    TernInProcess badType =
        tern(
            "submit",
            "--name",
            "x",
            "--team",
            "vision",
            "--after",
            "aftersome:job-1",
            "--",
            "true");

    assertThat(unknown.exit()).isEqualTo(2);
    assertThat(unknown.err()).contains("--after: no job job-999999");
    assertThat(badType.exit()).isEqualTo(2);
    assertThat(badType.err()).contains("--after").contains("'aftersome' is not a dependency type");
  }
}
