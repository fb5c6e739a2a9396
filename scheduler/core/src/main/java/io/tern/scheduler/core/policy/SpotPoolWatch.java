package io.tern.scheduler.core.policy;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The reclaims a leader has seen, per spot pool, for the core's pool risk: each spot notice of a
 * node counts (idle nodes too), and a new leader starts from the reclaimed attempts in the jobs'
 * history; the simulator feeds it the reclaims of its replay. Not thread-safe: owned by the
 * caller's loop.
 */
public final class SpotPoolWatch {
  private final Instant since;
  private final Map<String, Integer> reclaims = new TreeMap<>();
  private final Map<String, Instant> lastReclaim = new TreeMap<>();

  /** Watching from {@code since} (the earliest time the history covers). */
  public SpotPoolWatch(Instant since) {
    this.since = since;
  }

  /** A reclaim of a node of {@code pool} at {@code at}. */
  public void reclaimed(String pool, Instant at) {
    if (pool == null || pool.isEmpty()) {
      return;
    }
    reclaims.merge(pool, 1, Integer::sum);
    lastReclaim.merge(pool, at, (a, b) -> a.isAfter(b) ? a : b);
  }

  /** What was seen of each pool by {@code now}. */
  public SortedMap<String, SpotPoolHistory> history(Instant now) {
    SortedMap<String, SpotPoolHistory> out = new TreeMap<>();
    Duration observed = Duration.between(since, now);
    if (observed.isNegative()) {
      observed = Duration.ZERO;
    }
    for (Map.Entry<String, Integer> e : reclaims.entrySet()) {
      out.put(
          e.getKey(),
          new SpotPoolHistory(
              e.getKey(), e.getValue(), observed, lastReclaim.get(e.getKey()), null));
    }
    return out;
  }
}
