package io.tern.scheduler.core.policy;

import java.util.Objects;

/**
 * A team's share of the cluster.
 *
 * @param team the team
 * @param weight fair-share weight (&gt; 0); dominant share is divided by it
 * @param guaranteedGpus quota the team is always entitled to; under it, the team goes first and may
 *     reclaim GPUs that other teams borrowed
 * @param borrowLimitGpus how many GPUs beyond its quota the team may borrow while others leave them
 *     unused ({@link #UNLIMITED} for no limit)
 * @param budget spending guardrail
 * @param spotWait how long the team's spot-ok jobs without a deadline wait for spot capacity before
 *     they take on-demand (a job's own {@code spotWait} wins); zero, the default, means no wait:
 *     the cheapest capacity free now
 */
public record TeamPolicy(
    String team,
    double weight,
    int guaranteedGpus,
    int borrowLimitGpus,
    Budget budget,
    java.time.Duration spotWait) {

  public static final int UNLIMITED = Integer.MAX_VALUE;

  public TeamPolicy {
    Objects.requireNonNull(team, "team");
    Objects.requireNonNull(budget, "budget");
    Objects.requireNonNull(spotWait, "spotWait");
    if (spotWait.isNegative()) {
      throw new IllegalArgumentException("spotWait must be >= 0");
    }
    if (!(weight > 0)) {
      throw new IllegalArgumentException("weight must be > 0");
    }
    if (guaranteedGpus < 0 || borrowLimitGpus < 0) {
      throw new IllegalArgumentException("quotas must be >= 0");
    }
  }

  /** A team policy without a spot wait. */
  public TeamPolicy(
      String team, double weight, int guaranteedGpus, int borrowLimitGpus, Budget budget) {
    this(team, weight, guaranteedGpus, borrowLimitGpus, budget, java.time.Duration.ZERO);
  }

  /** The policy of a team nobody configured: weight 1, no quota, unlimited borrowing, no budget. */
  public static TeamPolicy defaultFor(String team) {
    return new TeamPolicy(team, 1.0, 0, UNLIMITED, Budget.UNLIMITED);
  }

  /** Most GPUs the team may hold at once. */
  public long gpuCap() {
    return (long) guaranteedGpus + borrowLimitGpus;
  }

  public TeamPolicy withBudget(Budget budget) {
    return new TeamPolicy(team, weight, guaranteedGpus, borrowLimitGpus, budget, spotWait);
  }

  public TeamPolicy withSpotWait(java.time.Duration wait) {
    return new TeamPolicy(team, weight, guaranteedGpus, borrowLimitGpus, budget, wait);
  }
}
