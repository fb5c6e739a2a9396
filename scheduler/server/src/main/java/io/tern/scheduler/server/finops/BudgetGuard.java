package io.tern.scheduler.server.finops;

import io.tern.api.v1.Budget;
import io.tern.scheduler.core.policy.PolicySnapshot;
import io.tern.scheduler.core.policy.TeamPolicy;
import io.tern.scheduler.spec.finops.BudgetValidation;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;

/**
 * Team budgets as guardrails: a daily and a monthly limit (UTC periods), each with a soft threshold
 * at {@code soft_at} of it. The status is the worse over both limits; the core gets the binding
 * limit (the one spent furthest, as a fraction) as its {@link
 * io.tern.scheduler.core.policy.Budget}. A limit of 0 means none; a {@code soft_at} of 0 means the
 * default, 0.8. Budgets are checked by {@link BudgetValidation} on the way in. Stateless and
 * thread-safe.
 */
public final class BudgetGuard {
  private BudgetGuard() {}

  /**
   * The core's view of the budget at {@code now}: the binding limit, what was spent against it, and
   * when its period (the UTC day or month) starts again (unknown for a null {@code now}).
   */
  public static io.tern.scheduler.core.policy.Budget coreBudget(
      Budget b, TeamSpend spend, Instant now) {
    double soft = b.getSoftAt() > 0 ? b.getSoftAt() : BudgetValidation.DEFAULT_SOFT_AT;
    double dayFraction = b.getDailyUsd() > 0 ? spend.dayUsd() / b.getDailyUsd() : -1;
    double monthFraction = b.getMonthlyUsd() > 0 ? spend.monthUsd() / b.getMonthlyUsd() : -1;
    if (dayFraction < 0 && monthFraction < 0) {
      return io.tern.scheduler.core.policy.Budget.UNLIMITED;
    }
    boolean daily = dayFraction >= monthFraction;
    double limit = daily ? b.getDailyUsd() : b.getMonthlyUsd();
    double spent = Math.max(0, daily ? spend.dayUsd() : spend.monthUsd());
    Instant resetsAt = null;
    if (now != null) {
      // The status lasts until the day's limit resets, unless the month's is as far gone: then
      // until the month's does.
      double level = spent >= limit ? 1 : soft;
      LocalDate today = now.atZone(ZoneOffset.UTC).toLocalDate();
      LocalDate next =
          daily && monthFraction < level
              ? today.plusDays(1)
              : today.withDayOfMonth(1).plusMonths(1);
      resetsAt = next.atStartOfDay(ZoneOffset.UTC).toInstant();
    }
    return new io.tern.scheduler.core.policy.Budget(spent, soft * limit, limit, resetsAt);
  }

  /** The core's view of the budget: the binding limit and what was spent against it. */
  public static io.tern.scheduler.core.policy.Budget coreBudget(Budget b, TeamSpend spend) {
    return coreBudget(b, spend, null);
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
      PolicySnapshot policy, Iterable<Budget> budgets, Map<String, TeamSpend> spend, Instant now) {
    PolicySnapshot out = policy;
    for (Budget b : budgets) {
      TeamPolicy team =
          out.team(b.getTeam())
              .withBudget(coreBudget(b, spend.getOrDefault(b.getTeam(), TeamSpend.NONE), now));
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
