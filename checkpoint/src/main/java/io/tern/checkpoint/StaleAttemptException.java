package io.tern.checkpoint;

/**
 * The store refused an attempt because the job has a newer one: a commit from a replaced attempt (a
 * node that was cut off longer than its lease and came back), or an attempt that begins after its
 * successor did. Never worth retrying.
 */
public class StaleAttemptException extends CheckpointException {
  private static final long serialVersionUID = 1L;

  public StaleAttemptException(String message) {
    super(message);
  }
}
