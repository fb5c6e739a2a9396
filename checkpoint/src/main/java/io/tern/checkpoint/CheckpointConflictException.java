package io.tern.checkpoint;

/** A checkpoint with this name is already committed, with other files. */
public class CheckpointConflictException extends CheckpointException {
  private static final long serialVersionUID = 1L;

  public CheckpointConflictException(String message) {
    super(message);
  }
}
