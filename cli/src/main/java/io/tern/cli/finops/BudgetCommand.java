package io.tern.cli.finops;

import static io.tern.cli.CommandModels.option;

import io.tern.api.v1.Budget;
import io.tern.api.v1.DeleteBudgetRequest;
import io.tern.api.v1.ListBudgetsRequest;
import io.tern.api.v1.ListBudgetsResponse;
import io.tern.api.v1.SetBudgetRequest;
import io.tern.cli.CommandModels;
import io.tern.cli.OutputOptions;
import io.tern.cli.UserInputException;
import io.tern.cli.client.Protos;
import io.tern.cli.client.SchedulerClient;
import io.tern.cli.client.Table;
import io.tern.scheduler.spec.finops.BudgetValidation;
import io.tern.scheduler.spec.finops.InvalidBudgetException;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;

/** {@code tern budget set|list|delete}: team spending guardrails. */
public final class BudgetCommand {
  private BudgetCommand() {}

  /** {@code tern budget}: prints its usage; the work is in its subcommands. */
  public static CommandSpec model() {
    return CommandModels.group(
        "budget",
        new String[] {
          "Manage team budgets: daily and monthly limits in US dollars (UTC periods).",
          "Past the soft threshold a team's work runs on spot only and, where off-peak windows"
              + " are set, waits for the next one (a job with a deadline only while its deadline"
              + " allows); past a limit nothing new starts."
        },
        new SetCommand().model(),
        new ListCommand().model(),
        new DeleteCommand().model());
  }

  static final Map<String, String> FLAGS =
      Map.of(
          "team", "--team",
          "monthly_usd", "--monthly-usd",
          "daily_usd", "--daily-usd",
          "soft_at", "--soft-at",
          "spot_wait", "--spot-wait");

  public static final class SetCommand extends FinOpsVerb {
    String team;
    double monthlyUsd;
    double dailyUsd;
    String softAt;
    String spotWait;

    public SetCommand() {
      super("set", "Create or replace a team's budget, e.g. set --team vision --monthly-usd 5000.");
    }

    @Override
    protected void declare(CommandSpec model) {
      model.addOption(
          option(String.class, () -> team, v -> team = v, "--team")
              .required(true)
              .paramLabel("TEAM")
              .description("The team.")
              .build());
      model.addOption(
          option(Double.class, () -> monthlyUsd, v -> monthlyUsd = v, "--monthly-usd")
              .paramLabel("USD")
              .description("Limit per calendar month (UTC); 0 or unset for none.")
              .build());
      model.addOption(
          option(Double.class, () -> dailyUsd, v -> dailyUsd = v, "--daily-usd")
              .paramLabel("USD")
              .description("Limit per day (UTC); 0 or unset for none.")
              .build());
      model.addOption(
          option(String.class, () -> softAt, v -> softAt = v, "--soft-at")
              .paramLabel("FRACTION")
              .description("Where the soft guardrail starts, e.g. 80%% or 0.8 (default: 80%%).")
              .build());
      model.addOption(
          option(String.class, () -> spotWait, v -> spotWait = v, "--spot-wait")
              .paramLabel("DURATION")
              .description(
                  "The team's default spot wait: how long its spot-ok jobs without a deadline"
                      + " wait for spot before they take any capacity, e.g. 30m (default 0s).")
              .build());
    }

    Budget budget;

    @Override
    void validate() {
      Budget.Builder b =
          Budget.newBuilder()
              .setTeam(team)
              .setMonthlyUsd(monthlyUsd)
              .setDailyUsd(dailyUsd)
              .setSoftAt(softAt == null ? 0 : parseFraction(softAt));
      if (spotWait != null) {
        java.time.Duration wait =
            io.tern.scheduler.spec.Durations.parse(spotWait)
                .orElseThrow(
                    () ->
                        new UserInputException(
                            "--spot-wait: '"
                                + spotWait
                                + "' must be a duration like 0s, 90s, 30m or 1h30m"));
        b.setSpotWait(com.google.protobuf.Duration.newBuilder().setSeconds(wait.toSeconds()));
      }
      try {
        budget = BudgetValidation.validate(b.build());
      } catch (InvalidBudgetException e) {
        throw new UserInputException(byFlag(e.fieldErrors(), FLAGS));
      }
    }

