package io.tern.simulator.spot;

import io.tern.simulator.trace.TraceFormatException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.YearMonth;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Reads spot availability traces in the Can't Be Late format: CSV without header, {@code index,
 * timestamp_utc, preempted}, one row per slot; {@code preempted = 1} means no spot capacity in that
 * slot. The slot length is taken from the first two timestamps (600 s for the published traces);
 * rows must be consecutive slots in order: each index one more than the row before, and each
 * timestamp between half a slot and one and a half slots after it (the published traces drift by a
 * second now and then). A trace that breaks that is refused, naming the row.
 */
public final class SpotTraceReader {
  private SpotTraceReader() {}

  /**
   * Reads one trace file; the pool is the file name without {@code .txt}.
   *
   * @throws TraceFormatException naming the file, row and column of a bad cell
   */
  public static SpotTrace read(Path file) {
    return read(file, file.getFileName().toString().replaceFirst("\\.txt$", ""));
  }

  /** Reads one trace file under a given pool name. */
  public static SpotTrace read(Path file, String pool) {
    List<String> lines;
    try {
      if (!Files.isRegularFile(file)) {
        throw new TraceFormatException(file, 0, null, "spot trace file not found");
      }
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (java.nio.charset.CharacterCodingException e) {
      throw new TraceFormatException(file, 0, null, "is not UTF-8 text (a spot trace is CSV)");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    List<Boolean> available = new ArrayList<>(lines.size());
    Instant start = null;
    long firstIndex = 0;
    long previous = 0;
    long slotSeconds = 0;
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).trim();
      if (line.isEmpty()) {
        continue;
      }
      String[] cells = line.split(",", -1);
      if (cells.length != 3) {
        throw new TraceFormatException(
            file,
            i + 1,
            null,
            "expected 3 columns (index, timestamp_utc, preempted), found " + cells.length);
      }
      long index = index(cells[0].trim(), file, i + 1);
      if (available.isEmpty()) {
        firstIndex = index;
      } else if (index != firstIndex + available.size()) {
        throw new TraceFormatException(
            file,
            i + 1,
            "index",
            index
                + " where "
                + (firstIndex + available.size())
                + " comes next: rows are consecutive slots, in order");
      }
      String timestamp = cells[1].trim();
      long at;
      if (start == null) {
        start = parseInstant(timestamp, file, i + 1);
        at = start.getEpochSecond();
      } else {
        at =
            isPlainUtcInstant(timestamp)
                ? plainEpochSecond(timestamp)
                : parseInstant(timestamp, file, i + 1).getEpochSecond();
        long gap = at - previous;
        if (slotSeconds == 0) {
          if (gap <= 0) {
            throw new TraceFormatException(
                file,
                i + 1,
                "timestamp_utc",
                "is not after the row before: rows are in time order");
          }
          slotSeconds = gap; // the slot length, from the first two rows
        } else if (gap * 2 <= slotSeconds || gap * 2 >= slotSeconds * 3) {
          throw new TraceFormatException(
              file,
              i + 1,
              "timestamp_utc",
              "comes "
                  + gap
                  + " s after the row before, where this trace's slots are "
                  + slotSeconds
                  + " s: rows are consecutive slots, in order, none missing");
        }
      }
      previous = at;
      String flag = cells[2].trim();
      if (!flag.equals("0") && !flag.equals("1")) {
        throw new TraceFormatException(file, i + 1, "preempted", "'" + flag + "' is not 0 or 1");
      }
      available.add(flag.equals("0"));
    }
    if (available.isEmpty()) {
      throw new TraceFormatException(file, 0, null, "spot trace is empty");
    }
    if (slotSeconds == 0) {
      slotSeconds = 600;
    }
    boolean[] slots = new boolean[available.size()];
    for (int i = 0; i < slots.length; i++) {
      slots[i] = available.get(i);
    }
    return new SpotTrace(pool, start, (int) Math.min(slotSeconds, Integer.MAX_VALUE), slots);
  }

