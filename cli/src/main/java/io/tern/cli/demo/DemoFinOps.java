package io.tern.cli.demo;

import static io.tern.cli.demo.Poll.check;

import com.google.protobuf.Duration;
import io.tern.api.v1.Budget;
import io.tern.api.v1.CostLine;
import io.tern.api.v1.CostReport;
import io.tern.api.v1.FinOpsServiceGrpc;
import io.tern.api.v1.GetCostReportRequest;
import io.tern.api.v1.ListBudgetsRequest;
import io.tern.api.v1.ListOffPeakWindowsRequest;
import io.tern.api.v1.OffPeakWindow;
import io.tern.api.v1.SetBudgetRequest;
import io.tern.api.v1.SetOffPeakWindowRequest;
import io.tern.cli.client.SchedulerClient;
import io.tern.cli.client.Table;
import io.tern.scheduler.server.offpeak.WindowValidation;
import io.tern.scheduler.spec.Durations;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * The demo's FinOps calls: an off-peak window that is open now, a team budget, and the cost and
 * waste report with its consistency checks (jobs add up to their team, teams to the total).
 */
final class DemoFinOps {
  static final String WINDOW = "demo-offpeak";
  static final java.time.Duration WINDOW_LENGTH = java.time.Duration.ofHours(2);
  static final String BUDGET_TEAM = "research";
  static final double BUDGET_DAILY_USD = 5;
  static final double BUDGET_MONTHLY_USD = 100;
  static final double BUDGET_SOFT_AT = 0.8;

  /** Sums may differ from the reported totals by floating-point rounding only. */
  private static final double TOLERANCE = 1e-6;

  /** The figures a cost line holds, by the name the demo prints. */
  private static final Map<String, ToDoubleFunction<CostLine>> FIGURES = new LinkedHashMap<>();

  static {
    FIGURES.put("GPU-hours", CostLine::getGpuHours);
    FIGURES.put("spot $", CostLine::getSpotUsd);
    FIGURES.put("on-demand $", CostLine::getOnDemandUsd);
    FIGURES.put("lost GPU-hours", CostLine::getLostGpuHours);
    FIGURES.put("idle GPU-hours", CostLine::getIdleGpuHours);
    FIGURES.put("on-demand premium $", CostLine::getOnDemandPremiumUsd);
    FIGURES.put("spot saving $", CostLine::getSpotSavingUsd);
    FIGURES.put("changeovers", CostLine::getChangeovers);
    FIGURES.put("changeover $", CostLine::getChangeoverUsd);
    FIGURES.put("returns to spot", CostLine::getReturnsToSpot);
  }

  private final SchedulerClient client;

  DemoFinOps(SchedulerClient client) {
    this.client = client;
  }

