package io.tern.checkpoint;

import java.io.IOException;

/** A checkpoint operation failed for a reason the store understands (not a plain I/O error). */
public class CheckpointException extends IOException {
  private static final long serialVersionUID = 1L;

  public CheckpointException(String message) {
    super(message);
  }

  public CheckpointException(String message, Throwable cause) {
    super(message, cause);
  }
}
