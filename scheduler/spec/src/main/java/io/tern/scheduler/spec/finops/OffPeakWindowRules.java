package io.tern.scheduler.spec.finops;

import io.tern.api.v1.OffPeakWindow;
import java.text.ParseException;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import org.quartz.CronExpression;

/**
 * The field rules of a {@code tern.v1.OffPeakWindow}: what {@code tern offpeak set} checks before
 * sending and the scheduler checks again on receipt (where it also refuses a cron that never
 * fires). Only Quartz's self-contained cron parser is used, so a client needs no Quartz scheduler.
 * Stateless and thread-safe.
 */
public final class OffPeakWindowRules {
  /** Names become znode names and Quartz keys: keep them plain. */
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");

  /** Longer windows are almost certainly a unit mistake (minutes for hours). */
  private static final Duration MAX_DURATION = Duration.ofDays(7);

  private OffPeakWindowRules() {}

  /**
   * What is wrong with {@code window}, by field ({@code name}, {@code cron}, ...); empty if none.
   */
  public static Map<String, String> fieldErrors(OffPeakWindow window) {
    Map<String, String> errors = new LinkedHashMap<>();
    String name = window.getName();
    if (!NAME.matcher(name).matches()) {
      errors.put(
          "name",
          "'"
              + name
              + "' must be 1-63 letters, digits, '.', '_' or '-', starting with a letter or digit");
    }
    String cron = window.getCron().trim();
    if (cron.isEmpty()) {
      errors.put("cron", "is required, e.g. '0 0 20 ? * MON-FRI' (sec min hour day month weekday)");
    } else {
      try {
        new CronExpression(cron);
      } catch (ParseException e) {
        errors.put(
            "cron",
            "'"
                + cron
                + "' is not a Quartz cron expression (sec min hour day month weekday):"
                + " "
                + e.getMessage());
      }
    }
    if (!window.hasDuration()) {
      errors.put("duration", "is required, e.g. 10h");
    } else {
      Duration duration =
          Duration.ofSeconds(window.getDuration().getSeconds(), window.getDuration().getNanos());
      if (duration.isNegative() || duration.isZero()) {
        errors.put("duration", "must be positive, was " + duration);
      } else if (duration.compareTo(MAX_DURATION) > 0) {
        errors.put("duration", "must be at most 7 days, was " + duration);
      }
    }
    if (window.getTimeZone().isEmpty()) {
      errors.put("time_zone", "is required, an IANA zone such as Europe/Berlin or UTC");
    } else {
      try {
        ZoneId.of(window.getTimeZone());
      } catch (DateTimeException e) {
        errors.put(
            "time_zone",
            "'" + window.getTimeZone() + "' is not an IANA time zone such as Europe/Berlin");
      }
    }
    return errors;
  }

  /**
   * Checks {@code window}'s fields.
   *
   * @throws InvalidWindowException naming every field that is wrong
   */
  public static void check(OffPeakWindow window) {
    Map<String, String> errors = fieldErrors(window);
    if (!errors.isEmpty()) {
      throw new InvalidWindowException(errors);
    }
  }
}
