package io.tern.simulator.trace;

import java.nio.file.Path;

/**
 * Bad simulator input: a trace, node list, spot trace or price file that cannot be read as
 * documented. The message names the file and, where known, the row (1-based line number, the header
 * being row 1) and the column, so a user can fix the input. The CLI maps this exception to exit
 * code 2.
 */
public final class TraceFormatException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String file;
  private final int row;
  private final String column;

  /**
   * @param file the file being read
   * @param row 1-based line number, or 0 when the problem is not tied to a row
   * @param column the column name, or {@code null} when the problem is not tied to a column
   * @param problem what is wrong, in words a user understands
   */
  public TraceFormatException(Path file, int row, String column, String problem) {
    super(format(String.valueOf(file), row, column, problem));
    this.file = String.valueOf(file);
    this.row = row;
    this.column = column;
  }

  /** Same as the main constructor, with the cause kept for debugging. */
  public TraceFormatException(Path file, int row, String column, String problem, Throwable cause) {
    super(format(String.valueOf(file), row, column, problem), cause);
    this.file = String.valueOf(file);
    this.row = row;
    this.column = column;
  }

  private static String format(String file, int row, String column, String problem) {
    StringBuilder message = new StringBuilder(file);
    if (row > 0) {
      message.append(": row ").append(row);
    }
    if (column != null) {
      message.append(row > 0 ? ", " : ": ").append("column '").append(column).append('\'');
    }
    return message.append(": ").append(problem).toString();
  }

  /** The file that holds the bad input. */
  public String file() {
    return file;
  }

  /** The 1-based row, or 0 when the problem concerns the whole file. */
  public int row() {
    return row;
  }

  /** The column name, or {@code null}. */
  public String column() {
    return column;
  }
}
