package io.tern.offpeak;

import io.tern.scheduler.core.policy.OffPeakStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * Off-peak state computed from the window definitions alone, for any instant: the answer for the
 * core's {@code PolicySnapshot} and for ListOffPeakWindows, and the check every Quartz fire makes
 * before it reports anything. Windows combine: off-peak is open while any window is open, and a
 * window that opens before another closes extends it.
 *
 * <p>Openings are the cron's fire times in the window's zone (Quartz's own DST rules: a fire time
 * that falls into a spring-forward gap is moved past the gap; a fire time in the repeated fall-back
 * hour fires once). Closings are a wall-clock duration later in the same zone (see {@link
 * WindowSpec#closingOf}). An opening is open on {@code [openedAt, closesAt)}.
 *
 * <p>Pure: no clock, no Quartz scheduler; immutable and thread-safe.
 */
public final class OffPeakCalendar {
  /** DST moves wall-clock durations by at most this much in any zone in use today. */
  private static final Duration MAX_SHIFT = Duration.ofHours(3);

  /** Bound on chained windows when computing when the union closes. */
  private static final int MAX_CHAIN = 10_000;

  private final List<WindowSpec> windows;

  public OffPeakCalendar(Collection<WindowSpec> windows) {
    List<WindowSpec> sorted = new ArrayList<>(windows);
    sorted.sort(Comparator.comparing(WindowSpec::name));
    this.windows = List.copyOf(sorted);
  }

  /** One opening of a window. */
  public record Opening(String name, Instant openedAt, Instant closesAt) {}

  /**
   * The opening of {@code window} that is open at {@code at} and closes last, or null when the
   * window is closed at {@code at}.
   */
  public static Opening openingAt(WindowSpec window, Instant at) {
    // Openings that may still be open began after at - duration - MAX_SHIFT; walk them up to at.
    Instant t = at.minus(window.duration()).minus(MAX_SHIFT);
    Opening best = null;
    var expression = window.expression();
    while (true) {
      java.util.Date next = expression.getNextValidTimeAfter(java.util.Date.from(t));
      if (next == null) {
        return best;
      }
      Instant opened = next.toInstant();
      if (opened.isAfter(at)) {
        return best;
      }
      Instant closes = window.closingOf(opened);
      if (closes.isAfter(at) && (best == null || closes.isAfter(best.closesAt()))) {
        best = new Opening(window.name(), opened, closes);
      }
      t = opened;
    }
  }

  /** The off-peak state at {@code at}, for the core. */
  public OffPeakStatus status(Instant at) {
    Instant closes = null;
    for (WindowSpec w : windows) {
      Opening o = openingAt(w, at);
      if (o != null && (closes == null || o.closesAt().isAfter(closes))) {
        closes = o.closesAt();
      }
    }
    if (closes != null) {
      return OffPeakStatus.openUntil(unionClosing(closes));
    }
    Instant next = nextOpening(at);
    return next == null ? OffPeakStatus.NO_WINDOWS : OffPeakStatus.closedUntil(next);
  }

  /** The windows open at {@code at}, sorted by name. */
  public List<Opening> openAt(Instant at) {
    List<Opening> out = new ArrayList<>();
    for (WindowSpec w : windows) {
      Opening o = openingAt(w, at);
      if (o != null) {
        out.add(o);
      }
    }
    return out;
  }

  /** The first opening of any window strictly after {@code after}, or null if none. */
  public Instant nextOpening(Instant after) {
    Instant next = null;
    for (WindowSpec w : windows) {
      Instant n = w.nextOpeningAfter(after);
      if (n != null && (next == null || n.isBefore(next))) {
        next = n;
      }
    }
    return next;
  }

  /** Extends a closing time while some window opens before it closes. */
  private Instant unionClosing(Instant closes) {
    for (int i = 0; i < MAX_CHAIN; i++) {
      Instant extended = closes;
      for (WindowSpec w : windows) {
        Opening o = openingAt(w, closes);
        if (o != null && o.closesAt().isAfter(extended)) {
          extended = o.closesAt();
        }
      }
      if (extended.equals(closes)) {
        return closes;
      }
      closes = extended;
    }
    return closes;
  }
}
