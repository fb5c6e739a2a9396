package io.tern.cli.client;

import io.tern.cli.UserInputException;
import io.tern.scheduler.spec.Durations;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Optional;

/** A {@code --since} flag: a date (UTC), an instant, or a duration back from now. */
public final class SinceFlag {
  /** What the flag accepts, for help texts. */
  public static final String FORMS =
      "a date (2025-06-01, UTC), an instant (2025-06-01T12:00:00Z) or a duration back from now"
          + " (7d, 12h)";

  private SinceFlag() {}

  /** A date (UTC midnight), an ISO instant, or a duration before {@code now}; empty otherwise. */
  public static Optional<Instant> parse(String text, Instant now) {
    String t = text.trim();
    var back = Durations.parse(t);
    if (back.isPresent()) {
      return Optional.of(now.minus(back.get()));
    }
    try {
      return Optional.of(LocalDate.parse(t).atStartOfDay(ZoneOffset.UTC).toInstant());
    } catch (DateTimeException e) {
      // not a date; try an instant
    }
    try {
      return Optional.of(Instant.parse(t));
    } catch (DateTimeException e) {
      return Optional.empty();
    }
  }

  /**
   * The instant {@code text} names, which must be before {@code now}.
   *
   * @throws UserInputException naming {@code flag} (exit 2)
   */
  public static Instant parsePast(String flag, String text, Instant now) {
    Instant from =
        parse(text, now)
            .orElseThrow(
                () ->
                    new UserInputException(
                        flag
                            + ": '"
                            + text
                            + "' is not a date (2025-06-01), an instant"
                            + " (2025-06-01T12:00:00Z) or a duration back from now (7d)"));
    if (!from.isBefore(now)) {
      throw new UserInputException(flag + ": '" + text + "' is not in the past");
    }
    return from;
  }
}
