package io.tern.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tern.cli.testing.ClusterCli;
import io.tern.cli.testing.FaultCluster;
import io.tern.cli.testing.TernInProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Job arrays from the {@code tern} command against real processes ({@code tern zk}, {@code tern
 * scheduler}, one {@code tern agent} with 16 simulated GPUs, twice the array's limit, so the limit
 * and not the GPUs is what holds tasks back): a 50-task array with 8 at once finishes with every
 * index run once and never more than 8 tasks running; {@code tern status ARRAY} shows its tasks; a
 * job submitted {@code --after ARRAY} starts once every task has ended; {@code tern cancel} stops
 * one task or the whole array; a bad range is refused with exit 2.
 */
class ArrayEndToEndTest {
  private static final Duration WAIT = Duration.ofSeconds(120);

  @TempDir static Path dir;
  private static FaultCluster cluster;
  private static ClusterCli cli;

  @BeforeAll
  static void startCluster() throws Exception {
    cluster = new FaultCluster(dir);
    cli = new ClusterCli(cluster.address(), WAIT);
    cluster.startAgent("gpu-1", 16);
    cli.awaitReadyNode();
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static JsonNode tasks(String arrayId) throws Exception {
    TernInProcess run = cli.tern("status", arrayId, "-o", "json");
    assertThat(run.exit()).as(run.err()).isZero();
    return new ObjectMapper().readTree(run.out()).path("jobs");
  }

  private static long count(JsonNode tasks, String state) {
    long n = 0;
    for (JsonNode t : tasks) {
      n += t.path("state").asText().equals("JOB_STATE_" + state) ? 1 : 0;
    }
    return n;
  }

  @Test
  void fiftyTasksEightAtATimeRunEachIndexOnce() throws Exception {
    Path running = Files.createDirectories(dir.resolve("running"));
    Path counts = dir.resolve("counts");
    Path done = dir.resolve("done");
    // Each task marks itself running, counts the tasks marked (never fewer than run at once at
    // that moment, since a mark lives only while its process does), works a while, unmarks.
    String script =
        "touch \"$R/$TERN_ARRAY_INDEX\"; ls \"$R\" | wc -l >> \"$C\"; sleep 1;"
            + " rm \"$R/$TERN_ARRAY_INDEX\"; echo \"$TERN_ARRAY_INDEX $TERN_ARRAY_ID\" >> \"$D\"";
    String id =
        cli.submit(
            "sweep",
            List.of(
                "--array",
                "0-49%8",
                "--env",
                "R=" + running,
                "--env",
                "C=" + counts,
                "--env",
                "D=" + done),
            "bash",
            "-c",
            script);
    String after = cli.submit("after-sweep", List.of("--after", id), "true");

    JsonNode finished =
        await("all 50 tasks succeed")
            .atMost(WAIT)
            .pollInterval(Duration.ofMillis(500))
            .until(() -> tasks(id), t -> count(t, "SUCCEEDED") == 50);
    TernInProcess table = cli.tern("status", id);
    JsonNode next = cli.awaitState(after, "SUCCEEDED");
    Instant lastTaskEnded =
        java.util.stream.StreamSupport.stream(finished.spliterator(), false)
            .map(t -> Instant.parse(t.path("attempts").get(0).path("ended_at").asText()))
            .max(Instant::compareTo)
            .orElseThrow();

    assertThat(id).matches("job-[0-9]{6}");
    assertThat(finished).hasSize(50);
    List<String> lines = Files.readAllLines(done);
    List<String> expected = new ArrayList<>();
    IntStream.range(0, 50).forEach(i -> expected.add(i + " " + id));
    assertThat(lines).as("every index once").containsExactlyInAnyOrderElementsOf(expected);
    List<Integer> seen =
        Files.readAllLines(counts).stream().map(s -> Integer.parseInt(s.trim())).toList();
    assertThat(seen).hasSize(50);
    assertThat(seen.stream().mapToInt(Integer::intValue).max().orElseThrow())
        .as("never more than 8 at once, and more than one at a time")
        .isBetween(2, 8);
    assertThat(Instant.parse(next.path("attempts").get(0).path("placed_at").asText()))
        .as("--after ARRAY waits for every task")
        .isAfterOrEqualTo(lastTaskEnded);
    assertThat(table.out())
        .contains("Array:      " + id + "  (sweep)")
        .contains("Tasks:      50 (0-49%8, at most 8 at once)")
        .contains("States:     50 succeeded")
        .contains(id + "-49");
  }

  @Test
  void aTaskOrTheWholeArrayIsCancelled() throws Exception {
    String id = cli.submit("long", List.of("--array", "0-5%2"), "sleep", "600");
    await("two tasks run")
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(300))
        .until(() -> tasks(id), t -> count(t, "RUNNING") == 2);

    TernInProcess one = cli.tern("cancel", id + "-3");
    cli.awaitState(id + "-3", "CANCELLED");
    TernInProcess all = cli.tern("cancel", id);
    JsonNode ended =
        await("every task cancelled")
            .atMost(WAIT)
            .pollInterval(Duration.ofMillis(300))
            .until(() -> tasks(id), t -> count(t, "CANCELLED") == 6);
    TernInProcess list = cli.tern("list");
    TernInProcess again = cli.tern("cancel", id);
    TernInProcess logs = cli.tern("logs", id);

    assertThat(one.exit()).as(one.err()).isZero();
    assertThat(all.exit()).as(all.err()).isZero();
    assertThat(all.out()).startsWith(id + ": cancelled its tasks");
    assertThat(again.exit()).isEqualTo(1);
    assertThat(again.err()).contains("array " + id + " already finished");
    assertThat(logs.exit()).isEqualTo(2);
    assertThat(logs.err()).contains(id + " is an array of 6 tasks").contains(id + "-0");
    assertThat(ended).hasSize(6);
    assertThat(list.out()).contains(id + "-0").contains(id + "-5");
  }

  @Test
  void aBadRangeIsRefusedNamingTheFlag() {
    TernInProcess bad =
        cli.tern("submit", "--name", "x", "--team", "vision", "--array", "9-0%2", "--", "true");
    TernInProcess unknown = cli.tern("status", "job-999999");
    TernInProcess twice =
        cli.tern("submit", "--name", "x", "--team", "vision", "--array", "1,1,2", "--", "true");

    assertThat(bad.exit()).isEqualTo(2);
    assertThat(bad.err()).contains("--array: '9-0': the range ends before it starts");
    assertThat(unknown.exit()).isEqualTo(1);
    assertThat(twice.exit()).isEqualTo(2);
    assertThat(twice.err()).contains("--array: index 1 is listed more than once");
  }
}
