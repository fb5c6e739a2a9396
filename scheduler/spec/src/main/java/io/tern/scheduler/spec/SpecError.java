package io.tern.scheduler.spec;

/**
 * One problem with a job spec.
 *
 * @param field the key path as the user wrote it, e.g. {@code resources.gpus}; empty for the whole
 *     document
 * @param line the 1-based line in the YAML source, or 0 when the spec did not come from YAML
 * @param message what is wrong, in words
 */
public record SpecError(String field, int line, String message) {

  /** An error not tied to a source line (a spec that arrived as a proto message). */
  public static SpecError of(String field, String message) {
    return new SpecError(field, 0, message);
  }

  SpecError atLine(int newLine) {
    return new SpecError(field, newLine, message);
  }

  /** {@code line 7: resources.gpus: must be between 0 and 64, got 100}. */
  @Override
  public String toString() {
    StringBuilder out = new StringBuilder();
    if (line > 0) {
      out.append("line ").append(line).append(": ");
    }
    if (!field.isEmpty()) {
      out.append(field).append(": ");
    }
    return out.append(message).toString();
  }
}
