package io.tern.scheduler.server.cloud;

import java.util.Objects;

/**
 * One failed attempt to launch capacity.
 *
 * @param poolId the pool
 * @param instanceType the instance type tried, or null when not specific to one
 * @param zone the zone tried, or null when not specific to one
 * @param reason typed reason, which decides the fallback
 * @param code the provider's error code, e.g. {@code InsufficientInstanceCapacity}
 * @param message the provider's message
 */
public record LaunchFailure(
    String poolId, String instanceType, String zone, Reason reason, String code, String message) {

  public LaunchFailure {
    Objects.requireNonNull(poolId, "poolId");
    Objects.requireNonNull(reason, "reason");
  }

  /** Why capacity could not be launched. */
  public enum Reason {
    /** The provider has no capacity of this kind now; another type, zone or pool may. */
    INSUFFICIENT_CAPACITY,
    /** The spot price is above what we bid; another pool or on-demand may do. */
    PRICE_TOO_LOW,
    /** An account or pool limit is reached; retrying soon is pointless. */
    LIMIT_EXCEEDED,
    /** Anything else (bad configuration, permissions): reported, not retried elsewhere. */
    OTHER;

    /** Whether trying another pool (or on-demand) is likely to help. */
    public boolean tryElsewhere() {
      return this == INSUFFICIENT_CAPACITY || this == PRICE_TOO_LOW || this == LIMIT_EXCEEDED;
    }
  }
}