    @Override
    int run(SchedulerClient scheduler) {
      Budget set =
          scheduler.call(
              c -> finops(c).setBudget(SetBudgetRequest.newBuilder().setBudget(budget).build()));
      if (output.structured()) {
        out().println(output.render(Protos.json(set)));
      } else {
        out()
            .println(
                String.format(
                    Locale.ROOT,
                    "budget for %s set; spent %s today, %s this month: %s",
                    set.getTeam(),
                    Protos.usd(set.getSpentDayUsd()),
                    Protos.usd(set.getSpentMonthUsd()),
                    set.getStatus()));
      }
      if (!set.getWarning().isEmpty()) {
        err().println("warning: " + set.getWarning());
        err().flush();
      }
      return 0;
    }
  }

  public static final class DeleteCommand extends FinOpsVerb {
    String team;

    public DeleteCommand() {
      super("delete", "Remove a team's budget: its jobs are held by no limit from the next plan.");
    }

    @Override
    protected void declare(CommandSpec model) {
      model.addOption(
          option(String.class, () -> team, v -> team = v, "--team")
              .paramLabel("TEAM")
              .required(true)
              .description("The team whose budget goes.")
              .build());
    }

    @Override
    int run(SchedulerClient scheduler) {
      String checked = checkedTeam(team);
      scheduler.call(
          c -> finops(c).deleteBudget(DeleteBudgetRequest.newBuilder().setTeam(checked).build()));
      if (output.structured()) {
        out().println(output.render(OutputOptions.toJson(Map.of("deleted", team))));
      } else {
        out().println("budget of team " + team + " deleted");
      }
      return 0;
    }
  }

  public static final class ListCommand extends FinOpsVerb {
    public ListCommand() {
      super("list", "List budgets with what each team spent and its status.");
    }

    @Override
    int run(SchedulerClient scheduler) {
      ListBudgetsResponse budgets =
          scheduler.call(c -> finops(c).listBudgets(ListBudgetsRequest.getDefaultInstance()));
      if (output.structured()) {
        out().println(output.render(Protos.json(budgets)));
      } else {
        print(budgets, out());
      }
      return 0;
    }
  }

  /** {@code 80%} or {@code 0.8} → 0.8. */
  static double parseFraction(String text) {
    String t = text.trim();
    double value;
    try {
      value =
          t.endsWith("%")
              ? Double.parseDouble(t.substring(0, t.length() - 1).trim()) / 100
              : Double.parseDouble(t);
    } catch (NumberFormatException e) {
      throw new UserInputException(
          "--soft-at: '" + text + "' must be a percentage like 80% or a fraction like 0.8");
    }
    if (!(value > 0 && value <= 1)) {
      throw new UserInputException(
          "--soft-at: '"
              + text
              + "' must be above 0% and at most 100% (a fraction above 0, up to 1)");
    }
    return value;
  }

  static void print(ListBudgetsResponse budgets, PrintWriter out) {
    if (budgets.getBudgetsCount() == 0) {
      out.println("no budgets (add one with 'tern budget set')");
      return;
    }
    Table table =
        new Table(
            "TEAM",
            "MONTHLY",
            "DAILY",
            "SOFT AT",
            "SPOT WAIT",
            "SPENT MONTH",
            "SPENT TODAY",
            "STATUS");
    for (Budget b : budgets.getBudgetsList()) {
      double soft = b.getSoftAt() > 0 ? b.getSoftAt() : BudgetValidation.DEFAULT_SOFT_AT;
      table.row(
          b.getTeam(),
          b.getMonthlyUsd() > 0 ? Protos.usd(b.getMonthlyUsd()) : "-",
          b.getDailyUsd() > 0 ? Protos.usd(b.getDailyUsd()) : "-",
          percent(soft),
          io.tern.scheduler.spec.Durations.format(
              java.time.Duration.ofSeconds(b.getSpotWait().getSeconds())),
          Protos.usd(b.getSpentMonthUsd()),
          Protos.usd(b.getSpentDayUsd()),
          b.getStatus());
    }
    table.print(out);
  }

  /** 80%, 12.5%, 0.1%: whole percents as such, others to what they were given (at most 0.01). */
  static String percent(double fraction) {
    return java.math.BigDecimal.valueOf(fraction * 100)
            .setScale(2, java.math.RoundingMode.HALF_UP)
            .stripTrailingZeros()
            .toPlainString()
        + "%";
  }
}
