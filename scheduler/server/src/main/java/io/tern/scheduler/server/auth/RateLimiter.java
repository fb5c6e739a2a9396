package io.tern.scheduler.server.auth;

import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A token bucket per caller: {@code perSecond} calls a second on average, bursts of up to {@code
 * burst}. Time comes from the injected clock; nothing waits: a call over the limit is refused at
 * once (RESOURCE_EXHAUSTED) and the client may retry later.
 *
 * <p>Thread-safe.
 */
public final class RateLimiter {
  private final double perSecond;
  private final double burst;
  private final Clock clock;
  private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

  /**
   * @param perSecond average calls a second per caller; 0 or less: no limit
   */
  public RateLimiter(double perSecond, double burst, Clock clock) {
    this.perSecond = perSecond;
    this.burst = Math.max(1, burst);
    this.clock = clock;
  }

  public static RateLimiter unlimited() {
    return new RateLimiter(0, 1, Clock.systemUTC());
  }

  public boolean enabled() {
    return perSecond > 0;
  }

  public double perSecond() {
    return perSecond;
  }

  /** Takes one call from {@code caller}'s bucket; false when it is empty. */
  public boolean tryAcquire(String caller) {
    if (!enabled()) {
      return true;
    }
    return buckets.computeIfAbsent(caller, c -> new Bucket(burst, clock.millis())).take();
  }

  private final class Bucket {
    private double tokens;
    private long lastMillis;

    Bucket(double tokens, long now) {
      this.tokens = tokens;
      this.lastMillis = now;
    }

    synchronized boolean take() {
      long now = clock.millis();
      if (now > lastMillis) {
        tokens = Math.min(burst, tokens + (now - lastMillis) * perSecond / 1000.0);
        lastMillis = now;
      }
      if (tokens < 1) {
        return false;
      }
      tokens -= 1;
      return true;
    }
  }
}
