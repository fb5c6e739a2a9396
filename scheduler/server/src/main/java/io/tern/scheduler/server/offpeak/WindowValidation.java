package io.tern.scheduler.server.offpeak;

import com.google.protobuf.Timestamp;
import io.tern.api.v1.OffPeakWindow;
import io.tern.offpeak.OffPeakCalendar;
import io.tern.offpeak.WindowSpec;
import io.tern.scheduler.spec.finops.InvalidWindowException;
import io.tern.scheduler.spec.finops.OffPeakWindowRules;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Map;

/**
 * Checks {@code tern.v1.OffPeakWindow} messages ({@link OffPeakWindowRules}, and that the cron
 * fires at all) and converts between them and {@link WindowSpec}. Stateless and thread-safe.
 */
public final class WindowValidation {
  private WindowValidation() {}

  /**
   * The window as a spec.
   *
   * @throws InvalidWindowException naming every field that is wrong
   */
  public static WindowSpec fromProto(OffPeakWindow window) {
    Map<String, String> errors = OffPeakWindowRules.fieldErrors(window);
    String cron = window.getCron().trim();
    if (!errors.isEmpty()) {
      throw new InvalidWindowException(errors);
    }
    WindowSpec spec =
        new WindowSpec(
            window.getName(),
            cron,
            Duration.ofSeconds(window.getDuration().getSeconds(), window.getDuration().getNanos()),
            ZoneId.of(window.getTimeZone()));
    if (spec.nextOpeningAfter(Instant.EPOCH) == null) {
      throw new InvalidWindowException(Map.of("cron", "'" + cron + "' never fires"));
    }
    return spec;
  }

  /** The shortest time between two openings of one window. */
  public static final Duration MIN_PERIOD = Duration.ofMinutes(1);

  /**
   * Checks what a window set now will do: that it opens again after {@code now} (a cron whose years
   * are past never does), and not more often than once a {@link #MIN_PERIOD} (each opening is a
   * scheduling event for every queued job: a cron that fires every second stalls the scheduler).
   *
   * @throws InvalidWindowException naming the cron
   */
  public static void checkOpenings(WindowSpec spec, Instant now) {
    Instant first = spec.nextOpeningAfter(now);
    if (first == null) {
      throw new InvalidWindowException(
          Map.of("cron", "'" + spec.cron() + "' never fires after " + now));
    }
    Instant second = spec.nextOpeningAfter(first);
    if (second != null && Duration.between(first, second).compareTo(MIN_PERIOD) < 0) {
      throw new InvalidWindowException(
          Map.of(
              "cron",
              "'"
                  + spec.cron()
                  + "' fires every "
                  + Duration.between(first, second).toMillis() / 1000.0
                  + " s; a window may open at most once a minute"));
    }
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
