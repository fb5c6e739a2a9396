package io.tern.simulator.engine;

import io.tern.offpeak.OffPeakCalendar;
import io.tern.offpeak.WindowSpec;
import io.tern.scheduler.core.policy.OffPeakStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The scheduler's off-peak calendar (cron windows with time zones, {@link OffPeakCalendar}) read in
 * trace seconds: trace second 0 is {@code traceStart} on the calendar, so a FinOps window opens in
 * a replay at the hours, weekdays and DST changes it opens on in the live cluster. Immutable and
 * thread-safe.
 *
 * @param windows the windows, as {@code tern offpeak set} stores them; empty for none
 * @param traceStart the calendar instant of trace second 0
 */
public record OffPeakReplay(List<WindowSpec> windows, Instant traceStart) {
  /** No windows. */
  public static final OffPeakReplay NONE = new OffPeakReplay(List.of(), Instant.EPOCH);

  public OffPeakReplay {
    windows = List.copyOf(windows);
    Objects.requireNonNull(traceStart, "traceStart");
  }

  public boolean isEmpty() {
    return windows.isEmpty();
  }

  /** Whether off-peak is open at trace second {@code t} (any window open). */
  public boolean openAt(long t) {
    return calendar().status(instant(t)).open();
  }

  /**
   * The first trace second after {@code t} at which off-peak opens or closes (windows that overlap
   * or chain count as one); {@link Long#MAX_VALUE} when it never changes again.
   */
  public long nextChangeAfter(long t) {
    OffPeakStatus status = calendar().status(instant(t));
    Instant change = status.open() ? status.closesAt() : status.nextOpensAt();
    return change == null ? Long.MAX_VALUE : traceSecond(change);
  }

  /** The state at trace second {@code t} for the core, in {@link VirtualClock} instants. */
  public OffPeakStatus status(long t) {
    if (windows.isEmpty()) {
      return OffPeakStatus.NO_WINDOWS;
    }
    OffPeakStatus status = calendar().status(instant(t));
    if (status.open()) {
      return OffPeakStatus.openUntil(VirtualClock.at(traceSecond(status.closesAt())));
    }
    return status.nextOpensAt() == null
        ? OffPeakStatus.NO_WINDOWS
        : OffPeakStatus.closedUntil(VirtualClock.at(traceSecond(status.nextOpensAt())));
  }

  private OffPeakCalendar calendar() {
    return new OffPeakCalendar(windows);
  }

  private Instant instant(long t) {
    return traceStart.plusSeconds(t);
  }

  /** Rounded up: the change is seen at the first whole trace second at or after it. */
  private long traceSecond(Instant at) {
    Duration d = Duration.between(traceStart, at);
    return d.getSeconds() + (d.getNano() > 0 ? 1 : 0);
  }

  @Override
  public String toString() {
    StringBuilder out = new StringBuilder();
    for (WindowSpec w : windows) {
      out.append(out.isEmpty() ? "" : ", ")
          .append(w.name())
          .append(" (")
          .append(w.cron())
          .append(" for ")
          .append(w.duration())
          .append(" in ")
          .append(w.zone())
          .append(')');
    }
    return out + " from trace start " + traceStart;
  }
}
