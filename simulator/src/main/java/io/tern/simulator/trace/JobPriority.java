package io.tern.simulator.trace;

import java.util.Locale;

/** Priority class of a trace job, as in the job spec: {@code high | normal | low}. */
public enum JobPriority {
  HIGH,
  NORMAL,
  LOW;

  /** Parses {@code high|normal|low} (case-insensitive); returns {@code null} if unknown. */
  static JobPriority parse(String text) {
    return switch (text.toLowerCase(Locale.ROOT)) {
      case "high" -> HIGH;
      case "normal" -> NORMAL;
      case "low" -> LOW;
      default -> null;
    };
  }

  /** The spelling {@link #parse} reads: {@code high|normal|low}. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
