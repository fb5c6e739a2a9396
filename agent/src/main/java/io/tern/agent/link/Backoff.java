package io.tern.agent.link;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Capped exponential backoff with ±20% jitter, so agents that lost the same leader do not all
 * reconnect in the same instant. Not thread-safe.
 */
public final class Backoff {
  private final Duration initial;
  private final Duration max;
  private final RandomGenerator random;
  private Duration next;

  public Backoff(Duration initial, Duration max, RandomGenerator random) {
    if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
      throw new IllegalArgumentException("need 0 < initial <= max, got " + initial + ", " + max);
    }
    this.initial = initial;
    this.max = max;
    this.random = random;
    this.next = initial;
  }

  /** The delay before the next try; each call doubles the base up to the cap. */
  public Duration nextDelay() {
    Duration base = next;
    next = base.multipliedBy(2).compareTo(max) > 0 ? max : base.multipliedBy(2);
    return jittered(base);
  }

  private Duration jittered(Duration base) {
    double factor = 0.8 + 0.4 * random.nextDouble();
    return Duration.ofNanos((long) (base.toNanos() * factor));
  }

  /** The initial delay, jittered, leaving the backoff where it is. */
  public Duration firstDelay() {
    return jittered(initial);
  }

  /** Back to the initial delay, after a success. */
  public void reset() {
    next = initial;
  }
}
