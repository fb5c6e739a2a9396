package io.tern.cli.finops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tern.cli.TernCommand;
import io.tern.cli.client.Protos;
import io.tern.cli.client.SinceFlag;
import io.tern.scheduler.server.SchedulerConfig;
import io.tern.scheduler.server.SchedulerServer;
import io.tern.scheduler.server.loop.SchedulerLoop;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;

/**
 * {@code tern offpeak|budget|cost}: flags and exit codes in-process, and one round trip against an
 * in-process scheduler. The commands are added to the root here, as TernCommand will register them.
 */
class FinOpsCommandsTest {
  record Run(int exit, String out, String err) {}

  static Run tern(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    var cli = TernCommand.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int exit = cli.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  // An address nothing listens on: bad input must be refused before any connection.
  private static final String NOWHERE = "127.0.0.1:1";

  @Test
  void badCronExitsTwoNamingTheFlag() {
    Run run =
        tern(
            "offpeak",
            "set",
            "nights",
            "--cron",
            "every night",
            "--duration",
            "10h",
            "--scheduler",
            NOWHERE,
            "--wait",
            "0");

    assertThat(run.exit).isEqualTo(2);
    assertThat(run.err).contains("--cron: 'every night' is not a Quartz cron expression");
  }

  @Test
  void badDurationAndZoneExitTwoNamingTheFlag() {
    Run duration =
        tern(
            "offpeak",
            "set",
            "nights",
            "--cron",
            "0 0 20 * * ?",
            "--duration",
            "ten hours",
            "--scheduler",
            NOWHERE);
    Run zone =
        tern(
            "offpeak",
            "set",
            "nights",
            "--cron",
            "0 0 20 * * ?",
            "--duration",
            "10h",
            "--tz",
            "Mars/Olympus",
            "--scheduler",
            NOWHERE);
    Run missing = tern("offpeak", "set", "nights", "--duration", "10h");

    assertThat(duration.exit).isEqualTo(2);
    assertThat(duration.err).contains("--duration: 'ten hours' is not a duration");
    assertThat(zone.exit).isEqualTo(2);
    assertThat(zone.err).contains("--tz: 'Mars/Olympus' is not an IANA time zone");
    assertThat(missing.exit).isEqualTo(2);
    assertThat(missing.err).contains("--cron");
  }

  private static Run budgetWithSpotWait(String wait) {
    return tern(
        "budget",
        "set",
        "--team",
        "vision",
        "--daily-usd",
        "5",
        "--spot-wait",
        wait,
        "--scheduler",
        NOWHERE);
  }

  @Test
  void softThresholdsListAsGiven() {
    assertThat(BudgetCommand.percent(0.8)).isEqualTo("80%");
    assertThat(BudgetCommand.percent(0.125)).isEqualTo("12.5%");
    assertThat(BudgetCommand.percent(0.001)).isEqualTo("0.1%");
  }

  @Test
  void badBudgetFlagsExitTwoNamingTheFlag() {
    Run noLimit = tern("budget", "set", "--team", "vision", "--scheduler", NOWHERE);
    Run softAt =
        tern(
            "budget",
            "set",
            "--team",
            "vision",
            "--monthly-usd",
            "100",
            "--soft-at",
            "180%",
            "--scheduler",
            NOWHERE);
    Run notANumber = tern("budget", "set", "--team", "vision", "--monthly-usd", "lots");
    Run negative =
        tern("budget", "set", "--team", "vision", "--daily-usd", "-5", "--scheduler", NOWHERE);
    Run badTeam = tern("budget", "delete", "--team", "bad team!", "--scheduler", NOWHERE);
    Run spotWait = budgetWithSpotWait("9d");
    Run spotWaitText = budgetWithSpotWait("soon");

    assertThat(noLimit.exit).isEqualTo(2);
    assertThat(noLimit.err).contains("--monthly-usd: a budget needs monthly_usd or daily_usd");
    assertThat(softAt.exit).isEqualTo(2);
    assertThat(softAt.err).contains("--soft-at: '180%'");
    assertThat(notANumber.exit).isEqualTo(2);
    assertThat(notANumber.err).contains("--monthly-usd");
    assertThat(badTeam.exit).isEqualTo(2);
    assertThat(badTeam.err).contains("--team: ");
    assertThat(negative.exit).isEqualTo(2);
    assertThat(negative.err)
        .contains("--daily-usd: must be a number from 0 (no limit) to 1000000000");
    assertThat(spotWait.exit).isEqualTo(2);
    assertThat(spotWait.err).contains("--spot-wait: must be between 0s and 168h");
    assertThat(spotWaitText.exit).isEqualTo(2);
    assertThat(spotWaitText.err).contains("--spot-wait: 'soon' must be a duration");
  }

  @Test
  void badSinceExitsTwoNamingTheFlag() {
    Run run = tern("cost", "--since", "last tuesday", "--scheduler", NOWHERE);

    assertThat(run.exit).isEqualTo(2);
    assertThat(run.err).contains("--since: 'last tuesday' is not a date");
  }

  @Test
  void aTeamNoJobCouldHaveExitsTwoNamingTheFlag() {
    Run run = tern("cost", "--team", "A B", "--scheduler", NOWHERE);

    assertThat(run.exit).isEqualTo(2);
    assertThat(run.err)
        .contains(
            "--team: may contain only lower-case letters, digits, '_' and '-' (and start with"
                + " one), got \"A B\"");
  }

  @Test
  void sinceReadsDatesInstantsAndDurations() {
    Instant now = Instant.parse("2025-06-15T10:00:00Z");

    assertThat(SinceFlag.parse("2025-06-01", now)).contains(Instant.parse("2025-06-01T00:00:00Z"));
    assertThat(SinceFlag.parse("2025-06-01T12:30:00Z", now))
        .contains(Instant.parse("2025-06-01T12:30:00Z"));
    assertThat(SinceFlag.parse("7d", now)).contains(Instant.parse("2025-06-08T10:00:00Z"));
    assertThat(SinceFlag.parse("June", now)).isEmpty();
    assertThat(BudgetCommand.parseFraction("80%")).isEqualTo(0.8);
    assertThat(BudgetCommand.parseFraction("0.5")).isEqualTo(0.5);
    assertThat(Protos.usd(0.006)).isEqualTo("$0.0060");
    assertThat(Protos.usd(0)).isEqualTo("$0.00");
    assertThat(Protos.usd(1234.5)).isEqualTo("$1,234.50");
    assertThatThrownBy(() -> BudgetCommand.parseFraction("150%"))
        .hasMessage(
            "--soft-at: '150%' must be above 0% and at most 100% (a fraction above 0, up to 1)");
    assertThatThrownBy(() -> BudgetCommand.parseFraction("most"))
        .hasMessage("--soft-at: 'most' must be a percentage like 80% or a fraction like 0.8");
  }

  @Test
  void setListDeleteAgainstAnInProcessScheduler() throws Exception {
    try (TestingServer zk = new TestingServer(true);
        SchedulerServer server =
            new SchedulerServer(SchedulerConfig.local(zk.getConnectString(), 0), Clock.systemUTC())
                .start()) {
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> server.loop().role().get() == SchedulerLoop.Role.LEADER);
      String at = server.address();

      Run set =
          tern(
              "offpeak",
              "set",
              "weeknights",
              "--cron",
              "0 0 20 ? * MON-FRI",
              "--duration",
              "11h",
              "--tz",
              "Europe/Berlin",
              "--scheduler",
              at);
      Run list = tern("offpeak", "list", "--scheduler", at);
      Run json = tern("offpeak", "list", "-o", "json", "--scheduler", at);
      Run budget =
          tern(
              "budget",
              "set",
              "--team",
              "vision",
              "--monthly-usd",
              "5000",
              "--daily-usd",
              "300",
              "--soft-at",
              "80%",
              "--spot-wait",
              "45m",
              "--scheduler",
              at);
      Run budgets = tern("budget", "list", "--scheduler", at);
      Run cost = tern("cost", "--team", "vision", "--since", "7d", "--scheduler", at);
      Run costJson = tern("cost", "-o", "json", "--scheduler", at);
      Run delete = tern("offpeak", "delete", "weeknights", "--scheduler", at);
      Run again = tern("offpeak", "delete", "weeknights", "--scheduler", at, "--wait", "0");
      Run budgetGone = tern("budget", "delete", "--team", "vision", "--scheduler", at);
      Run budgetsAfter = tern("budget", "list", "--scheduler", at);
      Run budgetAgain =
          tern("budget", "delete", "--team", "vision", "--scheduler", at, "--wait", "0");

      assertThat(set.exit).as(set.err).isZero();
      assertThat(set.out).startsWith("off-peak window weeknights set; ").contains("Europe/Berlin");
      assertThat(list.out)
          .contains("NAME", "NEXT OPENING", "weeknights", "0 0 20 ? * MON-FRI", "11h")
          .containsPattern("\\d{4}-\\d\\d-\\d\\d 20:00");
      JsonNode windows = new ObjectMapper().readTree(json.out).get("windows");
      assertThat(windows.get(0).get("name").asText()).isEqualTo("weeknights");
      assertThat(windows.get(0).get("time_zone").asText()).isEqualTo("Europe/Berlin");
      assertThat(windows.get(0).has("next_open")).isTrue();
      assertThat(budget.exit).as(budget.err).isZero();
      assertThat(budget.out).contains("budget for vision set").endsWith("ok\n");
      assertThat(budgets.out).contains("vision", "$5,000.00", "$300.00", "80%", "45m", "ok");
      assertThat(cost.exit).as(cost.err).isZero();
      assertThat(cost.out).contains("TEAM", "total", "$0.00");
      assertThat(new ObjectMapper().readTree(costJson.out).has("since")).isTrue();
      assertThat(delete.out).isEqualTo("off-peak window weeknights deleted\n");
      assertThat(again.exit).isEqualTo(1);
      assertThat(again.err).contains("no off-peak window named 'weeknights'");
      assertThat(budgetGone.exit).as(budgetGone.err).isZero();
      assertThat(budgetGone.out).isEqualTo("budget of team vision deleted\n");
      assertThat(budgetsAfter.out).doesNotContain("vision");
      assertThat(budgetAgain.exit).isEqualTo(1);
      assertThat(budgetAgain.err).contains("no budget for team 'vision'");
    }
  }
}
