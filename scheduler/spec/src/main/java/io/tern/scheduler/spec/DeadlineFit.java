package io.tern.scheduler.spec;

import io.tern.api.v1.JobSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Whether a job can make its deadline at all: the check a submit (and an update of the deadline)
 * runs on the scheduler, and {@code tern submit --dry-run} runs on the client.
 */
public final class DeadlineFit {
  private DeadlineFit() {}

  /**
   * Why the job cannot make its deadline even if it started at {@code now} and ran its maximum
   * runtime, or empty when it can (or has no deadline or no maximum runtime).
   */
  public static Optional<String> problem(JobSpec spec, Instant now) {
    if (!spec.hasDeadline() || !spec.hasMaxRuntime()) {
      return Optional.empty();
    }
    Instant deadline =
        Instant.ofEpochSecond(spec.getDeadline().getSeconds(), spec.getDeadline().getNanos());
    Duration runtime =
        Duration.ofSeconds(spec.getMaxRuntime().getSeconds(), spec.getMaxRuntime().getNanos());
    if (!now.plus(runtime).isAfter(deadline)) {
      return Optional.empty();
    }
    return Optional.of(
        deadline
            + " is "
            + hours(Duration.between(now, deadline))
            + " away, and the job may run "
            + hours(runtime)
            + " (maxRuntime): it cannot finish by then; give a later deadline or a shorter"
            + " maxRuntime");
  }

  private static String hours(Duration d) {
    return d.toMinutes() < 120 ? d.toMinutes() + " min" : d.toHours() + " h";
  }
}
