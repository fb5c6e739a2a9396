package io.tern.scheduler.spec;

import io.tern.api.v1.Dependency;
import io.tern.api.v1.DependencyType;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * How users write a dependency, in {@code dependsOn:} and {@code tern submit --after}: a job id (an
 * array's id waits for all its tasks, a task's id for that task), optionally after its type, {@code
 * job-000001}, {@code afterany:job-000001}, {@code afternotok:job-000001} ({@code afterok} when
 * none is given).
 */
public final class DependencySyntax {
  /** The most dependencies one job may have. */
  public static final int MAX_DEPENDENCIES = 64;

  /** A job, an array ({@code job-000007}) or an array's task ({@code job-000007-3}). */
  private static final Pattern JOB_ID = Pattern.compile("job-[0-9]{1,18}(-[0-9]{1,6})?");

  private static final Map<String, DependencyType> TYPES =
      Map.of(
          "afterok", DependencyType.DEPENDENCY_TYPE_AFTER_OK,
          "afterany", DependencyType.DEPENDENCY_TYPE_AFTER_ANY,
          "afternotok", DependencyType.DEPENDENCY_TYPE_AFTER_NOT_OK);

  private DependencySyntax() {}

  /** The dependency {@code text} writes; empty, with {@link #problem} to say why, if none. */
  public static Optional<Dependency> parse(String text) {
    return problem(text).isPresent() ? Optional.empty() : Optional.of(read(text));
  }

  /** What is wrong with {@code text}, or empty if it is a dependency. */
  public static Optional<String> problem(String text) {
    int colon = text.indexOf(':');
    String type = colon < 0 ? "afterok" : text.substring(0, colon).toLowerCase(Locale.ROOT);
    String id = colon < 0 ? text : text.substring(colon + 1);
    if (!TYPES.containsKey(type)) {
      return Optional.of(
          "'"
              + SpecLimits.echo(type)
              + "' is not a dependency type: afterok, afterany or afternotok");
    }
    if (!JOB_ID.matcher(id).matches()) {
      return Optional.of("expected a job id like job-000042, got '" + SpecLimits.echo(id) + "'");
    }
    return Optional.empty();
  }

  private static Dependency read(String text) {
    int colon = text.indexOf(':');
    DependencyType type =
        colon < 0
            ? DependencyType.DEPENDENCY_TYPE_AFTER_OK
            : TYPES.get(text.substring(0, colon).toLowerCase(Locale.ROOT));
    return Dependency.newBuilder()
        .setJobId(colon < 0 ? text : text.substring(colon + 1))
        .setType(type)
        .build();
  }

  /** How {@code d} is written: {@code afterok:job-000001}. */
  public static String format(Dependency d) {
    return typeName(d.getType()) + ":" + d.getJobId();
  }

  /** {@code afterok}, {@code afterany} or {@code afternotok}. */
  public static String typeName(DependencyType type) {
    return switch (type) {
      case DEPENDENCY_TYPE_AFTER_ANY -> "afterany";
      case DEPENDENCY_TYPE_AFTER_NOT_OK -> "afternotok";
      default -> "afterok";
    };
  }

  /** Whether {@code id} is written like a job id. */
  static boolean isJobId(String id) {
    return JOB_ID.matcher(id).matches();
  }
}
