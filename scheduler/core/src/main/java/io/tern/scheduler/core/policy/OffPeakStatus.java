package io.tern.scheduler.core.policy;

import java.time.Instant;

/**
 * The off-peak window state at plan time, as computed by whoever owns the window definitions (the
 * live scheduler's Quartz triggers, or the simulator's virtual clock).
 *
 * @param open whether an off-peak window is open now
 * @param nextOpensAt when the next window opens (null if none is scheduled, or if open)
 * @param closesAt when the current window closes (null if closed or unknown)
 */
public record OffPeakStatus(boolean open, Instant nextOpensAt, Instant closesAt) {

  public static final OffPeakStatus NO_WINDOWS = new OffPeakStatus(false, null, null);

  public static OffPeakStatus openUntil(Instant closesAt) {
    return new OffPeakStatus(true, null, closesAt);
  }

  public static OffPeakStatus closedUntil(Instant nextOpensAt) {
    return new OffPeakStatus(false, nextOpensAt, null);
  }
}
