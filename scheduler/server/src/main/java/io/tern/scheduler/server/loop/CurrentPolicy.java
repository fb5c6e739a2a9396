package io.tern.scheduler.server.loop;

import io.tern.api.v1.Budget;
import io.tern.scheduler.core.policy.PolicySnapshot;
import io.tern.scheduler.server.finops.BudgetGuard;
import io.tern.scheduler.server.finops.BudgetStatus;
import io.tern.scheduler.server.finops.TeamSpend;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The policy in force for a plan: the term's off-peak calendar, the spot pools' reclaim history,
 * every budgeted team's spend from the ledger (and the guardrails it triggers) and, with a cloud
 * connector, the pools the core may launch into. Reports each budget status change once. No team
 * quotas are configured yet. Loop thread only.
 */
final class CurrentPolicy {
  private static final Logger log = LoggerFactory.getLogger(CurrentPolicy.class);

  private final Fleet fleet;
  private final BiConsumer<String, BudgetStatus> budgetStatusChanged;

  /**
   * @param budgetStatusChanged told when a budgeted team's status changes, e.g. for a metric
   */
  CurrentPolicy(Fleet fleet, BiConsumer<String, BudgetStatus> budgetStatusChanged) {
    this.fleet = fleet;
    this.budgetStatusChanged = budgetStatusChanged;
  }

  /** The policy for a plan of {@code term} at {@code now}. */
  PolicySnapshot at(LeaderTerm term, Instant now) {
    PolicySnapshot base =
        fleet
            .withPools(PolicySnapshot.of(term.calendar.status(now), List.of(), List.of()))
            .withSpotHistory(term.spotPools.history(now));
    if (term.budgets.isEmpty()) {
      return base;
    }
    List<Budget> budgets = new ArrayList<>(term.budgets.size());
    Map<String, TeamSpend> spend = new HashMap<>();
    for (var stored : term.budgets.values()) {
      Budget b = stored.value;
      budgets.add(b);
      TeamSpend s = term.costs.spend(b.getTeam(), now);
      spend.put(b.getTeam(), s);
      noteStatus(term, b.getTeam(), BudgetGuard.status(b, s), s);
    }
    return BudgetGuard.apply(base, budgets, spend, now);
  }

  /** Logs (and reports) a team's budget status when it changes. */
  private void noteStatus(LeaderTerm term, String team, BudgetStatus status, TeamSpend spend) {
    BudgetStatus before = term.budgetStatus.put(team, status);
    if (before == status || (before == null && status == BudgetStatus.OK)) {
      return;
    }
    if (status == BudgetStatus.OK) {
      log.info("team {} is back within its budget", team);
    } else {
      log.warn(
          "team {} budget status is now {} (spent ${} today, ${} this month)",
          team,
          status.label(),
          String.format(Locale.ROOT, "%.2f", spend.dayUsd()),
          String.format(Locale.ROOT, "%.2f", spend.monthUsd()));
    }
    budgetStatusChanged.accept(team, status);
  }
}
