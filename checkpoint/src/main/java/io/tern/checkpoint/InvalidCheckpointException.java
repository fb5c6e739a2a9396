package io.tern.checkpoint;

/**
 * A commit was refused: a bad job id or name, a path that would leave its directory, a link that
 * points outside, a special file, or a tree over the store's limits. Retrying will not help.
 */
public class InvalidCheckpointException extends CheckpointException {
  private static final long serialVersionUID = 1L;

  public InvalidCheckpointException(String message) {
    super(message);
  }
}
