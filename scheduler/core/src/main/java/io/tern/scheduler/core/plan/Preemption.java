package io.tern.scheduler.core.plan;

/**
 * A proposal to stop a running attempt so that another job can run. The committer re-validates it
 * before signalling (two-phase preemption).
 *
 * @param victimJobId the job to stop
 * @param victimAttempt its running attempt
 * @param forJobId the pending job that needs the room
 * @param reason why the victim may be stopped
 * @param checkpointFirst true when the victim can checkpoint: ask it to checkpoint and exit rather
 *     than kill it (a matching {@link CheckpointRequest} is in the same plan)
 * @param gpuSecondsLost work thrown away by a stop now (0 when it checkpoints first)
 */
public record Preemption(
    String victimJobId,
    int victimAttempt,
    String forJobId,
    Reason reason,
    boolean checkpointFirst,
    long gpuSecondsLost) {

  /** Why a victim may be preempted. */
  public enum Reason {
    /** The waiting job has a higher priority class. */
    PRIORITY,
    /** The waiting job's team is under its guaranteed quota; the victim's team is borrowing. */
    QUOTA_RECLAIM
  }
}
