package io.tern.scheduler.core.state;

import java.util.Objects;

/**
 * Where a job stands in its lifecycle.
 *
 * @param jobId the job
 * @param state its state
 * @param attempt the current (or last) attempt number; 0 before the first placement
 * @param retriesLeft failed attempts it may still retry
 */
public record JobStatus(String jobId, JobState state, int attempt, int retriesLeft) {

  public JobStatus {
    Objects.requireNonNull(jobId, "jobId");
    Objects.requireNonNull(state, "state");
    if (attempt < 0 || retriesLeft < 0) {
      throw new IllegalArgumentException("attempt and retriesLeft must be >= 0");
    }
  }

  /** A freshly submitted job. */
  public static JobStatus submitted(String jobId, int retries) {
    return new JobStatus(jobId, JobState.PENDING, 0, retries);
  }

  JobStatus to(JobState next) {
    return new JobStatus(jobId, next, attempt, retriesLeft);
  }
}
