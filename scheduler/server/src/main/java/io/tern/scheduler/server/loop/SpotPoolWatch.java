package io.tern.scheduler.server.loop;

import io.tern.scheduler.core.policy.SpotPoolHistory;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The reclaims a leader has seen, per spot pool, for the core's pool risk: each spot notice of a
 * node counts (idle nodes too), and a new leader starts from the reclaimed attempts in the jobs'
 * history. Owned by the loop thread.
 */
final class SpotPoolWatch {
  private final Instant since;
  private final Map<String, Integer> reclaims = new TreeMap<>();
  private final Map<String, Instant> lastReclaim = new TreeMap<>();

  /** Watching from {@code since} (the earliest time the history covers). */
  SpotPoolWatch(Instant since) {
    this.since = since;
  }

  /** A reclaim of a node of {@code pool} at {@code at}. */
  void reclaimed(String pool, Instant at) {
    if (pool == null || pool.isEmpty()) {
      return;
    }
    reclaims.merge(pool, 1, Integer::sum);
    lastReclaim.merge(pool, at, (a, b) -> a.isAfter(b) ? a : b);
  }

  /** What was seen of each pool by {@code now}. */
  SortedMap<String, SpotPoolHistory> history(Instant now) {
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
