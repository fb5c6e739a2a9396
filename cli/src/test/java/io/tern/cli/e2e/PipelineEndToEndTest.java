package io.tern.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
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
 * Pipelines with {@code tern submit --after} on real processes ({@code tern zk}, {@code tern
 * scheduler}, one {@code tern agent} with two simulated GPUs, so order comes from the dependencies,
 * not from a lack of GPUs) running real job processes: three steps run in order; a failed step
 * cancels the step that needed it to succeed, and starts the one that waited for its failure.
 */
class PipelineEndToEndTest {
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

  /** Submits a one-GPU job running {@code command}, after {@code after} if not empty. */
  private static String submit(String name, String after, String... command) {
    return cli.submit(name, after.isEmpty() ? List.of() : List.of("--after", after), command);
  }

  private static JsonNode awaitState(String id, String state) {
    return cli.awaitState(id, state);
  }

  private static Instant at(JsonNode job, String field) {
    return Instant.parse(job.path("attempts").get(0).path(field).asText());
  }

  @Test
  void threeStepsRunInOrder() throws Exception {
    String prepare = submit("prepare", "", "sleep", "2");
    String train = submit("train", prepare, "sleep", "1");
    String evaluate = submit("evaluate", "afterok:" + train, "true");
    String waiting =
        await("evaluate waits for train")
            .atMost(WAIT)
            .pollInterval(Duration.ofMillis(300))
            .until(() -> tern("explain", evaluate).out(), out -> out.contains("waiting for"));

    JsonNode first = awaitState(prepare, "SUCCEEDED");
    JsonNode second = awaitState(train, "SUCCEEDED");
    JsonNode third = awaitState(evaluate, "SUCCEEDED");

    assertThat(waiting).contains("pending: waiting for " + train);
    assertThat(at(second, "started_at")).isAfterOrEqualTo(at(first, "ended_at"));
    assertThat(at(third, "started_at")).isAfterOrEqualTo(at(second, "ended_at"));
  }

  @Test
  void aFailedStepCancelsWhatNeededItAndStartsWhatWaitedForItsFailure() throws Exception {
    String fails = submit("fails", "", "sh", "-c", "sleep 1; exit 3");
    String needsSuccess = submit("needs-success", fails, "true");
    String cleansUp = submit("cleans-up", "afternotok:" + fails, "true");
    String afterAll = submit("after-all", "afterany:" + needsSuccess, "true");

    awaitState(fails, "FAILED");
    JsonNode cancelled = awaitState(needsSuccess, "CANCELLED");
    awaitState(cleansUp, "SUCCEEDED");
    JsonNode last = awaitState(afterAll, "SUCCEEDED");

    assertThat(cancelled.path("attempts").size()).as("never started").isZero();
    assertThat(cancelled.path("pending_reason").asText())
        .isEqualTo("cancelled: dependency never satisfied: " + fails + " FAILED (afterok)");
    assertThat(last.path("attempts").size()).isEqualTo(1);
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
    assertThat(unknown.err()).contains("spec.dependsOn[0]: no job job-999999");
    assertThat(badType.exit()).isEqualTo(2);
    assertThat(badType.err()).contains("--after").contains("'aftersome' is not a dependency type");
  }
}
