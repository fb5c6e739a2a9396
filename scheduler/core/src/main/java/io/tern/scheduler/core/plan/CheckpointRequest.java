package io.tern.scheduler.core.plan;

/**
 * Ask a running attempt to write a checkpoint and exit; the job then goes back to the queue.
 *
 * @param jobId the job
 * @param attempt its running attempt
 * @param reason why
 */
public record CheckpointRequest(String jobId, int attempt, Reason reason) {

  /** Why a checkpoint is requested. */
  public enum Reason {
    /** It was chosen as a preemption victim (see the plan's preemptions). */
    PREEMPTION,
    /** It runs on spot and its deadline slack ran out: resume on on-demand. */
    DEADLINE_MIGRATION,
    /**
     * It runs on on-demand, spot capacity is available, and the saving on its remaining work beats
     * a changeover with its deadline still safe: resume on spot (the requeued job waits for spot).
     */
    RETURN_TO_SPOT
  }
}
