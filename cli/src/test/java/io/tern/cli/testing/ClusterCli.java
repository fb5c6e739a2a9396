package io.tern.cli.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Client verbs run in this JVM against one scheduler, as a user types them, and the waits the
 * end-to-end tests built on them share (polling with a deadline, never sleeping).
 *
 * @param scheduler the scheduler's host:port
 * @param patience how long a wait may take before the test fails
 */
public record ClusterCli(String scheduler, Duration patience) {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * {@code tern VERB --scheduler ADDRESS ARGS...}; {@code verb} may name a subcommand too ({@code
   * "nodes drain"}). The flag goes before the arguments, so before any {@code --}.
   */
  public TernInProcess tern(String verb, String... args) {
    List<String> all = new ArrayList<>(List.of(verb.split(" ")));
    all.add("--scheduler");
    all.add(scheduler);
    all.addAll(List.of(args));
    return TernInProcess.run(all.toArray(String[]::new));
  }

  /** {@code tern submit} of a one-GPU job of team vision; returns its id. */
  public String submit(String name, List<String> flags, String... command) {
    List<String> args = new ArrayList<>(List.of("--name", name, "--team", "vision", "--gpus", "1"));
    args.addAll(flags);
    args.add("--");
    args.addAll(List.of(command));
    TernInProcess run = tern("submit", args.toArray(String[]::new));
    assertThat(run.exit()).as(run.err()).isZero();
    return run.out().trim();
  }

  /** The job as {@code tern status JOB -o json} prints it. */
  public JsonNode job(String id) throws Exception {
    TernInProcess run = tern("status", id, "-o", "json");
    assertThat(run.exit()).as(run.err()).isZero();
    return JSON.readTree(run.out());
  }

  /** Waits until the job is in {@code state} (e.g. "SUCCEEDED"); returns it then. */
  public JsonNode awaitState(String id, String state) {
    return await(id + " " + state)
        .atMost(patience)
        .pollInterval(Duration.ofMillis(300))
        .until(() -> job(id), j -> j.path("state").asText().equals("JOB_STATE_" + state));
  }

  /** Waits until {@code tern nodes} lists a READY node. */
  public void awaitReadyNode() {
    await("a READY node")
        .atMost(patience)
        .pollInterval(Duration.ofMillis(500))
        .until(() -> tern("nodes").out().contains("READY"));
  }
}
