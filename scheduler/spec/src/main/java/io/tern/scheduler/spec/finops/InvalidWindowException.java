package io.tern.scheduler.spec.finops;

import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * An off-peak window that cannot be used; each problem names the {@code OffPeakWindow} field it is
 * about ({@code name}, {@code cron}, {@code duration}, {@code time_zone}), so the API can answer
 * INVALID_ARGUMENT with a message a user can act on.
 */
public final class InvalidWindowException extends IllegalArgumentException {
  private final SortedMap<String, String> fieldErrors;

  public InvalidWindowException(Map<String, String> fieldErrors) {
    super(message(fieldErrors));
    this.fieldErrors = new TreeMap<>(fieldErrors);
  }

  /** Problems by field name, sorted by field. */
  public SortedMap<String, String> fieldErrors() {
    return java.util.Collections.unmodifiableSortedMap(fieldErrors);
  }

  /** The fields with a problem, sorted. */
  public List<String> fields() {
    return List.copyOf(fieldErrors.keySet());
  }

  private static String message(Map<String, String> errors) {
    StringBuilder sb = new StringBuilder("invalid off-peak window: ");
    String sep = "";
    for (var e : new TreeMap<>(errors).entrySet()) {
      sb.append(sep).append(e.getKey()).append(": ").append(e.getValue());
      sep = "; ";
    }
    return sb.toString();
  }
}
