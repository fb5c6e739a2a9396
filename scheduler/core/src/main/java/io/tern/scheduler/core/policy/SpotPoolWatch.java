package io.tern.scheduler.core.policy;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The reclaims and returns of capacity a leader has seen, per spot pool, for the core's pool risk
 * and its settle time. Each spot notice of a node counts as a reclaim (idle nodes too) and ends the
 * pool's capacity; a spot node of the pool that joins afterwards brings it back ({@link
 * SpotPoolHistory#availableSince}). The live scheduler feeds it the notices it handles and the spot
 * nodes that become ready; the simulator the same two events from its replay, so both time the
 * settle before a return to spot from the same instant. Only pools with a reclaim seen are
 * reported: a pool never reclaimed has only the prior rate and counts as settled.
 *
 * <p>What a new leader knows: the reclaims, from the reclaimed attempts in the jobs' history, but
 * not when the capacity came back (that is not stored). Nodes re-registering with it were already
 * up and do not count as returns (the caller reports a return only for a node that was not ready),
 * so until a spot node joins in its term it times the settle from the pool's last reclaim.
 *
 * <p>Not thread-safe: owned by the caller's loop.
 */
public final class SpotPoolWatch {
  private final Instant since;
  private final Map<String, Pool> pools = new TreeMap<>();

  /** Watching from {@code since} (the earliest time the history covers). */
  public SpotPoolWatch(Instant since) {
    this.since = since;
  }

  /** A reclaim of a node of {@code pool} at {@code at}: the pool's capacity is gone. */
  public void reclaimed(String pool, Instant at) {
    if (pool == null || pool.isEmpty()) {
      return;
    }
    Pool p = pools.computeIfAbsent(pool, k -> new Pool());
    p.reclaims++;
    if (p.lastReclaim == null || at.isAfter(p.lastReclaim)) {
      p.lastReclaim = at;
    }
    if (p.availableSince != null && !at.isBefore(p.availableSince)) {
      p.availableSince = null;
    }
  }

  /**
   * A spot node of {@code pool} joined (became ready) at {@code at}: the pool has capacity again,
   * since the first node that joined after its last reclaim. A join older than the last reclaim
   * (reported late) changes nothing.
   */
  public void returned(String pool, Instant at) {
    if (pool == null || pool.isEmpty()) {
      return;
    }
    Pool p = pools.computeIfAbsent(pool, k -> new Pool());
    if (p.availableSince == null && (p.lastReclaim == null || !at.isBefore(p.lastReclaim))) {
      p.availableSince = at;
    }
  }

  /** What was seen by {@code now} of each pool that had a reclaim. */
  public SortedMap<String, SpotPoolHistory> history(Instant now) {
    SortedMap<String, SpotPoolHistory> out = new TreeMap<>();
    Duration observed = Duration.between(since, now);
    if (observed.isNegative()) {
      observed = Duration.ZERO;
    }
    for (Map.Entry<String, Pool> e : pools.entrySet()) {
      Pool p = e.getValue();
      if (p.reclaims > 0) {
        out.put(
            e.getKey(),
            new SpotPoolHistory(e.getKey(), p.reclaims, observed, p.lastReclaim, p.availableSince));
      }
    }
    return out;
  }

  private static final class Pool {
    int reclaims;
    Instant lastReclaim;
    Instant availableSince;
  }
}
