package io.tern.scheduler.core.policy;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * What the scheduler has seen of one spot pool: how often the cloud took its capacity back, and
 * since when it has had capacity again. The live scheduler and the cluster simulation build it with
 * a {@link SpotPoolWatch} from the spot notices they handle (idle nodes included) and the spot
 * nodes that join; the single-job study from its trace as it replays it.
 *
 * @param pool the pool id, as nodes and {@link PoolOffer}s name it
 * @param reclaims reclaims seen over {@code observed}
 * @param observed how long the pool has been watched (the rate's denominator)
 * @param lastReclaimAt the most recent reclaim, or null if none was seen
 * @param availableSince since when the pool has had spot capacity again after its last reclaim, or
 *     null when it has none now (or nothing is known)
 */
public record SpotPoolHistory(
    String pool, int reclaims, Duration observed, Instant lastReclaimAt, Instant availableSince) {

  /**
   * Reclaims per hour assumed of a pool nothing is known about, and the weight of that prior: the
   * rate is {@code (reclaims + 1) / (observed hours + PRIOR_HOURS)}, one reclaim per four hours
   * until the pool's own history outweighs it (a few days of watching).
   */
  public static final double PRIOR_HOURS = 4;

  public SpotPoolHistory {
    Objects.requireNonNull(pool, "pool");
    Objects.requireNonNull(observed, "observed");
    if (reclaims < 0 || observed.isNegative()) {
      throw new IllegalArgumentException("pool " + pool + ": negative reclaims or observation");
    }
  }

  /** Expected reclaims per hour of spot time in the pool, the prior blended in. */
  public double reclaimsPerHour() {
    return (reclaims + 1) / (observed.toMillis() / 3_600_000.0 + PRIOR_HOURS);
  }

  /** The rate of a pool with no history: the prior alone. */
  public static double priorReclaimsPerHour() {
    return 1 / PRIOR_HOURS;
  }

  /**
   * Whether the pool's capacity has been back for at least {@code settle} at {@code now} (a pool
   * never reclaimed counts as settled).
   */
  public boolean settled(Instant now, Duration settle) {
    if (availableSince != null) {
      return !now.isBefore(availableSince.plus(settle));
    }
    return lastReclaimAt == null || !now.isBefore(lastReclaimAt.plus(settle));
  }
}
