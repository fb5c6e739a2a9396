package io.tern.scheduler.core.model;

import java.util.Locale;
import java.util.Optional;

/** A job's priority class. Higher classes are considered first and may preempt lower ones. */
public enum PriorityClass {
  HIGH,
  NORMAL,
  LOW;

  /** True when this class outranks {@code other}, i.e. may preempt it. */
  public boolean outranks(PriorityClass other) {
    return ordinal() < other.ordinal();
  }

  /** Parses the spec spelling {@code high|normal|low} (case-insensitive). */
  public static Optional<PriorityClass> parse(String text) {
    return switch (text.toLowerCase(Locale.ROOT)) {
      case "high" -> Optional.of(HIGH);
      case "normal" -> Optional.of(NORMAL);
      case "low" -> Optional.of(LOW);
      default -> Optional.empty();
    };
  }

  /** The spelling {@link #parse} reads: {@code high|normal|low}. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