  private FinOpsServiceGrpc.FinOpsServiceBlockingStub stub(io.grpc.Channel c) {
    return FinOpsServiceGrpc.newBlockingStub(c).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  /**
   * A window that opens every day at the start of the current UTC hour and stays open for two
   * hours: it opened at most an hour ago and is open now.
   */
  static OffPeakWindow openNowWindow(Instant now) {
    int hour = now.atZone(ZoneOffset.UTC).getHour();
    OffPeakWindow window =
        OffPeakWindow.newBuilder()
            .setName(WINDOW)
            .setCron("0 0 " + hour + " ? * *")
            .setDuration(Duration.newBuilder().setSeconds(WINDOW_LENGTH.toSeconds()))
            .setTimeZone("UTC")
            .build();
    WindowValidation.fromProto(window); // what the scheduler accepts, checked here first
    return window;
  }

  /** When the window {@link #openNowWindow} made at {@code now} closes. */
  static Instant closes(Instant now) {
    return now.truncatedTo(java.time.temporal.ChronoUnit.HOURS).plus(WINDOW_LENGTH);
  }

  OffPeakWindow setWindow(OffPeakWindow window) {
    return client.call(
        c ->
            stub(c)
                .setOffPeakWindow(SetOffPeakWindowRequest.newBuilder().setWindow(window).build()));
  }

  /** The window by name as ListOffPeakWindows reports it (with open_now), if listed. */
  java.util.Optional<OffPeakWindow> listedWindow(String name) {
    return client
        .call(c -> stub(c).listOffPeakWindows(ListOffPeakWindowsRequest.getDefaultInstance()))
        .getWindowsList()
        .stream()
        .filter(w -> w.getName().equals(name))
        .findFirst();
  }

  Budget setBudget() {
    return client.call(
        c ->
            stub(c)
                .setBudget(
                    SetBudgetRequest.newBuilder()
                        .setBudget(
                            Budget.newBuilder()
                                .setTeam(BUDGET_TEAM)
                                .setDailyUsd(BUDGET_DAILY_USD)
                                .setMonthlyUsd(BUDGET_MONTHLY_USD)
                                .setSoftAt(BUDGET_SOFT_AT))
                        .build()));
  }

  java.util.Optional<Budget> budget(String team) {
    return client
        .call(c -> stub(c).listBudgets(ListBudgetsRequest.getDefaultInstance()))
        .getBudgetsList()
        .stream()
        .filter(b -> b.getTeam().equals(team))
        .findFirst();
  }

  /** The ledger from {@code since} (the demo's start) until now, every team. */
  CostReport costReport(Instant since) {
    return client.call(
        c ->
            stub(c)
                .getCostReport(
                    GetCostReportRequest.newBuilder()
                        .setSince(
                            com.google.protobuf.Timestamp.newBuilder()
                                .setSeconds(since.getEpochSecond())
                                .setNanos(since.getNano()))
                        .build()));
  }

  static String describe(OffPeakWindow w) {
    return String.format(
        Locale.ROOT,
        "%s: cron \"%s\" %s, open %s",
        w.getName(),
        w.getCron(),
        w.getTimeZone(),
        Durations.format(java.time.Duration.ofSeconds(w.getDuration().getSeconds())));
  }

  /**
   * Checks that the report is consistent: every figure of a team is the sum over its jobs, every
   * figure of the total the sum over the teams, each within floating-point rounding.
   *
   * @param teamOf the team of each job id the demo submitted
   * @throws Poll.StepFailed naming the first figure that does not add up
   */
  static void checkConsistent(CostReport report, Map<String, String> teamOf) {
    for (String id : teamOf.keySet()) {
      check(
          report.getJobsList().stream().anyMatch(j -> j.getKey().equals(id)),
          "the cost report has no line for " + id);
    }
    for (CostLine job : report.getJobsList()) {
      check(teamOf.containsKey(job.getKey()), "the cost report has an unknown job " + job.getKey());
    }
    for (CostLine team : report.getTeamsList()) {
      List<CostLine> jobs =
          report.getJobsList().stream()
              .filter(j -> team.getKey().equals(teamOf.get(j.getKey())))
              .toList();
      check(!jobs.isEmpty(), "team " + team.getKey() + " has no jobs in the report");
      addsUp("team " + team.getKey(), team, jobs);
    }
    check(
        report.getTeamsList().stream()
            .map(CostLine::getKey)
            .toList()
            .containsAll(teamOf.values().stream().distinct().toList()),
        "the cost report lacks a team: "
            + report.getTeamsList().stream().map(CostLine::getKey).toList());
    addsUp("the total", report.getTotal(), report.getTeamsList());
    addsUp("the total", report.getTotal(), report.getJobsList());
    check(report.getTotal().getGpuHours() > 0, "the cost report shows no GPU-hours");
    check(
        report.getTotal().getSpotUsd() > 0 && report.getTotal().getOnDemandUsd() > 0,
        "the demo ran on spot and on on-demand capacity, but the report shows spot "
            + usd(report.getTotal().getSpotUsd())
            + ", on-demand "
            + usd(report.getTotal().getOnDemandUsd()));
  }

  private static void addsUp(String what, CostLine whole, List<CostLine> parts) {
    for (var figure : FIGURES.entrySet()) {
      double expected = figure.getValue().applyAsDouble(whole);
      double sum = parts.stream().mapToDouble(figure.getValue()).sum();
      check(
          Math.abs(expected - sum) <= TOLERANCE * Math.max(1, Math.abs(expected)),
          String.format(
              Locale.ROOT,
              "%s's %s is %.9f, but its parts add up to %.9f",
              what,
              figure.getKey(),
              expected,
              sum));
    }
  }

  /** The report's teams and total as a small table, one line a string. */
  static List<String> table(CostReport report) {
    Table table = io.tern.cli.finops.CostCommand.header("TEAM");
    for (CostLine line : report.getTeamsList()) {
      row(table, line.getKey(), line);
    }
    row(table, "total", report.getTotal());
    StringWriter text = new StringWriter();
    table.print(new PrintWriter(text, true));
    return new ArrayList<>(text.toString().lines().toList());
  }

  private static void row(Table table, String key, CostLine line) {
    table.row(
        key,
        hours(line.getGpuHours()),
        usd(line.getSpotUsd()),
        usd(line.getOnDemandUsd()),
        usd(line.getSpotUsd() + line.getOnDemandUsd()),
        hours(line.getLostGpuHours()),
        hours(line.getIdleGpuHours()),
        usd(line.getOnDemandPremiumUsd()),
        usd(line.getSpotSavingUsd()),
        io.tern.cli.finops.CostCommand.changeovers(line, usd(line.getChangeoverUsd())),
        line.getReturnsToSpot());
  }

  /**
   * The deadline job's line from the ledger: what it paid on each capacity type, what its spot time
   * would have cost on on-demand, and its changeover back to spot with what that cost.
   *
   * @throws Poll.StepFailed unless the ledger booked exactly one changeover, back to spot, and a
   *     saving
   */
  static String returnToSpotLine(CostLine job) {
    check(
        job.getChangeovers() == 1 && job.getReturnsToSpot() == 1,
        job.getKey()
            + ": the ledger booked "
            + job.getChangeovers()
            + " changeovers, "
            + job.getReturnsToSpot()
            + " back to spot");
    double saved = job.getSpotSavingUsd();
    double wouldHave = job.getSpotUsd() + saved;
    check(saved > 0, job.getKey() + " saved nothing on spot: " + usd(job.getSpotUsd()));
    return String.format(
        Locale.ROOT,
        "%s: %s on on-demand, then %s on spot for work on-demand would have billed %s: %s (%.0f%%)"
            + " saved after 1 changeover back to spot, which cost %s",
        job.getKey(),
        usd(job.getOnDemandUsd()),
        usd(job.getSpotUsd()),
        usd(wouldHave),
        usd(saved),
        100 * saved / wouldHave,
        usd(job.getChangeoverUsd()));
  }

  /** Demo jobs run for seconds: four decimals show them. */
  static String hours(double h) {
    return String.format(Locale.ROOT, "%.4f", h);
  }

  static String usd(double value) {
    return String.format(Locale.ROOT, "$%.4f", value);
  }

  static String budgetLine(Budget b) {
    return String.format(
        Locale.ROOT,
        "budget %s: %s of %s today, %s of %s this month (soft at %.0f%%): %s",
        b.getTeam(),
        usd(b.getSpentDayUsd()),
        usd(b.getDailyUsd()),
        usd(b.getSpentMonthUsd()),
        usd(b.getMonthlyUsd()),
        b.getSoftAt() * 100,
        b.getStatus());
  }
}
