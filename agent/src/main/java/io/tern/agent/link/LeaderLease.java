package io.tern.agent.link;

import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The agent's side of the node lease: how long its jobs may keep running without a leader that has
 * heard from it. The leader marks a node lost, and resumes its jobs elsewhere, once it has heard no
 * heartbeat for the lease {@code L} (Registered.node_lease_ms). So the agent must have stopped its
 * jobs by then, counting from the last heartbeat the leader is known to have received.
 *
 * <h2>The timing rule</h2>
 *
 * <pre>
 *   base       = when the agent SENT the newest heartbeat (or Register) that the leader acknowledged
 *   fence at   = base + fenceAfter          the jobs get their checkpoint signal (else SIGTERM)
 *   kill at    = fence at + killGrace       SIGKILL to whatever is left
 *   kill at    = base + L - margin          so: fenceAfter + killGrace + margin = L
 *   margin     = max(L / 10, 500 ms)        clock rates, the shims' 200 ms poll, exit after SIGKILL
 *   killGrace  = min(L / 3, 5 s)            the fence budget a job has to checkpoint and exit
 * </pre>
 *
 * With the default lease of 15 s: fence 8.5 s after the last acknowledged heartbeat was sent,
 * SIGKILL at 13.5 s, the leader's verdict no sooner than 15 s after it received that heartbeat. The
 * reconnect back-off is capped well below fenceAfter (2 s by default), so an agent whose leader
 * failed over finds the next one before it has to fence.
 *
 * <p>Clock assumptions: both sides measure durations on monotonic clocks ({@link System#nanoTime}
 * here, the shims' {@code /proc/uptime}); no wall-clock agreement between hosts is needed, only
 * that their rates differ by less than margin / L (10 %). The leader receives a heartbeat after the
 * agent sent it, so counting from the send time errs on the safe side. A new leader counts every
 * node's lease from the moment it starts leading, which is after any acknowledgement the old leader
 * gave. A paused agent (SIGSTOP, a long GC) does not pause its shims, which enforce the same
 * deadlines from the lease file; on resume the agent sees the lease expired before it does anything
 * else ({@link #expired}).
 *
 * <p>Not thread-safe: confined to the agent's loop thread.
 */
public final class LeaderLease {
  /** The deadlines that follow from a lease {@code lease}. */
  public record Timing(Duration lease, Duration fenceAfter, Duration killGrace, Duration margin) {
    public static Timing of(Duration lease) {
      Duration margin = max(lease.dividedBy(10), Duration.ofMillis(500));
      Duration killGrace = min(lease.dividedBy(3), Duration.ofSeconds(5));
      Duration fenceAfter = lease.minus(margin).minus(killGrace);
      if (fenceAfter.isNegative() || fenceAfter.isZero()) {
        throw new IllegalArgumentException("a node lease of " + lease + " is too short to keep");
      }
      return new Timing(lease, fenceAfter, killGrace, margin);
    }
  }

  /** Where the deadlines go for the shims. */
  public interface Sink {
    void deadlines(long fenceAtNanos, long killAtNanos);

    void unbounded();
  }

  private static final int MAX_TRACKED = 1024;

  private final LongSupplier nanoTime;
  private final Sink sink;
  private final Map<Long, Long> sentAt = new LinkedHashMap<>();
  private Timing timing; // null: no lease (not registered yet, or a leader that sets none)
  private long base;
  private boolean granted;

  public LeaderLease(LongSupplier nanoTime, Sink sink) {
    this.nanoTime = nanoTime;
    this.sink = sink;
  }

  /** The current time on the lease's clock. */
  public long now() {
    return nanoTime.getAsLong();
  }

  /** A heartbeat numbered {@code seq} is being sent now. */
  public void sent(long seq) {
    sentAt.put(seq, nanoTime.getAsLong());
    if (sentAt.size() > MAX_TRACKED) {
      Iterator<Long> oldest = sentAt.keySet().iterator();
      oldest.next();
      oldest.remove();
    }
  }

  /**
   * A leader accepted a Register sent at {@code registerSentNanos}, with lease {@code lease} (zero:
   * none). A fresh lease, even after an expired one.
   */
  public void granted(Duration lease, long registerSentNanos) {
    sentAt.clear();
    granted = true;
    if (lease.isZero() || lease.isNegative()) {
      timing = null;
      sink.unbounded();
      return;
    }
    timing = Timing.of(lease);
    base = registerSentNanos;
    publish();
  }

  /**
   * The leader acknowledged heartbeat {@code seq}; renews the lease unless it has expired (only a
   * new registration renews an expired lease) or {@code seq} is not a heartbeat.
   */
  public void acknowledged(long seq) {
    Long sent = sentAt.remove(seq);
    if (sent == null || timing == null || expired()) {
      return;
    }
    // Acks come in order on one stream; older heartbeats still unacknowledged never will be.
    sentAt.keySet().removeIf(s -> s < seq);
    if (sent - base > 0) {
      base = sent;
      publish();
    }
  }

  /** True once the fence time has passed without a renewal. */
  public boolean expired() {
    return timing != null && nanoTime.getAsLong() - fenceAt() >= 0;
  }

  /** The timing of the lease held, or null when none bounds the jobs. */
  public Timing timing() {
    return timing;
  }

  /** Whether any leader has accepted this agent yet. */
  public boolean everGranted() {
    return granted;
  }

  /** How long since the base heartbeat was sent. */
  public Duration sinceBase() {
    return Duration.ofNanos(nanoTime.getAsLong() - base);
  }

  /** Nanoseconds from now until the kill time (negative once passed). */
  public long nanosUntilKill() {
    return timing == null ? Long.MAX_VALUE : fenceAt() + timing.killGrace().toNanos() - now();
  }

  private long fenceAt() {
    return base + timing.fenceAfter().toNanos();
  }

  private void publish() {
    sink.deadlines(fenceAt(), fenceAt() + timing.killGrace().toNanos());
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }
}
