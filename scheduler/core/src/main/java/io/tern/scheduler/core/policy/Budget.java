package io.tern.scheduler.core.policy;

/**
 * A team's spending guardrail for the current budget period.
 *
 * @param spentUsd spent so far in the period
 * @param softLimitUsd past this: spot only, and the team's work waits for off-peak (see {@link
 *     SpotPolicy})
 * @param hardLimitUsd past this: no new starts and no new launches
 * @param resetsAt when the period ends and spending counts from zero again; null when unknown
 */
public record Budget(
    double spentUsd, double softLimitUsd, double hardLimitUsd, java.time.Instant resetsAt) {

  public static final Budget UNLIMITED =
      new Budget(0, Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY);

  public Budget {
    if (spentUsd < 0 || softLimitUsd < 0 || hardLimitUsd < 0) {
      throw new IllegalArgumentException("budget amounts must be >= 0");
    }
  }

  /** A budget whose period's end is not known. */
  public Budget(double spentUsd, double softLimitUsd, double hardLimitUsd) {
    this(spentUsd, softLimitUsd, hardLimitUsd, null);
  }

  /** Where the team stands. */
  public Status status() {
    if (spentUsd >= hardLimitUsd) {
      return Status.HARD_EXCEEDED;
    }
    if (spentUsd >= softLimitUsd) {
      return Status.SOFT_EXCEEDED;
    }
    return Status.WITHIN;
  }

  /**
   * Dollars as a hold reason or a budget table shows them: to the cent, and an amount under a
   * dollar to a hundredth of a cent, so that a small budget never reads $0.00 or $0.01.
   */
  public static String usd(double value) {
    return value != 0 && Math.abs(value) < 1
        ? String.format(java.util.Locale.ROOT, "$%.4f", value)
        : String.format(java.util.Locale.ROOT, "$%,.2f", value);
  }

  /** Budget state, in escalating order. */
  public enum Status {
    WITHIN,
    SOFT_EXCEEDED,
    HARD_EXCEEDED
  }
}
