package io.tern.offpeak;

import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Date;
import java.util.Objects;
import java.util.TimeZone;
import org.quartz.CronExpression;

/**
 * A validated off-peak window: it opens at every fire time of a Quartz cron expression read in a
 * time zone and stays open for a duration of wall-clock time in that zone. A 10-hour window opening
 * at 20:00 closes at 06:00 local every night, also on the nights the clocks change (it is then 9 or
 * 11 hours long): FinOps think in local hours, and so do tariffs. The scheduler builds one from a
 * request with its {@code WindowValidation}. Immutable and thread-safe (each call parses its own
 * {@link CronExpression}, which is not thread-safe).
 *
 * @param name unique name
 * @param cron Quartz cron expression (seconds first), e.g. {@code 0 0 20 ? * MON-FRI}
 * @param duration how long each opening lasts, positive
 * @param zone the time zone the cron and the duration are read in
 */
public record WindowSpec(String name, String cron, Duration duration, ZoneId zone) {

  public WindowSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(cron, "cron");
    Objects.requireNonNull(duration, "duration");
    Objects.requireNonNull(zone, "zone");
  }

  /** The first opening strictly after {@code after}, or null when the cron never fires again. */
  public Instant nextOpeningAfter(Instant after) {
    Date next = expression().getNextValidTimeAfter(Date.from(after));
    return next == null ? null : next.toInstant();
  }

  /**
   * When an opening at {@code openedAt} closes: the same wall-clock duration later, in the zone.
   */
  public Instant closingOf(Instant openedAt) {
    return openedAt.atZone(zone).toLocalDateTime().plus(duration).atZone(zone).toInstant();
  }

  /** A fresh, zone-aware Quartz expression (CronExpression instances are not thread-safe). */
  public CronExpression expression() {
    try {
      CronExpression e = new CronExpression(cron);
      e.setTimeZone(TimeZone.getTimeZone(zone));
      return e;
    } catch (ParseException e) {
      throw new IllegalStateException("window " + name + " holds an unchecked cron", e);
    }
  }
}
