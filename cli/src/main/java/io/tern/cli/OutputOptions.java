package io.tern.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.UncheckedIOException;
import picocli.CommandLine.Option;

/** The {@code -o/--output} option every verb takes, and the JSON writer behind it. */
public final class OutputOptions {
  /** Made on first use: Jackson loads hundreds of classes, which a table never needs. */
  private static final class Json {
    static final ObjectMapper MAPPER =
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  }

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FORMAT",
      description = "Output format: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).",
      defaultValue = "table")
  OutputFormat format = OutputFormat.table;

  public OutputFormat format() {
    return format;
  }

  /** {@code value} (maps, lists, records, plain values) as indented JSON. */
  public static String toJson(Object value) {
    try {
      return Json.MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
