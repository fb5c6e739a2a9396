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
 */
public record TeamPolicy(
    String team, double weight, int guaranteedGpus, int borrowLimitGpus, Budget budget) {

  public static final int UNLIMITED = Integer.MAX_VALUE;

  public TeamPolicy {
    Objects.requireNonNull(team, "team");
    Objects.requireNonNull(budget, "budget");
    if (!(weight > 0)) {
      throw new IllegalArgumentException("weight must be > 0");
    }
    if (guaranteedGpus < 0 || borrowLimitGpus < 0) {
      throw new IllegalArgumentException("quotas must be >= 0");
    }
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
    return new TeamPolicy(team, weight, guaranteedGpus, borrowLimitGpus, budget);
  }
}
