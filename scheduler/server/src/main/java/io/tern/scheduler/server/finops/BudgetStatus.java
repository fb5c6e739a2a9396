package io.tern.scheduler.server.finops;

import io.tern.scheduler.core.policy.Budget;

/** Where a team stands against its budget, as {@code tern budget list} shows it. */
public enum BudgetStatus {
  /** Under the soft threshold of every limit. */
  OK,
  /** Past {@code soft_at} of a limit: spot only, and the team's work waits for off-peak. */
  SOFT,
  /** A limit is spent: no new starts, no new launches. */
  HARD;

  /** The word in {@code tern.v1.Budget.status}. */
  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  static BudgetStatus of(Budget.Status status) {
    return switch (status) {
      case WITHIN -> OK;
      case SOFT_EXCEEDED -> SOFT;
      case HARD_EXCEEDED -> HARD;
    };
  }
}
