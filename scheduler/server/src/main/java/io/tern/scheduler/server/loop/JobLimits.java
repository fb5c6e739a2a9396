package io.tern.scheduler.server.loop;

import io.tern.api.v1.Attempt;
import io.tern.api.v1.JobSpec;
import io.tern.api.v1.JobState;
import io.tern.scheduler.core.policy.Budget;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Locale;

/**
 * Holds running jobs to their own limits: a run longer than its {@code maxRuntime} (counted from
 * its attempt's start: each run has the whole of it) or a job whose cost reached its {@code
 * maxCostUsd} (over all its attempts, as the ledger books it) is cancelled, and its reason says
 * which limit and by how much. Checked on every scheduler tick. Loop thread only.
 */
final class JobLimits {
  private final Clock clock;
  private final JobCommands commands;

  JobLimits(Clock clock, JobCommands commands) {
    this.clock = clock;
    this.commands = commands;
  }

  void tick(LeaderTerm term) {
    Instant now = clock.instant();
    for (JobEntry entry : new ArrayList<>(term.unfinishedJobs())) {
      if (entry.state() != JobState.JOB_STATE_RUNNING || entry.job.getCancelRequested()) {
        continue;
      }
      String reason = overLimit(term, entry, now);
      if (reason != null) {
        commands.cancel(term, entry, "cancelled: " + reason);
      }
    }
  }

  /** Which of its limits the running job has passed, or null. */
  static String overLimit(LeaderTerm term, JobEntry entry, Instant now) {
    JobSpec spec = entry.job.getSpec();
    Attempt attempt = entry.currentAttempt().orElse(null);
    if (spec.hasMaxRuntime() && attempt != null && attempt.hasStartedAt()) {
      Duration max =
          Duration.ofSeconds(spec.getMaxRuntime().getSeconds(), spec.getMaxRuntime().getNanos());
      Duration ran = Duration.between(CoreSnapshots.instant(attempt.getStartedAt()), now);
      if (ran.compareTo(max) >= 0) {
        return "ran past its maxRuntime of " + text(max) + " (attempt " + attempt.getNumber() + ")";
      }
    }
    if (spec.getMaxCostUsd() > 0) {
      double cost = term.costs.ledger().jobCostUsd(entry.id(), now);
      if (cost >= spec.getMaxCostUsd()) {
        return "reached its cost cap: "
            + Budget.usd(cost)
            + " of its maxCostUsd "
            + Budget.usd(spec.getMaxCostUsd());
      }
    }
    return null;
  }

  private static String text(Duration d) {
    return d.toString().substring(2).toLowerCase(Locale.ROOT);
  }
}
