package io.tern.cli.client;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.Timestamp;
import com.google.protobuf.util.JsonFormat;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/** Printing API messages for people and for scripts. */
public final class Protos {
  /** Made on first use: only {@code -o json} needs it. */
  private static final class Json {
    static final JsonFormat.Printer PRINTER = JsonFormat.printer().preservingProtoFieldNames();
  }

  private static final DateTimeFormatter LOCAL =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());

  private Protos() {}

  public static String json(MessageOrBuilder message) {
    try {
      return Json.PRINTER.print(message);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    }
  }

  /** {@code JOB_STATE_RUNNING} → {@code RUNNING}. */
  public static String enumName(Enum<?> value, String prefix) {
    String name = value.name();
    return name.startsWith(prefix) ? name.substring(prefix.length()) : name;
  }

  public static String time(Timestamp t) {
    return t.getSeconds() == 0 && t.getNanos() == 0
        ? "-"
        : LOCAL.format(Instant.ofEpochSecond(t.getSeconds(), t.getNanos()));
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
}
