package io.tern.simulator.spot;

import io.tern.simulator.trace.TraceFormatException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Reads spot availability traces in the Can't Be Late format: CSV without header, {@code index,
 * timestamp_utc, preempted}, one row per slot; {@code preempted = 1} means no spot capacity in that
 * slot. The slot length is taken from the first two timestamps (600 s for the published traces).
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
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    List<Boolean> available = new ArrayList<>(lines.size());
    Instant start = null;
    Instant second = null;
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).trim();
      if (line.isEmpty()) {
        continue;
      }
      String[] cells = line.split(",", -1);
      if (cells.length < 3) {
        throw new TraceFormatException(
            file, i + 1, null, "expected 3 columns (index, timestamp_utc, preempted)");
      }
      Instant at;
      try {
        at = Instant.parse(cells[1].trim());
      } catch (DateTimeParseException e) {
        throw new TraceFormatException(file, i + 1, "timestamp_utc", "not an ISO-8601 instant");
      }
      if (start == null) {
        start = at;
      } else if (second == null) {
        second = at;
      }
      String flag = cells[2].trim();
      if (!flag.equals("0") && !flag.equals("1")) {
        throw new TraceFormatException(file, i + 1, "preempted", "'" + flag + "' is not 0 or 1");
      }
      available.add(flag.equals("0"));
    }
    if (available.isEmpty()) {
      throw new TraceFormatException(file, 0, null, "spot trace is empty");
    }
    int slotSeconds =
        second == null ? 600 : (int) Math.max(1, Duration.between(start, second).toSeconds());
    boolean[] slots = new boolean[available.size()];
    for (int i = 0; i < slots.length; i++) {
      slots[i] = available.get(i);
    }
    return new SpotTrace(pool, start, slotSeconds, slots);
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
