package io.tern.scheduler.core.policy;

import io.tern.scheduler.core.model.Allocation;
import io.tern.scheduler.core.model.CapacityType;
import io.tern.scheduler.core.model.Job;
import io.tern.scheduler.core.plan.CheckpointRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Deadline slack and Uniform Progress (Wu et al., "Can't Be Late", NSDI '24). Slack is {@code
 * deadline - now - workLeft - restartOverhead}: once it falls under the safety margin the job must
 * run on on-demand. Before that, a job whose whole work is known is measured against the uniform
 * line, which spends the slack evenly over the job's window: at time t a job submitted at s with W
 * of work and deadline D should have done {@code W (t - s) / (D - s)}. A job ahead of the line can
 * afford to wait for spot; one behind it takes whatever capacity there is. Immutable and
 * thread-safe.
 */
public final class DeadlineRule {
  private final Duration restartOverhead;
  private final Duration safetyMargin;
  private final double reserve;

  /** With the default {@link #RESERVE}. */
  public DeadlineRule(Duration restartOverhead, Duration safetyMargin) {
    this(restartOverhead, safetyMargin, RESERVE);
  }

  /**
   * @param reserve the share of its work a job's slack keeps for after it starts ({@link
   *     #lineStart}); infinite for none
   */
  public DeadlineRule(Duration restartOverhead, Duration safetyMargin, double reserve) {
    this.restartOverhead = restartOverhead;
    this.safetyMargin = safetyMargin;
    this.reserve = reserve;
  }

  /** Slack of a waiting job if it started at {@code start}, or null when it has no deadline. */
  public Duration slack(Job job, Instant start) {
    if (job.deadline() == null) {
      return null;
    }
    Duration work = job.workLeft() == null ? Duration.ZERO : job.workLeft();
    return Duration.between(start, job.deadline()).minus(work).minus(restartOverhead);
  }

  public Duration restartOverhead() {
    return restartOverhead;
  }

  public Duration safetyMargin() {
    return safetyMargin;
  }

  /**
   * For a waiting job, the moment it must stop waiting for spot and take on-demand: when it would
   * fall behind the uniform line (from {@link #lineStart}) within two changeovers (the time a move
   * to on-demand and back to spot costs it, which the line does not count; Uniform Progress keeps
   * on-demand by the same look-ahead), or when {@link #requiresOnDemand} would say so, whichever is
   * first. Null when the job has no deadline or its total work is unknown (then there is no line).
   */
  public Instant onDemandAt(Job job) {
    Instant deadline = job.deadline();
    Duration total = job.expectedDuration();
    Duration left = job.workLeft();
    if (deadline == null || total == null || left == null || total.isZero() || total.isNegative()) {
      return null;
    }
    Instant start = lineStart(job, total);
    long window = Duration.between(start, deadline).toMillis();
    long done = Math.max(0, total.minus(left).toMillis());
    // The line reaches `done` at start + done * window / total.
    Instant behindAt =
        start
            .plusMillis((long) Math.floor((double) done * window / total.toMillis()))
            .minus(restartOverhead.multipliedBy(2));
    Instant lastSafe = lastSafeWait(job);
    return behindAt.isBefore(lastSafe) ? behindAt : lastSafe;
  }

  /**
   * Where a job's uniform line starts: at its submission, or later by the slack it has beyond the
   * reserve ({@link #RESERVE} of its work by default). Under a deadline with room to spare, waiting
   * for spot is cheap (greedy's strength), and spreading all of that slack evenly over the window,
   * as the line does, would send the job to on-demand at its first outage; the reserve is kept for
   * the changeovers and outages that come once the job runs, as a tight deadline keeps all of its
   * slack.
   */
  Instant lineStart(Job job, Duration total) {
    Duration slack =
        Duration.between(job.submittedAt(), job.deadline()).minus(total).minus(restartOverhead);
    double spare = slack.toMillis() - reserve * total.toMillis();
    return spare > 0 ? job.submittedAt().plusMillis((long) spare) : job.submittedAt();
  }

  /**
   * The share of its work a job's slack keeps for after it starts, by default: a job with more may
   * wait for spot past its submission by the rest ({@link #lineStart}). Measured on the shared
   * traces and two held-out families (README "Spot economics"): 0.1 to 0.25 all cut the
   * generous-deadline settings' cost by 10-15 %, and the tight ones (48 h / 52 h, slack 8 % of the
   * work) are left as they were.
   */
  public static final double RESERVE = 0.15;

  /**
   * The last moment a waiting job with a deadline and known work left can still wait for spot: it
   * then needs a restart on spot and, should spot be reclaimed at once, one more onto on-demand,
   * plus the safety margin.
   */
  public Instant lastSafeWait(Job job) {
    return job.deadline()
        .minus(job.workLeft())
        .minus(restartOverhead)
        .minus(restartOverhead)
        .minus(safetyMargin);
  }

  /**
   * Work left of a running attempt at {@code now}: the work left when it started, less what it has
   * done since (its time running after the restart overhead).
   */
  public Duration workLeftNow(Allocation a, Instant now) {
    Duration left = a.job().workLeft();
    if (left == null) {
      return null;
    }
    Duration ran = Duration.between(a.startedAt(), now).minus(restartOverhead);
    if (ran.isNegative()) {
      ran = Duration.ZERO;
    }
    Duration rest = left.minus(ran);
    return rest.isNegative() ? Duration.ZERO : rest;
  }

  /**
   * True when a waiting job must take on-demand capacity now to make its deadline: a start on spot
   * needs slack for one more restart (should spot be reclaimed, the move to on-demand) on top of
   * the safety margin.
   */
  public boolean requiresOnDemand(Job job, Instant now) {
    Duration slack = slack(job, now);
    return slack != null && slack.minus(restartOverhead).compareTo(safetyMargin) < 0;
  }

  /** True when a job could wait until {@code start} and still have its safety margin. */
  public boolean canWaitUntil(Job job, Instant start) {
    Duration slack = slack(job, start);
    return slack == null || slack.compareTo(safetyMargin) >= 0;
  }

  /** Checkpoint requests for every running attempt that {@link #shouldMigrate should migrate}. */
  public List<CheckpointRequest> migrations(List<Allocation> allocations, Instant now) {
    List<CheckpointRequest> out = new ArrayList<>();
    for (Allocation a : allocations) {
      if (shouldMigrate(a, now)) {
        out.add(
            new CheckpointRequest(
                a.jobId(), a.attempt(), CheckpointRequest.Reason.DEADLINE_MIGRATION));
      }
    }
    return out;
  }

  /**
   * True when a running checkpointable spot attempt should checkpoint and resume on on-demand: its
   * slack has fallen under the margin, but moving still makes the deadline (a job already past
   * saving keeps running where it is rather than paying a restart).
   */
  public boolean shouldMigrate(Allocation a, Instant now) {
    Job job = a.job();
    // The deadline first: most jobs have none, and checkpointable() reads one more object.
    if (job.deadline() == null
        || a.stopping()
        || a.capacityType() != CapacityType.SPOT
        || !job.checkpointable()
        || job.workLeft() == null) {
      return false;
    }
    Duration slack =
        Duration.between(now, job.deadline()).minus(workLeftNow(a, now)).minus(restartOverhead);
    return !slack.isNegative() && slack.compareTo(safetyMargin) < 0;
  }
}
