package io.tern.scheduler.spec;

import java.util.List;
import java.util.stream.Collectors;

/** A job spec that cannot be accepted; {@link #errors()} names every offending field. */
public final class JobSpecException extends Exception {
  private static final long serialVersionUID = 1L;

  private final String source;
  private final transient List<SpecError> errors;

  public JobSpecException(String source, List<SpecError> errors) {
    super(format(source, errors));
    this.source = source;
    this.errors = List.copyOf(errors);
  }

  /** Where the spec came from: a file name, or {@code <request>}. */
  public String source() {
    return source;
  }

  /** The problems found, in document order; never empty. */
  public List<SpecError> errors() {
    return errors;
  }

  private static String format(String source, List<SpecError> errors) {
    return errors.stream()
        .map(e -> source + ": " + e)
        .collect(Collectors.joining(System.lineSeparator()));
  }
}
