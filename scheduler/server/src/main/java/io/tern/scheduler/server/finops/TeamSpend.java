package io.tern.scheduler.server.finops;

/**
 * What a team has spent in the current budget periods (UTC), from {@link CostLedger#spentUsd}.
 *
 * @param dayUsd spent today
 * @param monthUsd spent this calendar month
 */
public record TeamSpend(double dayUsd, double monthUsd) {
  public static final TeamSpend NONE = new TeamSpend(0, 0);
}
