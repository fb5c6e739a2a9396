package io.tern.scheduler.spec.finops;

import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/** A budget that cannot be used; each problem names its {@code tern.v1.Budget} field. */
public final class InvalidBudgetException extends IllegalArgumentException {
  private final SortedMap<String, String> fieldErrors;

  public InvalidBudgetException(Map<String, String> fieldErrors) {
    super(message(fieldErrors));
    this.fieldErrors = new TreeMap<>(fieldErrors);
  }

  /**
   * Problems by field name ({@code team}, {@code monthly_usd}, {@code daily_usd}, {@code soft_at}).
   */
  public SortedMap<String, String> fieldErrors() {
    return java.util.Collections.unmodifiableSortedMap(fieldErrors);
  }

  private static String message(Map<String, String> errors) {
    StringBuilder sb = new StringBuilder("invalid budget: ");
    String sep = "";
    for (var e : new TreeMap<>(errors).entrySet()) {
      sb.append(sep).append(e.getKey()).append(": ").append(e.getValue());
      sep = "; ";
    }
    return sb.toString();
  }
}
