package io.tern.simulator.trace;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A minimal streaming CSV reader for trace files: a header row, then one record per line. Fields
 * may be wrapped in double quotes (with {@code ""} for a literal quote); quoted fields may not span
 * lines. Blank lines are skipped. Typed getters throw {@link TraceFormatException} naming file, row
 * and column.
 */
final class CsvTable {
  /** The most seconds a time or duration may be: traces span years at most. */
  static final double MAX_SECONDS = 1e10;

  private final Path file;

  private CsvTable(Path file) {
    this.file = file;
  }

  /** One record, with typed access by column name. */
  final class Row {
    private final int rowNumber;
    private final Map<String, Integer> index;
    private final List<String> cells;

    private Row(int rowNumber, Map<String, Integer> index, List<String> cells) {
      this.rowNumber = rowNumber;
      this.index = index;
      this.cells = cells;
    }

    int number() {
      return rowNumber;
    }

    boolean has(String column) {
      return index.containsKey(column);
    }

    /** The trimmed cell, or "" when the column is absent or the row is short. */
    String text(String column) {
      Integer i = index.get(column);
      if (i == null || i >= cells.size()) {
        return "";
      }
      return cells.get(i).trim();
    }

    String requiredText(String column) {
      String value = text(column);
      if (value.isEmpty()) {
        throw missing(column);
      }
      return value;
    }

    long seconds(String column, long fallback) {
      String value = text(column);
      if (value.isEmpty()) {
        return fallback;
      }
      double parsed;
      try {
        parsed = Double.parseDouble(value);
      } catch (NumberFormatException e) {
        throw error(column, "'" + value + "' is not a number of seconds");
      }
      if (!Double.isFinite(parsed) || parsed < 0) {
        throw error(column, "'" + value + "' must be a finite number >= 0");
      }
      if (parsed > MAX_SECONDS) {
        throw error(column, "'" + value + "' is more than 10^10 seconds (317 years)");
      }
      return Math.round(parsed);
    }

    double decimal(String column, double fallback) {
      String value = text(column);
      if (value.isEmpty()) {
        return fallback;
      }
      try {
        double parsed = Double.parseDouble(value);
        if (!Double.isFinite(parsed) || parsed < 0) {
          throw error(column, "'" + value + "' must be a finite number >= 0");
        }
        return parsed;
      } catch (NumberFormatException e) {
        throw error(column, "'" + value + "' is not a number");
      }
    }

    int integer(String column, int fallback) {
      String value = text(column);
      if (value.isEmpty()) {
        return fallback;
      }
      try {
        int parsed = Integer.parseInt(value);
        if (parsed < 0) {
          throw error(column, "'" + value + "' must be >= 0");
        }
        return parsed;
      } catch (NumberFormatException e) {
        throw error(column, "'" + value + "' is not a whole number");
      }
    }

    /** The error for a required cell that is empty, or missing from a short row. */
    TraceFormatException missing(String column) {
      Integer i = index.get(column);
      return error(
          column,
          i != null && i >= cells.size()
              ? "is missing: the row has "
                  + cells.size()
                  + (cells.size() == 1 ? " field" : " fields")
                  + ", the header "
                  + index.size()
              : "is empty but required");
    }

    TraceFormatException error(String column, String problem) {
      return new TraceFormatException(file, rowNumber, column, problem);
    }
  }

  /**
   * Reads {@code file}, checks the header holds every required column, and hands each data row to
   * {@code sink} in file order.
   *
   * @return the header's column names, trimmed and lower-case, in order
   */
  static List<String> read(Path file, List<String> requiredColumns, Consumer<Row> sink) {
    return new CsvTable(file).readAll(requiredColumns, sink);
  }

  private List<String> readAll(List<String> requiredColumns, Consumer<Row> sink) {
    if (Files.isDirectory(file)) {
      throw new TraceFormatException(file, 0, null, "is a directory; a CSV file was expected");
    }
    try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String header = reader.readLine();
      if (header == null) {
        throw new TraceFormatException(file, 0, null, "is empty; expected a header row");
      }
      if (header.startsWith("\uFEFF")) {
        header = header.substring(1);
      }
      Map<String, Integer> index = new HashMap<>();
      List<String> names =
          split(header, 1).stream().map(n -> n.trim().toLowerCase(java.util.Locale.ROOT)).toList();
      for (int i = 0; i < names.size(); i++) {
        index.putIfAbsent(names.get(i), i);
      }
      for (String required : requiredColumns) {
        if (!index.containsKey(required)) {
          throw new TraceFormatException(
              file, 1, required, "required column is missing from the header");
        }
      }
      String line;
      int lineNumber = 1;
      while ((line = reader.readLine()) != null) {
        lineNumber++;
        if (line.isBlank()) {
          continue;
        }
        sink.accept(new Row(lineNumber, index, split(line, lineNumber)));
      }
      return names;
    } catch (NoSuchFileException e) {
      throw new TraceFormatException(file, 0, null, "file not found", e);
    } catch (java.nio.charset.CharacterCodingException e) {
      throw new TraceFormatException(
          file, 0, null, "is not UTF-8 text (a CSV file was expected)", e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  private List<String> split(String line, int lineNumber) {
    List<String> cells = new ArrayList<>();
    StringBuilder cell = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quoted) {
        if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
          cell.append('"');
          i++;
        } else if (c == '"') {
          quoted = false;
        } else {
          cell.append(c);
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',') {
        cells.add(cell.toString());
        cell.setLength(0);
      } else {
        cell.append(c);
      }
    }
    if (quoted) {
      throw new TraceFormatException(file, lineNumber, null, "unterminated quoted field");
    }
    cells.add(cell.toString());
    return cells;
  }
}
