package io.tern.scheduler.server.finops;

import io.tern.api.v1.Budget;
import io.tern.scheduler.core.policy.PolicySnapshot;
import io.tern.scheduler.core.policy.TeamPolicy;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Team budgets as guardrails: a daily and a monthly limit (UTC periods), each with a soft threshold
 * at {@code soft_at} of it. The status is the worse over both limits; the core gets the binding
 * limit (the one spent furthest, as a fraction) as its {@link
 * io.tern.scheduler.core.policy.Budget}. A limit of 0 means none; a {@code soft_at} of 0 means the
 * default, 0.8. Stateless and thread-safe.
 */
public final class BudgetGuard {
  /** Used when a budget leaves {@code soft_at} at 0. */
  public static final double DEFAULT_SOFT_AT = 0.8;

  /** The longest team default spot wait, as for a job's own {@code spotWait}. */
  public static final java.time.Duration MAX_SPOT_WAIT = java.time.Duration.ofDays(7);

  private static final Pattern TEAM = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");

  private BudgetGuard() {}

  /**
   * Checks a budget from SetBudget.
   *
   * @throws InvalidBudgetException naming every field that is wrong
   */
  public static Budget validate(Budget b) {
    Map<String, String> errors = new LinkedHashMap<>();
    if (!TEAM.matcher(b.getTeam()).matches()) {
      errors.put("team", "'" + b.getTeam() + "' must be 1-63 letters, digits, '.', '_' or '-'");
    }
    if (!(b.getMonthlyUsd() >= 0) || Double.isInfinite(b.getMonthlyUsd())) {
      errors.put("monthly_usd", "must be a number >= 0 (0 for no limit), was " + b.getMonthlyUsd());
    }
    if (!(b.getDailyUsd() >= 0) || Double.isInfinite(b.getDailyUsd())) {
      errors.put("daily_usd", "must be a number >= 0 (0 for no limit), was " + b.getDailyUsd());
    }
    if (!(b.getSoftAt() >= 0 && b.getSoftAt() <= 1)) {
      errors.put("soft_at", "must be a fraction between 0 and 1, was " + b.getSoftAt());
    }
    if (b.hasSpotWait()
        && (b.getSpotWait().getSeconds() < 0
            || b.getSpotWait().getNanos() < 0
            || b.getSpotWait().getSeconds() > MAX_SPOT_WAIT.toSeconds())) {
      errors.put("spot_wait", "must be between 0s and " + MAX_SPOT_WAIT.toHours() + "h (7 days)");
    }
    if (errors.isEmpty() && b.getMonthlyUsd() == 0 && b.getDailyUsd() == 0) {
      errors.put("monthly_usd", "a budget needs monthly_usd or daily_usd (or both)");
    }
    if (!errors.isEmpty()) {
      throw new InvalidBudgetException(errors);
    }
    // Keep only the inputs: the output-only fields are computed, never stored.
    Budget.Builder kept =
        Budget.newBuilder()
            .setTeam(b.getTeam())
            .setMonthlyUsd(b.getMonthlyUsd())
            .setDailyUsd(b.getDailyUsd())
            .setSoftAt(b.getSoftAt());
    if (b.hasSpotWait()) {
      kept.setSpotWait(b.getSpotWait());
    }
    return kept.build();
  }

  /** The core's view of the budget: the binding limit and what was spent against it. */
  public static io.tern.scheduler.core.policy.Budget coreBudget(Budget b, TeamSpend spend) {
    double soft = b.getSoftAt() > 0 ? b.getSoftAt() : DEFAULT_SOFT_AT;
    double dayFraction = b.getDailyUsd() > 0 ? spend.dayUsd() / b.getDailyUsd() : -1;
    double monthFraction = b.getMonthlyUsd() > 0 ? spend.monthUsd() / b.getMonthlyUsd() : -1;
    if (dayFraction < 0 && monthFraction < 0) {
      return io.tern.scheduler.core.policy.Budget.UNLIMITED;
    }
    boolean daily = dayFraction >= monthFraction;
    double limit = daily ? b.getDailyUsd() : b.getMonthlyUsd();
    double spent = Math.max(0, daily ? spend.dayUsd() : spend.monthUsd());
    return new io.tern.scheduler.core.policy.Budget(spent, soft * limit, limit);
  }

  /** ok, soft or hard. */
  public static BudgetStatus status(Budget b, TeamSpend spend) {
    return BudgetStatus.of(coreBudget(b, spend).status());
  }

  /** The budget as ListBudgets answers it, with spend and status filled in. */
  public static Budget withStatus(Budget b, TeamSpend spend) {
    return b.toBuilder()
        .setSpentDayUsd(spend.dayUsd())
        .setSpentMonthUsd(spend.monthUsd())
        .setStatus(status(b, spend).label())
        .build();
  }

  /**
   * The policy with every budgeted team's core budget and, where the budget sets one, its default
   * spot wait; other team settings are kept.
   */
  public static PolicySnapshot apply(
      PolicySnapshot policy, Iterable<Budget> budgets, Map<String, TeamSpend> spend) {
    PolicySnapshot out = policy;
    for (Budget b : budgets) {
      TeamPolicy team =
          out.team(b.getTeam())
              .withBudget(coreBudget(b, spend.getOrDefault(b.getTeam(), TeamSpend.NONE)));
      if (b.hasSpotWait()) {
        team =
            team.withSpotWait(
                java.time.Duration.ofSeconds(
                    b.getSpotWait().getSeconds(), b.getSpotWait().getNanos()));
      }
      out = out.withTeam(team);
    }
    return out;
  }

  /** Start of the UTC day containing {@code now}. */
  public static Instant dayStart(Instant now) {
    return LocalDate.ofInstant(now, ZoneOffset.UTC).atStartOfDay(ZoneOffset.UTC).toInstant();
  }

  /** Start of the UTC calendar month containing {@code now}. */
  public static Instant monthStart(Instant now) {
    return LocalDate.ofInstant(now, ZoneOffset.UTC)
        .withDayOfMonth(1)
        .atStartOfDay(ZoneOffset.UTC)
        .toInstant();
  }
}
