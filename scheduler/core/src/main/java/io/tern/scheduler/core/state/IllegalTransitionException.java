package io.tern.scheduler.core.state;

/**
 * An event that cannot happen in the job's state (for example a second start while running, or a
 * report from an attempt that was never placed). Typed, so the caller can log and drop it, or treat
 * it as a bug, without parsing messages.
 */
public final class IllegalTransitionException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final JobStatus status;
  private final JobEvent event;

  public IllegalTransitionException(JobStatus status, JobEvent event) {
    super(
        "job "
            + status.jobId()
            + ": "
            + event.getClass().getSimpleName()
            + " (attempt "
            + event.attempt()
            + ") is illegal in "
            + status.state()
            + " (attempt "
            + status.attempt()
            + ")");
    this.status = status;
    this.event = event;
  }

  public JobStatus status() {
    return status;
  }

  public JobEvent event() {
    return event;
  }
}
