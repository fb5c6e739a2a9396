package io.tern.scheduler.spec;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as people write them in specs and flags: {@code 90s}, {@code 30m}, {@code 48h}, {@code
 * 2d}, or combined, {@code 1h30m}.
 */
public final class Durations {
  private static final Pattern WHOLE = Pattern.compile("(?:\\d{1,9}[dhms])+");

  /** Longer than any duration a person writes: "999999999d23h59m59s" is 19. */
  private static final int MAX_CHARS = 64;

  private static final Pattern PART = Pattern.compile("(\\d{1,9})([dhms])");

  private Durations() {}

  /** Parses {@code text}; empty if it is not a duration of this form. */
  public static Optional<Duration> parse(String text) {
    String trimmed = text.trim();
    // The repeated group recurses per part in java.util.regex: bound the input, not the stack.
    if (trimmed.length() > MAX_CHARS || !WHOLE.matcher(trimmed).matches()) {
      return Optional.empty();
    }
    Duration total = Duration.ZERO;
    Matcher part = PART.matcher(trimmed);
    while (part.find()) {
      long amount = Long.parseLong(part.group(1));
      total =
          total.plus(
              switch (part.group(2)) {
                case "d" -> Duration.ofDays(amount);
                case "h" -> Duration.ofHours(amount);
                case "m" -> Duration.ofMinutes(amount);
                default -> Duration.ofSeconds(amount);
              });
    }
    return Optional.of(total);
  }

  /** The shortest text {@link #parse} reads back to {@code duration} (whole seconds). */
  public static String format(Duration duration) {
    long seconds = duration.toSeconds();
    if (seconds == 0) {
      return "0s";
    }
    StringBuilder out = new StringBuilder();
    long days = seconds / 86_400;
    // Hours are the natural unit for runtimes: 48h rather than 2d.
    long hours = seconds % 86_400 / 3600 + (days * 24);
    long minutes = seconds % 3600 / 60;
    long secs = seconds % 60;
    if (hours > 0) {
      out.append(hours).append('h');
    }
    if (minutes > 0) {
      out.append(minutes).append('m');
    }
    if (secs > 0) {
      out.append(secs).append('s');
    }
    return out.toString();
  }
}
