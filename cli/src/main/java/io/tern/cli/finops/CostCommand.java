package io.tern.cli.finops;

import static io.tern.cli.CommandModels.option;

import com.google.protobuf.Timestamp;
import io.tern.api.v1.CostLine;
import io.tern.api.v1.CostReport;
import io.tern.api.v1.GetCostReportRequest;
import io.tern.cli.UserInputException;
import io.tern.cli.client.Protos;
import io.tern.cli.client.SchedulerClient;
import io.tern.cli.client.SinceFlag;
import io.tern.cli.client.Table;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Instant;
import java.util.Locale;
import picocli.CommandLine.Model.CommandSpec;

/** {@code tern cost}: the cost and waste ledger per team and per job. */
public final class CostCommand extends FinOpsVerb {
  String team;
  String since;
  int jobs;

  public CostCommand() {
    super(
        "cost",
        "Show what GPUs cost per team and per job, and what was wasted: work lost to preemptions"
            + " and reclaims, GPUs allocated but idle, and the premium paid for on-demand"
            + " capacity.");
  }

  @Override
  protected void declare(CommandSpec model) {
    model.addOption(teamOption(() -> team, v -> team = v, "Only this team."));
    model.addOption(
        option(String.class, () -> since, v -> since = v, "--since")
            .paramLabel("WHEN")
            .description(
                "Start of the report: "
                    + SinceFlag.FORMS
                    + ". Default: the start of this month (UTC).")
            .build());
    model.addOption(
        option(Integer.class, () -> jobs, v -> jobs = v, "--jobs")
            .paramLabel("N")
            .defaultValue("10")
            .description("How many of the most expensive jobs to show (default: ${DEFAULT-VALUE}).")
            .build());
  }

  Clock clock = Clock.systemUTC();
  private Instant from;

  @Override
  void validate() {
    if (jobs < 0) {
      throw new UserInputException("--jobs: must be >= 0, was " + jobs);
    }
    if (since != null) {
      from = SinceFlag.parsePast("--since", since, clock.instant());
    }
    checkedTeam(team);
  }

  @Override
  int run(SchedulerClient scheduler) {
    GetCostReportRequest.Builder request = GetCostReportRequest.newBuilder();
    if (team != null) {
      request.setTeam(team);
    }
    if (from != null) {
      request.setSince(
          Timestamp.newBuilder().setSeconds(from.getEpochSecond()).setNanos(from.getNano()));
    }
    CostReport report = scheduler.call(c -> finops(c).getCostReport(request.build()));
    if (output.structured()) {
      out().println(output.render(Protos.json(report)));
    } else {
      print(report, jobs, out());
    }
    return 0;
  }

  static void print(CostReport report, int maxJobs, PrintWriter out) {
    out.println(
        "Cost from " + Protos.time(report.getSince()) + " to " + Protos.time(report.getUntil()));
    out.println();
    Table teams = header("TEAM");
    for (CostLine line : report.getTeamsList()) {
      row(teams, line);
    }
    row(teams, report.getTotal().toBuilder().setKey("total").build());
    teams.print(out);
    if (report.getJobsCount() > 0 && maxJobs > 0) {
      out.println();
      out.println(
          report.getJobsCount() <= maxJobs
              ? "Jobs:"
              : "Most expensive " + maxJobs + " of " + report.getJobsCount() + " jobs:");
      Table jobs = header("JOB");
      report.getJobsList().stream().limit(maxJobs).forEach(line -> row(jobs, line));
      jobs.print(out);
    }
  }

  /** The cost table's header, {@code key} naming the first column (TEAM or JOB). */
  public static Table header(String key) {
    return new Table(
        key,
        "GPU-HOURS",
        "SPOT",
        "ON-DEMAND",
        "TOTAL",
        "LOST GPU-H",
        "IDLE GPU-H",
        "OD PREMIUM",
        "SPOT SAVED",
        "CHANGEOVERS",
        "BACK TO SPOT");
  }

  private static void row(Table table, CostLine line) {
    table.row(
        line.getKey(),
        hours(line.getGpuHours()),
        Protos.usd(line.getSpotUsd()),
        Protos.usd(line.getOnDemandUsd()),
        Protos.usd(line.getSpotUsd() + line.getOnDemandUsd()),
        hours(line.getLostGpuHours()),
        hours(line.getIdleGpuHours()),
        Protos.usd(line.getOnDemandPremiumUsd()),
        Protos.usd(line.getSpotSavingUsd()),
        changeovers(line, Protos.usd(line.getChangeoverUsd())),
        line.getReturnsToSpot());
  }

  /** A line's changeovers and what they cost, e.g. {@code 2 ($0.31)}; {@code 0} for none. */
  public static String changeovers(CostLine line, String usd) {
    return line.getChangeovers() == 0 ? "0" : line.getChangeovers() + " (" + usd + ")";
  }

  private static String hours(double h) {
    return String.format(Locale.ROOT, "%.2f", h);
  }
}
