package io.tern.scheduler.core.model;

import java.util.Locale;
import java.util.Optional;

/** What kind of capacity a job accepts, as written in its spec ({@code capacity:}). */
public enum CapacityPreference {
  /** Spot or on-demand; spot preferred inside off-peak windows. */
  SPOT_OK,
  /** Spot capacity only, even if that means waiting. */
  SPOT_ONLY,
  /** On-demand capacity only. */
  ON_DEMAND;

  /** Parses the spec spelling {@code spot-ok|spot-only|on-demand} (case-insensitive). */
  public static Optional<CapacityPreference> parse(String text) {
    return switch (text.toLowerCase(Locale.ROOT)) {
      case "spot-ok" -> Optional.of(SPOT_OK);
      case "spot-only" -> Optional.of(SPOT_ONLY);
      case "on-demand" -> Optional.of(ON_DEMAND);
      default -> Optional.empty();
    };
  }

  /** The spelling {@link #parse} reads: {@code spot-ok|spot-only|on-demand}. */
  public String label() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }
}
