package io.tern.checkpoint;

import java.io.IOException;
import java.util.Locale;

/**
 * A commit failed because the store has no room: the filesystem is full ({@code ENOSPC}), a quota
 * is exhausted ({@code EDQUOT}, the store's own {@code quota}), or an object store said so. Older
 * checkpoints may be pruned to make room ({@link CheckpointStore#makeRoom}) before retrying.
 */
public class CheckpointStoreFullException extends CheckpointException {
  private static final long serialVersionUID = 1L;

  /** How the operating system and object stores word it, lower case. */
  private static final String[] WORDINGS = {
    "no space left on device",
    "disk quota exceeded",
    "quota exceeded",
    "insufficientstorage",
    "insufficient storage",
    "quotaexceeded"
  };

  public CheckpointStoreFullException(String message, Throwable cause) {
    super(message, cause);
  }

  /** Whether {@code e}, or one of its causes, says the store is out of space or over a quota. */
  public static boolean isFull(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof CheckpointStoreFullException) {
        return true;
      }
      String text = String.valueOf(t.getMessage());
      if (t instanceof java.nio.file.FileSystemException fse && fse.getReason() != null) {
        text += " " + fse.getReason();
      }
      if (saysFull(text)) {
        return true;
      }
    }
    return false;
  }

  /** Whether {@code text} (an error's words, as an agent reports them) says there is no room. */
  public static boolean saysFull(String text) {
    String lower = text.toLowerCase(Locale.ROOT);
    for (String w : WORDINGS) {
      if (lower.contains(w)) {
        return true;
      }
    }
    return false;
  }

  /**
   * {@code e} as a {@link CheckpointStoreFullException} when it is one in substance, else as is.
   */
  static IOException classify(IOException e) {
    if (e instanceof CheckpointStoreFullException || !isFull(e)) {
      return e;
    }
    return new CheckpointStoreFullException("checkpoint store is full: " + reason(e), e);
  }

  /** The innermost message, which names the condition ("No space left on device"). */
  static String reason(Throwable e) {
    String reason = e.getMessage();
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof java.nio.file.FileSystemException fse && fse.getReason() != null) {
        reason = fse.getReason();
      } else if (t.getMessage() != null && isFull(new IOException(t.getMessage()))) {
        reason = t.getMessage();
      }
    }
    return reason;
  }
}
