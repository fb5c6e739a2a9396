package io.tern.scheduler.core.state;

import java.util.Objects;

/**
 * Where a job stands in its lifecycle: the part of a job the {@link JobStateMachine} reads and
 * writes. The live scheduler derives it from its stored job, the simulator keeps one per job.
 *
 * @param jobId the job
 * @param state its state
 * @param attempt the current (or last) attempt number; 0 before the first placement
 * @param retriesLeft failed attempts it may still retry
 * @param checkpointable whether the job can checkpoint (an interruption asks it to, else stops it)
 * @param stopping a stop was sent to the running attempt (it ends when its agent says so)
 * @param cancelRequested a cancel arrived while an attempt held resources: it ends CANCELLED
 * @param finishedEarlier an earlier attempt, given up as lost, turned out to have succeeded while
 *     the current one held resources: the current one is being stopped, and the job ends SUCCEEDED
 * @param heldByUser a user held the queued job: it stays HELD, and is not placed, until a user
 *     releases it (policy releases do not)
 */
public record JobStatus(
    String jobId,
    JobState state,
    int attempt,
    int retriesLeft,
    boolean checkpointable,
    boolean stopping,
    boolean cancelRequested,
    boolean finishedEarlier,
    boolean heldByUser) {

  public JobStatus {
    Objects.requireNonNull(jobId, "jobId");
    Objects.requireNonNull(state, "state");
    if (attempt < 0 || retriesLeft < 0) {
      throw new IllegalArgumentException("attempt and retriesLeft must be >= 0");
    }
  }

  /** A job no user held. */
  public JobStatus(
      String jobId,
      JobState state,
      int attempt,
      int retriesLeft,
      boolean checkpointable,
      boolean stopping,
      boolean cancelRequested,
      boolean finishedEarlier) {
    this(
        jobId,
        state,
        attempt,
        retriesLeft,
        checkpointable,
        stopping,
        cancelRequested,
        finishedEarlier,
        false);
  }

  /** A freshly submitted job. */
  public static JobStatus submitted(String jobId, int retries, boolean checkpointable) {
    return new JobStatus(jobId, JobState.PENDING, 0, retries, checkpointable, false, false, false);
  }

  JobStatus to(JobState next) {
    return new JobStatus(
        jobId,
        next,
        attempt,
        retriesLeft,
        checkpointable,
        stopping,
        cancelRequested,
        finishedEarlier,
        heldByUser);
  }

  /** Held or released by a user: {@code next} is HELD or PENDING. */
  JobStatus heldByUser(JobState next, boolean held) {
    return new JobStatus(
        jobId,
        next,
        attempt,
        retriesLeft,
        checkpointable,
        stopping,
        cancelRequested,
        finishedEarlier,
        held);
  }

  /**
   * The attempt ended: the job is in {@code next}, no stop is outstanding, and no user holds it (a
   * job a user held ends only by a cancel or a late success, and ends for good).
   */
  JobStatus ended(JobState next, int retries) {
    return new JobStatus(
        jobId, next, attempt, retries, checkpointable, false, cancelRequested, false, false);
  }

  /** A stop was sent to the running attempt. */
  JobStatus withStopping() {
    return new JobStatus(
        jobId,
        state,
        attempt,
        retriesLeft,
        checkpointable,
        true,
        cancelRequested,
        finishedEarlier,
        heldByUser);
  }

  /** A cancel arrived while an attempt held resources. */
  JobStatus withCancelRequested() {
    return new JobStatus(
        jobId,
        state,
        attempt,
        retriesLeft,
        checkpointable,
        stopping,
        true,
        finishedEarlier,
        heldByUser);
  }

  /** An earlier attempt succeeded after all: the current one is being stopped. */
  JobStatus withFinishedEarlier() {
    return new JobStatus(
        jobId,
        state,
        attempt,
        retriesLeft,
        checkpointable,
        stopping,
        cancelRequested,
        true,
        heldByUser);
  }
}
