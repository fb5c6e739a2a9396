package io.tern.cli.client;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.Timestamp;
import com.google.protobuf.util.JsonFormat;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.TimeZone;

/** Printing API messages for people and for scripts. */
public final class Protos {
  /** Made on first use: only {@code -o json} needs it. */
  private static final class Json {
    static final JsonFormat.Printer PRINTER = JsonFormat.printer().preservingProtoFieldNames();
  }

  /**
   * Made on first use: {@code tern list} prints ages, not times, and in a fresh JVM the zone is
   * dear (the JDK reads its time-zone database once for {@link TimeZone} and again for java.time,
   * and takes the zone's name from its locale data: about 15 ms of CPU).
   */
  private static final class Local {
    static final DateTimeFormatter TIME = localTime(TimeZone.getDefault());
  }

  private Protos() {}

  /**
   * The times' format in {@code zone}: {@code yyyy-MM-dd HH:mm:ss z}. UTC, the zone of most servers
   * and containers, is written as that pattern names it ({@code UTC}) without reading the zone's
   * rules or name.
   */
  static DateTimeFormatter localTime(TimeZone zone) {
    if (zone.getID().equals("UTC") || zone.getID().equals("Etc/UTC")) {
      return DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'", Locale.ROOT)
          .withZone(ZoneOffset.UTC);
    }
    return DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss z", Locale.ROOT)
        .withZone(zone.toZoneId());
  }

  /**
   * {@code message} as indented JSON, its text as written: {@code a=b}, not the Unicode escape of
   * {@code =} that JsonFormat writes to be safe in HTML (it escapes {@code = < > & '}, which a
   * terminal or a script reading the output has no need for).
   */
  public static String json(MessageOrBuilder message) {
    try {
      return unescapeHtmlSafe(Json.PRINTER.print(message));
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * {@code json} with the Unicode escapes of {@code = < > & '} as those characters; every other
   * escape kept as it is (an escaped backslash followed by a {@code u} included).
   */
  static String unescapeHtmlSafe(String json) {
    if (json.indexOf("\\u00") < 0) {
      return json;
    }
    StringBuilder out = new StringBuilder(json.length());
    for (int i = 0; i < json.length(); i++) {
      char c = json.charAt(i);
      if (c != '\\' || i + 1 >= json.length()) {
        out.append(c);
        continue;
      }
      if (json.charAt(i + 1) == 'u' && i + 6 <= json.length()) {
        String hex = json.substring(i + 2, i + 6);
        char plain =
            switch (hex) {
              case "003d" -> '=';
              case "003c" -> '<';
              case "003e" -> '>';
              case "0026" -> '&';
              case "0027" -> '\'';
              default -> 0;
            };
        if (plain != 0) {
          out.append(plain);
          i += 5;
          continue;
        }
      }
      // Any other escape, as it is: both its characters, so that "\\" is never read as a start.
      out.append(c).append(json.charAt(i + 1));
      i++;
    }
    return out.toString();
  }

  /** {@code JOB_STATE_RUNNING} → {@code RUNNING}. */
  public static String enumName(Enum<?> value, String prefix) {
    String name = value.name();
    return name.startsWith(prefix) ? name.substring(prefix.length()) : name;
  }

  /**
   * {@code 2026-12-06 21:15:23 UTC}: the local time with its zone, as {@code tern explain}'s times
   * say theirs; {@code -} for an unset time.
   */
  public static String time(Timestamp t) {
    return t.getSeconds() == 0 && t.getNanos() == 0
        ? "-"
        : Local.TIME.format(Instant.ofEpochSecond(t.getSeconds(), t.getNanos()));
  }

  /** {@code 45s}, {@code 12m}, {@code 3h}, {@code 2d}: how long ago. */
  public static String age(Timestamp t, Instant now) {
    if (t.getSeconds() == 0) {
      return "-";
    }
    long s = Math.max(0, Duration.between(Instant.ofEpochSecond(t.getSeconds()), now).toSeconds());
    if (s < 120) {
      return s + "s";
    }
    if (s < 7200) {
      return s / 60 + "m";
    }
    return s < 172_800 ? s / 3600 + "h" : s / 86_400 + "d";
  }

  /**
   * Dollars to the cent; an amount under a dollar to a hundredth of a cent, so it never reads 0. As
   * Budget.usd in the core, which the client distribution does not carry.
   */
  public static String usd(double value) {
    return value != 0 && Math.abs(value) < 1
        ? String.format(java.util.Locale.ROOT, "$%.4f", value)
        : String.format(java.util.Locale.ROOT, "$%,.2f", value);
  }
}
