package io.tern.scheduler.server.cloud;

import java.time.Duration;
import java.util.Objects;

/**
 * How the {@link FleetScaler} launches and gives back capacity.
 *
 * @param coolDown how long a pool that failed with a capacity, price or limit error is left out of
 *     plans and launches
 * @param registrationTimeout an instance whose agent has not registered this long after launch is
 *     terminated (a broken image, user data or network)
 * @param idleGrace a cloud node that ran nothing this long is terminated
 * @param maxHourlyUsd most the cloud fleet (registered plus launching nodes) may cost per hour; a
 *     guard against runaway launches ({@code Double.POSITIVE_INFINITY} for none)
 * @param onDemandFallback whether a spot launch that found no spot pool left may fall back to an
 *     on-demand pool of the same shape (only for jobs that may run on on-demand)
 */
public record ScalingSettings(
    Duration coolDown,
    Duration registrationTimeout,
    Duration idleGrace,
    double maxHourlyUsd,
    boolean onDemandFallback) {

  public ScalingSettings {
    Objects.requireNonNull(coolDown, "coolDown");
    Objects.requireNonNull(registrationTimeout, "registrationTimeout");
    Objects.requireNonNull(idleGrace, "idleGrace");
    if (coolDown.isNegative() || registrationTimeout.isNegative() || idleGrace.isNegative()) {
      throw new IllegalArgumentException("durations must be >= 0");
    }
    if (!(maxHourlyUsd >= 0)) {
      throw new IllegalArgumentException("maxHourlyUsd must be >= 0");
    }
  }

  /** 10 min cool-down, 10 min to register, 10 min idle grace, no spending cap, fallback on. */
  public static ScalingSettings defaults() {
    return new ScalingSettings(
        Duration.ofMinutes(10),
        Duration.ofMinutes(10),
        Duration.ofMinutes(10),
        Double.POSITIVE_INFINITY,
        true);
  }
}
