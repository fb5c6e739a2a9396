package io.tern.scheduler.spec.finops;

import io.tern.api.v1.Budget;
import io.tern.scheduler.spec.JobSpecValidator;
import io.tern.scheduler.spec.SpecLimits;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Checks a {@code tern.v1.Budget} from SetBudget: what {@code tern budget set} checks before
 * sending and the scheduler checks again on receipt. Stateless and thread-safe.
 */
public final class BudgetValidation {
  /** Used when a budget leaves {@code soft_at} at 0. */
  public static final double DEFAULT_SOFT_AT = 0.8;

  /** The longest team default spot wait, as for a job's own {@code spotWait}. */
  private static final Duration MAX_SPOT_WAIT = Duration.ofDays(SpecLimits.MAX_SPOT_WAIT_DAYS);

  /** The largest limit taken, a billion dollars: a larger one is a typo, not a budget. */
  public static final long MAX_LIMIT_USD = 1_000_000_000L;

  private BudgetValidation() {}

  /**
   * The budget's inputs (output-only fields dropped: they are computed, never stored).
   *
   * @throws InvalidBudgetException naming every field that is wrong
   */
  public static Budget validate(Budget b) {
    Map<String, String> errors = new LinkedHashMap<>();
    // The name rule of a job's team: a budget for a name no job can have would never apply.
    JobSpecValidator.teamProblem(b.getTeam()).ifPresent(p -> errors.put("team", p));
    if (!(b.getMonthlyUsd() >= 0 && b.getMonthlyUsd() <= MAX_LIMIT_USD)) {
      errors.put(
          "monthly_usd",
          "must be a number from 0 (no limit) to " + MAX_LIMIT_USD + ", was " + b.getMonthlyUsd());
    }
    if (!(b.getDailyUsd() >= 0 && b.getDailyUsd() <= MAX_LIMIT_USD)) {
      errors.put(
          "daily_usd",
          "must be a number from 0 (no limit) to " + MAX_LIMIT_USD + ", was " + b.getDailyUsd());
    }
    if (errors.isEmpty() && b.getMonthlyUsd() > 0 && b.getDailyUsd() > b.getMonthlyUsd()) {
      errors.put(
          "daily_usd",
          "is more than monthly_usd ("
              + b.getDailyUsd()
              + " > "
              + b.getMonthlyUsd()
              + "): the daily limit could never be reached");
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
}