  private static long index(String text, Path file, int row) {
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      throw new TraceFormatException(file, row, "index", "'" + text + "' is not a whole number");
    }
  }

  /** The epoch second of a text {@link #isPlainUtcInstant} accepted, without a parser. */
  static long plainEpochSecond(String text) {
    long day =
        java.time.LocalDate.of(number(text, 0, 4), number(text, 5, 7), number(text, 8, 10))
            .toEpochDay();
    return day * 86_400
        + number(text, 11, 13) * 3600L
        + number(text, 14, 16) * 60L
        + number(text, 17, 19);
  }

  private static Instant parseInstant(String text, Path file, int row) {
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      throw new TraceFormatException(file, row, "timestamp_utc", "not an ISO-8601 instant");
    }
  }

  /**
   * Whether {@code text} has the form the published traces use, {@code yyyy-MM-ddTHH:mm:ss.fffZ}
   * (fraction optional, 1 to 9 digits), with a real calendar date and a time of day before 24:00
   * and no leap second; every such text is one {@link Instant#parse} accepts. Checking rows this
   * way instead of parsing each one keeps reading a directory of traces cheap; anything else is
   * left to {@code Instant.parse} to accept or refuse.
   */
  static boolean isPlainUtcInstant(String text) {
    int n = text.length();
    if (n < 20
        || text.charAt(4) != '-'
        || text.charAt(7) != '-'
        || text.charAt(10) != 'T'
        || text.charAt(13) != ':'
        || text.charAt(16) != ':'
        || text.charAt(n - 1) != 'Z') {
      return false;
    }
    if (n > 20 && (text.charAt(19) != '.' || n == 21 || n > 30 || !digits(text, 20, n - 1))) {
      return false;
    }
    if (n == 20 && text.charAt(19) != 'Z') {
      return false;
    }
    if (!digits(text, 0, 4)
        || !digits(text, 5, 7)
        || !digits(text, 8, 10)
        || !digits(text, 11, 13)
        || !digits(text, 14, 16)
        || !digits(text, 17, 19)) {
      return false;
    }
    int year = number(text, 0, 4);
    int month = number(text, 5, 7);
    int day = number(text, 8, 10);
    return month >= 1
        && month <= 12
        && day >= 1
        && day <= YearMonth.of(year, month).lengthOfMonth()
        && number(text, 11, 13) < 24
        && number(text, 14, 16) < 60
        && number(text, 17, 19) < 60;
  }

  private static boolean digits(String text, int from, int to) {
    for (int i = from; i < to; i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }

  private static int number(String text, int from, int to) {
    int value = 0;
    for (int i = from; i < to; i++) {
      value = value * 10 + (text.charAt(i) - '0');
    }
    return value;
  }

  /**
   * Reads every {@code *.txt} under {@code dir} (recursively), sorted by relative path. A file in a
   * subdirectory gets the pool name {@code <subdir>/<stem>}, e.g. {@code
   * 2022-10-26T22-05/us-west-2a_v100_1}.
   *
   * @throws TraceFormatException if the directory is missing, empty or holds a bad file
   */
  public static List<SpotTrace> readDirectory(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new TraceFormatException(dir, 0, null, "spot trace directory not found");
    }
    List<Path> files;
    try (Stream<Path> walk = Files.walk(dir)) {
      files =
          walk.filter(p -> Files.isRegularFile(p) && p.toString().endsWith(".txt"))
              .sorted()
              .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
    if (files.isEmpty()) {
      throw new TraceFormatException(dir, 0, null, "holds no spot trace (*.txt) files");
    }
    List<SpotTrace> traces = new ArrayList<>(files.size());
    for (Path file : files) {
      String relative = dir.relativize(file).toString().replace('\\', '/');
      traces.add(read(file, relative.replaceFirst("\\.txt$", "")));
    }
    return traces;
  }
}
