package io.tern.cli.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tern.cli.TernCommand;
import io.tern.scheduler.server.SchedulerConfig;
import io.tern.scheduler.server.SchedulerServer;
import io.tern.scheduler.server.loop.SchedulerLoop;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.time.Duration;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The client verbs against a real leader and a standby, through the real command line. */
class ClientVerbsTest {
  private static TestingServer zk;
  private static SchedulerServer leader;
  private static SchedulerServer standby;
  private static String both;

  record Run(int exit, String out, String err) {
    JsonNode json() throws Exception {
      return new ObjectMapper().readTree(out);
    }
  }

  @BeforeAll
  static void start() throws Exception {
    zk = new TestingServer(true);
    leader =
        new SchedulerServer(SchedulerConfig.local(zk.getConnectString(), 0), Clock.systemUTC())
            .start();
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> leader.loop().role().get() == SchedulerLoop.Role.LEADER);
    standby =
        new SchedulerServer(SchedulerConfig.local(zk.getConnectString(), 0), Clock.systemUTC())
            .start();
    // The standby first: the client must follow it to the leader.
    both = standby.address() + "," + leader.address();
  }

  @AfterAll
  static void stop() throws Exception {
    standby.close();
    leader.close();
    zk.close();
  }

  private static Run tern(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    var cli = TernCommand.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    // The verb, then --scheduler, then the rest: after `--` everything is the job's command.
    String[] all = new String[args.length + 2];
    all[0] = args[0];
    all[1] = "--scheduler";
    all[2] = both;
    System.arraycopy(args, 1, all, 3, args.length - 1);
    int exit = cli.execute(all);
    return new Run(exit, out.toString(), err.toString());
  }

  private static String submit(String name) {
    Run run = tern("submit", "--name", name, "--team", "vision", "--gpus", "1", "--", "train");
    assertThat(run.exit()).as(run.err()).isZero();
    return run.out().trim();
  }

  @Test
  void listAndQueueRefuseWhatTheyCannotShowNamingTheFlag() {
    Run typo = tern("list", "--state", "runing");
    Run none = tern("queue", "--limit", "0");

    assertThat(typo.exit()).isEqualTo(2);
    assertThat(typo.err())
        .contains("--state: unknown state \"runing\"; the states are pending, held, starting,")
        .contains("running");
    assertThat(none.exit()).isEqualTo(2);
    assertThat(none.err()).contains("--limit: must be at least 1");
    Run zeroth = tern("logs", "--attempt", "0", submit("logged"));
    assertThat(zeroth.exit()).isEqualTo(2);
    assertThat(zeroth.err()).contains("--attempt: must be 1 or more, got 0");
    Run anyTeam = tern("list", "--team", "");
    assertThat(anyTeam.exit()).as("an empty team would list every team").isEqualTo(2);
    assertThat(anyTeam.err()).contains("--team: must not be empty (leave it out for every team)");
  }

  @Test
  void aSubmitRepeatedWithItsKeyGivesTheSameJobAndSaysSo() {
    String[] args = {
      "submit",
      "--name",
      "keyed",
      "--team",
      "vision",
      "--gpus",
      "1",
      "--idempotency-key",
      "sweep-42",
      "--no-workdir",
      "--",
      "train"
    };
    Run first = tern(args);
    Run again = tern(args);

    assertThat(first.exit()).as(first.err()).isZero();
    assertThat(again.exit()).as(again.err()).isZero();
    assertThat(again.out()).isEqualTo(first.out());
    assertThat(first.err()).doesNotContain("already submitted");
    assertThat(again.err())
        .contains("already submitted with this --idempotency-key: that job, nothing new");

    String[] other = args.clone();
    other[java.util.Arrays.asList(args).indexOf("train")] = "evaluate";
    Run reused = tern(other);
    assertThat(reused.exit()).as("a key names one submission: bad input").isEqualTo(2);
    assertThat(reused.err())
        .contains("--idempotency-key: already used for " + first.out().strip())
        .contains("a new job needs a new key");
  }

  @Test
  void aSchedulerWithoutAStoreSkipsTheSubmitDirectoryAndRefusesAnAskedForOne(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) throws Exception {
    java.nio.file.Path project = java.nio.file.Files.createDirectories(tmp.resolve("project"));
    String relative = java.nio.file.Path.of("").toAbsolutePath().relativize(project).toString();

    Run byDefault = tern("submit", "--name", "plain", "--team", "vision", "--", "train");
    Run asked =
        tern("submit", "--workdir", relative, "--name", "code", "--team", "vision", "--", "train");

    assertThat(byDefault.exit()).as(byDefault.err()).isZero();
    assertThat(byDefault.err()).contains("note: the scheduler keeps no code");
    assertThat(asked.exit()).isEqualTo(1);
    assertThat(asked.out()).isEmpty();
    assertThat(asked.err())
        .contains("the job was not submitted: the scheduler keeps no code")
        .contains("--checkpoint-store")
        .contains("--no-workdir");
  }

  @Test
  void submitListStatusExplainAndQueueFollowTheLeader() throws Exception {
    String id = submit("listed");

    JsonNode list = tern("list", "--team", "vision", "-o", "json").json();
    Run status = tern("status", id);
    JsonNode explain = tern("explain", id, "-o", "json").json();
    Run queue = tern("queue");

    assertThat(id).matches("job-\\d{6}");
    assertThat(list.get("jobs").findValuesAsText("id")).contains(id);
    assertThat(status.out()).contains("Job:        " + id).contains("State:      PENDING");
    assertThat(explain.get("summary").asText()).startsWith("pending:");
    assertThat(queue.out()).contains(id).contains("queued");
  }

  @Test
  void cancelEndsAQueuedJobAndWatchReportsItsEnd() {
    String id = submit("doomed");

    Run cancel = tern("cancel", id, "--reason", "not needed");
    Run watch = tern("watch", id);

    assertThat(cancel.exit()).isZero();
    assertThat(cancel.out()).contains(id + ": CANCELLED");
    assertThat(watch.exit()).as("a cancelled job's watch exits 1").isEqualTo(1);
    assertThat(watch.out()).contains("CANCELLED");
    assertThat(tern("status", id).out()).contains("Reason:     cancelled: not needed");

    Run again = tern("cancel", id);
    assertThat(again.exit()).isEqualTo(1);
    assertThat(again.err())
        .isEqualTo(
            "tern cancel: " + id + " already finished (CANCELLED); there is nothing to cancel\n");
  }

  @Test
  void refusalsPrintTheSchedulersWordsWithoutTheStatusCode() {
    String id = submit("finished");
    assertThat(tern("cancel", id).exit()).isZero();

    for (String verb : new String[] {"hold", "release", "requeue"}) {
      Run refused = tern(verb, id);

      assertThat(refused.exit()).as(refused.err()).isEqualTo(1);
      assertThat(refused.err())
          .startsWith("tern " + verb + ": " + id + " is CANCELLED and cannot be ")
          .doesNotContain("FAILED_PRECONDITION");
    }
    Run update = tern("update", id, "--priority", "high");
    assertThat(update.exit()).isEqualTo(1);
    assertThat(update.err())
        .isEqualTo(
            "tern update: "
                + id
                + " is CANCELLED and cannot be updated: only a queued job can be updated\n");
  }

  @Test
  void updateErrorsNameTheFlagsAsSubmitsDo() {
    String id = submit("updated");

    Run retries = tern("update", id, "--retries", "-1");
    Run deadline = tern("update", id, "--deadline", "2020-01-01T00:00:00Z");
    Run priority = tern("update", id, "--priority", "urgent");
    Run submitRetries =
        tern("submit", "--name", "n", "--team", "vision", "--retries", "-1", "--", "train");

    assertThat(retries.exit()).isEqualTo(2);
    assertThat(retries.err()).startsWith("tern update: --retries: must be between 0 and ");
    assertThat(submitRetries.err()).startsWith("tern submit: --retries: must be between 0 and ");
    assertThat(deadline.exit()).isEqualTo(2);
    assertThat(deadline.err())
        .startsWith("tern update: --deadline: 2020-01-01T00:00:00Z has passed");
    assertThat(priority.exit()).isEqualTo(2);
    assertThat(priority.err()).startsWith("tern update: --priority: ");
  }

  @Test
  void jsonShowsTheCommandAndEnvironmentAsTyped() throws Exception {
    Run submitted =
        tern(
            "submit",
            "--name",
            "eq",
            "--team",
            "vision",
            "--env",
            "A=x=1&y<2>'",
            "--",
            "echo",
            "a=b");
    String id = submitted.out().trim();

    Run status = tern("status", id, "-o", "json");

    assertThat(status.exit()).as(status.err()).isZero();
    assertThat(status.out())
        .contains("\"a=b\"")
        .contains("\"A\": \"x=1&y<2>'\"")
        .doesNotContain("\\u00");
    assertThat(status.json().at("/spec/env/A").asText()).isEqualTo("x=1&y<2>'");
  }

  @Test
  void logsAndWatchOfAnArrayAskForOneOfItsTasks() {
    Run submitted =
        tern("submit", "--array", "0-3", "--name", "arr", "--team", "vision", "--", "train");
    assertThat(submitted.exit()).as(submitted.err()).isZero();
    String array = submitted.out().trim();

    for (String verb : new String[] {"logs", "watch"}) {
      Run run = tern(verb, array);

      assertThat(run.exit()).as(run.err()).isEqualTo(2);
      assertThat(run.err())
          .isEqualTo(
              "tern "
                  + verb
                  + ": "
                  + array
                  + " is an array of 4 tasks, not one job: name a task, e.g. "
                  + array
                  + "-0 (tern status "
                  + array
                  + " lists them)\n");
    }
  }

  @Test
  void logsOfAJobCancelledBeforeItStartedSaysSo() {
    String id = submit("never-ran");
    assertThat(tern("cancel", id).exit()).isZero();

    for (String[] args : new String[][] {{"logs", id}, {"logs", "-f", id}}) {
      Run logs = tern(args);

      assertThat(logs.exit()).as(String.join(" ", args)).isEqualTo(1);
      assertThat(logs.err())
          .isEqualTo("tern logs: " + id + " was cancelled before it started: it has no logs\n");
    }
  }

  @Test
  void aParentThatDoesNotExistIsRefusedNamingWhereItCameFrom(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) throws Exception {
    String parent = submit("parent");
    // With the submit directory to ship: refused before any of it is packed or sent.
    Run shipping =
        tern("submit", "--after", "job-999999", "--name", "n", "--team", "vision", "--", "t");
    Run notShipping =
        tern(
            "submit",
            "--no-workdir",
            "--after",
            parent,
            "--after",
            "afterany:job-999998",
            "--name",
            "n",
            "--team",
            "vision",
            "--",
            "t");
    java.nio.file.Path spec = tmp.resolve("child.yaml");
    java.nio.file.Files.writeString(
        spec, "name: n\nteam: vision\ncommand: [t]\ndependsOn: [job-999997]\n");
    Run fromFile = tern("submit", "--no-workdir", spec.toString());

    assertThat(shipping.exit()).as(shipping.err()).isEqualTo(2);
    assertThat(shipping.err())
        .isEqualTo("tern submit: --after: no job job-999999\n")
        .doesNotContain("note:");
    assertThat(notShipping.exit()).isEqualTo(2);
    assertThat(notShipping.err()).isEqualTo("tern submit: --after: no job job-999998\n");
    assertThat(fromFile.exit()).isEqualTo(2);
    assertThat(fromFile.err()).isEqualTo("tern submit: spec.dependsOn[0]: no job job-999997\n");
  }

  @Test
  void unknownJobExitsOneAndAMalformedIdExitsTwo() {
    Run unknown = tern("status", "job-999999");
    Run malformed = tern("status", "42");

    assertThat(unknown.exit()).isEqualTo(1);
    assertThat(unknown.err()).contains("no job job-999999");
    assertThat(malformed.exit()).isEqualTo(2);
    assertThat(malformed.err()).contains("job_id");
  }

  @Test
  void nodesListsNoneYet() throws Exception {
    JsonNode nodes = tern("nodes", "-o", "json").json();

    assertThat(nodes.path("nodes").size()).isZero();
  }
}
