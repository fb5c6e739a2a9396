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
 * Holds jobs to their own limits: a run longer than its {@code maxRuntime} (counted from its
 * attempt's start: each run has the whole of it; checkpointing counts) or a job whose cost reached
 * its {@code maxCostUsd} (over all its attempts, as the ledger books it; queued or running) is
 * cancelled, and its reason says which limit and by how much. Checked on every scheduler tick; the
 * planner does not place a job past its cap meanwhile. Loop thread only.
 */
final class JobLimits {
  private final Clock clock;
  private final JobCommands commands;

  private static final String LIMIT = "cancelled: ";

  /** Whether {@code reason} is one this class cancelled a job for. */
  static boolean isLimitReason(String reason) {
    return reason.startsWith(LIMIT + "ran past its maxRuntime")
        || reason.startsWith(LIMIT + "reached its cost cap");
  }

  JobLimits(Clock clock, JobCommands commands) {
    this.clock = clock;
    this.commands = commands;
  }

  void tick(LeaderTerm term) {
    Instant now = clock.instant();
    for (JobEntry entry : new ArrayList<>(term.unfinishedJobs())) {
      if (entry.job.getCancelRequested()) {
        continue;
      }
      String reason = overLimit(term, entry, now);
      if (reason != null) {
        // Kept with the job: its attempt may end otherwise (its node lost meanwhile, say).
        entry.job = entry.job.toBuilder().setPendingReason(LIMIT + reason).build();
        commands.cancel(term, entry, LIMIT + reason);
      }
    }
  }

  /**
   * Whether a queued job has already cost its cap (its last attempt ended past it): it is not
   * placed again, and the next tick cancels it.
   */
  static boolean pastCap(LeaderTerm term, JobEntry entry, Instant now) {
    double cap = entry.job.getSpec().getMaxCostUsd();
    return cap > 0 && term.costs.ledger().jobCostUsd(entry.id(), now) >= cap;
  }

  /**
   * Which of its limits the job has passed, or null: the cap in any state that has not ended, the
   * run's time while it runs or checkpoints (a checkpoint does not buy a run more time).
   */
  static String overLimit(LeaderTerm term, JobEntry entry, Instant now) {
    JobSpec spec = entry.job.getSpec();
    boolean running =
        entry.state() == JobState.JOB_STATE_RUNNING
            || entry.state() == JobState.JOB_STATE_CHECKPOINTING;
    Attempt attempt = running ? entry.currentAttempt().orElse(null) : null;
    if (spec.hasMaxRuntime() && attempt != null && attempt.hasStartedAt()) {
      Duration max =
          Duration.ofSeconds(spec.getMaxRuntime().getSeconds(), spec.getMaxRuntime().getNanos());
      Duration ran = Duration.between(CoreSnapshots.instant(attempt.getStartedAt()), now);
      if (ran.compareTo(max) >= 0) {
        return "ran past its maxRuntime of " + text(max) + " (attempt " + attempt.getNumber() + ")";
      }
    }
    if (spec.getMaxCostUsd() > 0 && (running || entry.queued())) {
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
