package io.tern.simulator.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * JSON for simulator results ({@link SimulationSummary}, {@link CantBeLateReport}): pretty-printed,
 * record components in declaration order, map keys sorted, so equal results give equal bytes.
 */
public final class SummaryJson {
  private static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
          .build();

  private SummaryJson() {}

  /** The JSON text of a result record. */
  public static String toJson(Object result) {
    try {
      return MAPPER.writeValueAsString(result) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise " + result.getClass().getSimpleName(), e);
    }
  }

  /** Reads a summary back (for tools and tests). */
  public static SimulationSummary readSummary(String json) {
    try {
      return MAPPER.readValue(json, SimulationSummary.class);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not a simulation summary", e);
    }
  }

  /** Writes the JSON of {@code result} to {@code file} (UTF-8). */
  public static void write(Object result, Path file) {
    try {
      Files.writeString(file, toJson(result), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }
}
