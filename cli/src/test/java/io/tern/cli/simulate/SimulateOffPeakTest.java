package io.tern.cli.simulate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tern.cli.TernCommand;
import io.tern.cli.testing.TernInProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code tern simulate --offpeak ... --trace-start ...}: a FinOps window replayed. */
class SimulateOffPeakTest {
  private static final String WEEKNIGHTS = "0 0 20 ? * MON-FRI;10h;UTC";

  @TempDir Path dir;

  /** One low-priority on-demand hour submitted at the trace start. */
  private Path trace() throws Exception {
    return Files.writeString(
        dir.resolve("trace.csv"),
        """
        id,submit,duration,gpus,team,priority,capacity,checkpoint_interval
        low,0,3600,1,vision,low,on-demand,
        """);
  }

  private JsonNode tern(String... windowFlags) throws Exception {
    String[] base = {
      "simulate", "--jobs", trace().toString(), "--policy", "tern", "-o", "json",
    };
    String[] args = new String[base.length + windowFlags.length];
    System.arraycopy(base, 0, args, 0, base.length);
    System.arraycopy(windowFlags, 0, args, base.length, windowFlags.length);
    TernInProcess run = TernInProcess.run(args);
    assertThat(run.exit()).as(run.err()).isZero();
    return new ObjectMapper().readTree(run.out());
  }

  @Test
  void aLowPriorityJobWaitsForTheWindowOfTheTracesCalendar() throws Exception {
    JsonNode without = tern();
    JsonNode monday = tern("--offpeak", WEEKNIGHTS, "--trace-start", "2026-07-06T00:00:00Z");
    JsonNode saturday = tern("--offpeak", WEEKNIGHTS, "--trace-start", "2026-07-04T12:00:00Z");

    double noWait = wait(without);
    assertThat(noWait).isLessThan(0.5);
    assertThat(wait(monday)).as("waits until Monday 20:00").isBetween(20.0, 20.5);
    assertThat(wait(saturday))
        .as("Saturday noon: no weekend window, Monday 20:00")
        .isBetween(56.0, 56.5);
    assertThat(monday.get("modelNotes").toString()).contains("0 0 20 ? * MON-FRI").contains("UTC");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "--offpeak|0 0 20 ? * MON-FRI;10h|expected CRON;DURATION;ZONE",
        "--offpeak|0 0 25 * * ?;10h;UTC|not a Quartz cron",
        "--offpeak|0 0 20 * * ?;ten hours;UTC|not a duration",
        "--offpeak|0 0 20 * * ?;10h;Mars/Olympus|not an IANA time zone",
        "--trace-start|last monday|expected an instant"
      })
  void aBadWindowIsBadInputNamingTheFlag(String flag, String value, String problem)
      throws Exception {
    TernInProcess run = TernInProcess.run("simulate", "--jobs", trace().toString(), flag, value);

    assertThat(run.exit()).isEqualTo(TernCommand.EXIT_BAD_INPUT);
    assertThat(run.err()).contains(flag).contains(problem);
  }

  /** The tern policy's median queue wait, in hours. */
  private static double wait(JsonNode summary) {
    for (JsonNode policy : summary.get("policies")) {
      if (policy.get("policy").asText().equals("tern")) {
        return policy.at("/queueWaitHours/p50").asDouble();
      }
    }
    throw new AssertionError("no tern policy in " + summary);
  }
}
