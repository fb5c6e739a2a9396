package io.tern.scheduler.spec.finops;

import io.tern.api.v1.Budget;
import io.tern.scheduler.spec.SpecLimits;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Checks a {@code tern.v1.Budget} from SetBudget: what {@code tern budget set} checks before
 * sending and the scheduler checks again on receipt. Stateless and thread-safe.
 */
public final class BudgetValidation {
  /** Used when a budget leaves {@code soft_at} at 0. */
  public static final double DEFAULT_SOFT_AT = 0.8;

  /** The longest team default spot wait, as for a job's own {@code spotWait}. */
  private static final Duration MAX_SPOT_WAIT = Duration.ofDays(SpecLimits.MAX_SPOT_WAIT_DAYS);

  private static final Pattern TEAM = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");

  private BudgetValidation() {}

  /**
   * The budget's inputs (output-only fields dropped: they are computed, never stored).
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
