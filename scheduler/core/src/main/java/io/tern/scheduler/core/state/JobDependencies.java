package io.tern.scheduler.core.state;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * When a job that depends on others may be placed, as Slurm's {@code --dependency}: {@code afterok}
 * waits for its parent to succeed, {@code afterany} for it to end, {@code afternotok} for it to
 * fail or be cancelled. A dependency that can no longer be met (an {@code afterok} parent that
 * failed or was cancelled, an {@code afternotok} parent that succeeded) dooms the job: the
 * scheduler cancels it, and so, in turn, its own dependents that needed it to succeed.
 *
 * <p>Stateless and thread-safe.
 */
public final class JobDependencies {
  private JobDependencies() {}

  /** How a job depends on its parent. */
  public enum Type {
    AFTER_OK,
    AFTER_ANY,
    AFTER_NOT_OK;

    /** The spelling users write: {@code afterok}, {@code afterany}, {@code afternotok}. */
    public String text() {
      return name().replace("_", "").toLowerCase(Locale.ROOT);
    }
  }

  /** The job waits on {@code jobId} as {@code type} says. */
  public record Dependency(String jobId, Type type) {
    public Dependency {
      Objects.requireNonNull(jobId, "jobId");
      Objects.requireNonNull(type, "type");
    }
  }

  /** Where a job's dependencies stand. */
  public sealed interface Verdict {}

  /** Every dependency is met: the job may be placed. */
  public record Ready() implements Verdict {}

  /** Some parents have not ended as needed yet, in the order the job lists them. */
  public record Waiting(List<String> on) implements Verdict {
    /** "waiting for job-000001, job-000002". */
    @Override
    public String toString() {
      return "waiting for " + String.join(", ", on);
    }
  }

  /**
   * A dependency can never be met.
   *
   * @param parentState how the parent ended, or null when no such job is known
   */
  public record Never(Dependency dependency, JobState parentState) implements Verdict {
    /** "job-000001 FAILED (afterok)". */
    @Override
    public String toString() {
      return dependency.jobId()
          + " "
          + (parentState == null ? "is unknown" : parentState.name())
          + " ("
          + dependency.type().text()
          + ")";
    }
  }

  /**
   * Evaluates {@code dependencies} against their parents' states ({@code stateOf}: empty for an
   * unknown job). A dependency that can never be met wins over ones still waiting.
   */
  public static Verdict evaluate(
      List<Dependency> dependencies, Function<String, Optional<JobState>> stateOf) {
    List<String> waiting = new ArrayList<>();
    for (Dependency d : dependencies) {
      Optional<JobState> parent = stateOf.apply(d.jobId());
      if (parent.isEmpty()) {
        return new Never(d, null);
      }
      JobState state = parent.get();
      if (!state.terminal()) {
        waiting.add(d.jobId());
        continue;
      }
      boolean succeeded = state == JobState.SUCCEEDED;
      boolean met =
          switch (d.type()) {
            case AFTER_OK -> succeeded;
            case AFTER_ANY -> true;
            case AFTER_NOT_OK -> !succeeded;
          };
      if (!met) {
        return new Never(d, state);
      }
    }
    return waiting.isEmpty() ? new Ready() : new Waiting(List.copyOf(waiting));
  }
}
