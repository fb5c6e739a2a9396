package io.tern.scheduler.spec;

import io.tern.api.v1.ArraySpec;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * How users write a job array, in {@code array:} and {@code tern submit --array}: Slurm's syntax,
 * {@code INDICES[%PARALLEL]}, where INDICES is a comma-separated list of {@code N}, {@code N-M} and
 * {@code N-M:STEP} ({@code 0-99%8}, {@code 1,3,5-9}, {@code 0-20:5}).
 */
public final class ArraySyntax {
  /** The most tasks one array may have. */
  public static final int MAX_TASKS = 1000;

  /** The largest index. */
  public static final int MAX_INDEX = 999_999;

  private ArraySyntax() {}

  /** The array {@code text} writes, or a problem that says what is wrong with it. */
  public static Result parse(String text) {
    int percent = text.indexOf('%');
    String indices = percent < 0 ? text : text.substring(0, percent);
    int parallel = 0;
    if (percent >= 0) {
      String limit = text.substring(percent + 1);
      Optional<Integer> n = number(limit);
      if (n.isEmpty() || n.get() < 1) {
        return Result.problem(
            "expected a positive number of tasks at once after '%', got '"
                + SpecLimits.echo(limit)
                + "'");
      }
      parallel = n.get();
    }
    Result r = indices(indices);
    return r.problem() != null
        ? r
        : Result.of(r.spec().toBuilder().setParallel(parallel).build(), r.indices());
  }

  /** The indices {@code text} lists (no {@code %}), sorted, or a problem (one listed twice is). */
  public static Result indices(String text) {
    if (text.isBlank()) {
      return Result.problem("expected indices like 0-99, 1,3,5-9 or 0-20:5, got nothing");
    }
    TreeSet<Integer> all = new TreeSet<>();
    for (String part : text.split(",", -1)) {
      String range = part.strip();
      int colon = range.indexOf(':');
      int step = 1;
      if (colon >= 0) {
        Optional<Integer> s = number(range.substring(colon + 1));
        if (s.isEmpty() || s.get() < 1) {
          return Result.problem(
              "'" + SpecLimits.echo(range) + "': the step after ':' must be a positive number");
        }
        step = s.get();
        range = range.substring(0, colon);
      }
      int dash = range.indexOf('-');
      Optional<Integer> from = number(dash < 0 ? range : range.substring(0, dash));
      Optional<Integer> to = dash < 0 ? from : number(range.substring(dash + 1));
      if (from.isEmpty() || to.isEmpty()) {
        return Result.problem(
            "'"
                + SpecLimits.echo(part.strip())
                + "' is not an index or a range like 0-99 (indices 0 to "
                + MAX_INDEX
                + ")");
      }
      if (to.get() < from.get()) {
        return Result.problem(
            "'" + SpecLimits.echo(part.strip()) + "': the range ends before it starts");
      }
      for (long i = from.get(); i <= to.get(); i += step) {
        if (!all.add((int) i)) {
          // 1,1,2 would make two tasks where three were written.
          return Result.problem(
              "index "
                  + i
                  + " is listed more than once ('"
                  + SpecLimits.echo(part.strip())
                  + "' repeats it)");
        }
        if (all.size() > MAX_TASKS) {
          return Result.problem("more than " + MAX_TASKS + " tasks in one array");
        }
      }
    }
    return Result.of(ArraySpec.newBuilder().setIndices(text.strip()).build(), List.copyOf(all));
  }

  /** {@code spec} as written on the command line: {@code 0-99%8}. */
  public static String format(ArraySpec spec) {
    return spec.getIndices() + (spec.getParallel() > 0 ? "%" + spec.getParallel() : "");
  }

  private static Optional<Integer> number(String text) {
    if (text.isEmpty() || text.length() > 6 || !text.chars().allMatch(Character::isDigit)) {
      return Optional.empty();
    }
    return Optional.of(Integer.parseInt(text));
  }

  /**
   * A parsed array: its spec and its indices, or what is wrong with the text.
   *
   * @param spec the array as the job spec holds it; null with a problem
   * @param indices the task indices, ascending; empty with a problem
   * @param problem what is wrong, or null
   */
  public record Result(ArraySpec spec, List<Integer> indices, String problem) {
    static Result of(ArraySpec spec, List<Integer> indices) {
      return new Result(spec, indices, null);
    }

    static Result problem(String problem) {
      return new Result(null, List.of(), problem);
    }
  }
}
