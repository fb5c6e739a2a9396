package io.tern.checkpoint;

/**
 * A stored checkpoint failed verification (manifest missing, unreadable or inconsistent; a file
 * missing, of another size or another SHA-256), or does not exist. It is never restored.
 */
public class CorruptCheckpointException extends CheckpointException {
  private static final long serialVersionUID = 1L;

  public CorruptCheckpointException(String message) {
    super(message);
  }

  public CorruptCheckpointException(String message, Throwable cause) {
    super(message, cause);
  }
}
