package io.tern.cli.simulate;

import io.tern.cli.UserInputException;
import io.tern.offpeak.WindowSpec;
import io.tern.scheduler.spec.Durations;
import io.tern.simulator.engine.OffPeakReplay;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import org.quartz.CronExpression;

/**
 * {@code tern simulate --offpeak CRON;DURATION;ZONE ... --trace-start INSTANT}: the windows {@code
 * tern offpeak set} takes, replayed; each error names its flag and exits 2.
 */
final class OffPeakFlags {
  private OffPeakFlags() {}

  static OffPeakReplay parse(List<String> windows, String traceStart) {
    Instant start;
    try {
      start = Instant.parse(traceStart);
    } catch (DateTimeParseException e) {
      throw new UserInputException(
          "--trace-start: expected an instant like 2026-05-04T00:00:00Z, got \""
              + traceStart
              + "\"");
    }
    List<WindowSpec> specs = new ArrayList<>();
    for (String text : windows) {
      specs.add(window("offpeak-" + (specs.size() + 1), text, start));
    }
    return specs.isEmpty() ? OffPeakReplay.NONE : new OffPeakReplay(specs, start);
  }

  private static WindowSpec window(String name, String text, Instant start) {
    String[] parts = text.split(";", -1);
    if (parts.length != 3) {
      throw refused(text, "expected CRON;DURATION;ZONE, e.g. '0 0 20 ? * MON-FRI;11h;UTC'");
    }
    String cron = parts[0].trim();
    if (!CronExpression.isValidExpression(cron)) {
      throw refused(text, "'" + cron + "' is not a Quartz cron expression (seconds first)");
    }
    Duration duration =
        Durations.parse(parts[1].trim())
            .filter(d -> d.isPositive())
            .orElseThrow(
                () -> refused(text, "'" + parts[1].trim() + "' is not a duration like 11h"));
    ZoneId zone;
    try {
      zone = ZoneId.of(parts[2].trim());
    } catch (DateTimeException e) {
      throw refused(text, "'" + parts[2].trim() + "' is not an IANA time zone");
    }
    WindowSpec spec = new WindowSpec(name, cron, duration, zone);
    if (spec.nextOpeningAfter(start.minus(duration)) == null) {
      throw refused(text, "the cron never fires after --trace-start");
    }
    return spec;
  }

  private static UserInputException refused(String text, String why) {
    return new UserInputException("--offpeak \"" + text + "\": " + why);
  }
}
