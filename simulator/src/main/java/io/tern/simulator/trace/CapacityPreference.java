package io.tern.simulator.trace;

import java.util.Locale;

/** Where a trace job may run, as in the job spec: {@code spot-ok | spot-only | on-demand}. */
public enum CapacityPreference {
  SPOT_OK,
  SPOT_ONLY,
  ON_DEMAND;

  /** Parses the spec spelling (case-insensitive); returns {@code null} if unknown. */
  static CapacityPreference parse(String text) {
    return switch (text.toLowerCase(Locale.ROOT)) {
      case "spot-ok" -> SPOT_OK;
      case "spot-only" -> SPOT_ONLY;
      case "on-demand" -> ON_DEMAND;
      default -> null;
    };
  }

  /** The spelling {@link #parse} reads: {@code spot-ok|spot-only|on-demand}. */
  public String label() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }
}
