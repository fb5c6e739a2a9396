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
 * Deadline slack, in the spirit of Uniform Progress (Wu et al., NSDI '24): spot is fine while there
 * is slack to absorb a reclaim; once the work left plus a restart's overhead no longer fits before
 * the deadline with a safety margin, the job must run on on-demand. Slack is {@code deadline - now
 * - workLeft - restartOverhead}. Immutable and thread-safe.
 */
public final class DeadlineRule {
  private final Duration restartOverhead;
  private final Duration safetyMargin;

  public DeadlineRule(Duration restartOverhead, Duration safetyMargin) {
    this.restartOverhead = restartOverhead;
    this.safetyMargin = safetyMargin;
  }

  /** Slack of a waiting job if it started at {@code start}, or null when it has no deadline. */
  public Duration slack(Job job, Instant start) {
    if (job.deadline() == null) {
      return null;
    }
    Duration work = job.workLeft() == null ? Duration.ZERO : job.workLeft();
    return Duration.between(start, job.deadline()).minus(work).minus(restartOverhead);
  }

  /** True when a waiting job must take on-demand capacity now to make its deadline. */
  public boolean requiresOnDemand(Job job, Instant now) {
    Duration slack = slack(job, now);
    return slack != null && slack.compareTo(safetyMargin) < 0;
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
    Duration done = Duration.between(a.startedAt(), now);
    Duration left = job.workLeft().minus(done);
    if (left.isNegative()) {
      left = Duration.ZERO;
    }
    Duration slack = Duration.between(now, job.deadline()).minus(left).minus(restartOverhead);
    return !slack.isNegative() && slack.compareTo(safetyMargin) < 0;
  }
}
