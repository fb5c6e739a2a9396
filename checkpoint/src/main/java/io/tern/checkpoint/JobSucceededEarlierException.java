package io.tern.checkpoint;

/**
 * The store refused to begin an attempt because an earlier attempt of the job recorded that it
 * exited 0 by itself ({@link CheckpointStore#recordSuccess}): the job's work is done. It happens
 * when a job finishes while its agent is cut off past the node lease (stopped, partitioned) and the
 * scheduler, not having heard, places it again. The new attempt must not run; the agent reports the
 * earlier success instead. Never worth retrying.
 */
public class JobSucceededEarlierException extends CheckpointException {
  private static final long serialVersionUID = 1L;

  private final int succeededAttempt;

  public JobSucceededEarlierException(String jobId, int succeededAttempt) {
    super(
        "job "
            + jobId
            + " already succeeded: attempt "
            + succeededAttempt
            + " exited 0 (recorded in the checkpoint store)");
    this.succeededAttempt = succeededAttempt;
  }

  /** The attempt that exited 0. */
  public int succeededAttempt() {
    return succeededAttempt;
  }
}
