package io.tern.scheduler.server.offpeak;

import com.google.protobuf.Timestamp;
import io.tern.api.v1.OffPeakWindow;
import io.tern.offpeak.OffPeakCalendar;
import io.tern.offpeak.WindowSpec;
import java.text.ParseException;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import org.quartz.CronExpression;

/**
 * Checks {@code tern.v1.OffPeakWindow} messages and converts between them and {@link WindowSpec}.
 * Stateless and thread-safe.
 */
public final class WindowValidation {
  /** Names become znode names and Quartz keys: keep them plain. */
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");

  /** Longer windows are almost certainly a unit mistake (minutes for hours). */
  public static final Duration MAX_DURATION = Duration.ofDays(7);

  private WindowValidation() {}

  /**
   * The window as a spec.
   *
   * @throws InvalidWindowException naming every field that is wrong
   */
  public static WindowSpec fromProto(OffPeakWindow window) {
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
    Duration duration = null;
    if (!window.hasDuration()) {
      errors.put("duration", "is required, e.g. 10h");
    } else {
      duration =
          Duration.ofSeconds(window.getDuration().getSeconds(), window.getDuration().getNanos());
      if (duration.isNegative() || duration.isZero()) {
        errors.put("duration", "must be positive, was " + duration);
      } else if (duration.compareTo(MAX_DURATION) > 0) {
        errors.put("duration", "must be at most 7 days, was " + duration);
      }
    }
    ZoneId zone = null;
    if (window.getTimeZone().isEmpty()) {
      errors.put("time_zone", "is required, an IANA zone such as Europe/Berlin or UTC");
    } else {
      try {
        zone = ZoneId.of(window.getTimeZone());
      } catch (DateTimeException e) {
        errors.put(
            "time_zone",
            "'" + window.getTimeZone() + "' is not an IANA time zone such as Europe/Berlin");
      }
    }
    if (errors.isEmpty()
        && new WindowSpec(name, cron, duration, zone).nextOpeningAfter(Instant.EPOCH) == null) {
      errors.put("cron", "'" + cron + "' never fires");
    }
    if (!errors.isEmpty()) {
      throw new InvalidWindowException(errors);
    }
    return new WindowSpec(name, cron, duration, zone);
  }

  /** The window as stored in ZooKeeper (without the output-only fields). */
  public static OffPeakWindow toProto(WindowSpec spec) {
    return OffPeakWindow.newBuilder()
        .setName(spec.name())
        .setCron(spec.cron())
        .setDuration(
            com.google.protobuf.Duration.newBuilder()
                .setSeconds(spec.duration().getSeconds())
                .setNanos(spec.duration().getNano()))
        .setTimeZone(spec.zone().getId())
        .build();
  }

  /** The window as ListOffPeakWindows answers it: with {@code open_now} and {@code next_open}. */
  public static OffPeakWindow toProto(WindowSpec spec, Instant now) {
    OffPeakWindow.Builder b = toProto(spec).toBuilder();
    OffPeakCalendar.Opening current = OffPeakCalendar.openingAt(spec, now);
    b.setOpenNow(current != null);
    Instant next = spec.nextOpeningAfter(now);
    if (next != null) {
      b.setNextOpen(
          Timestamp.newBuilder().setSeconds(next.getEpochSecond()).setNanos(next.getNano()));
    }
    return b.build();
  }
}
