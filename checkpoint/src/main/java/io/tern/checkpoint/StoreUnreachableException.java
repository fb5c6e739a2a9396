package io.tern.checkpoint;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The store itself is gone: a file store's root folder is missing, or holds no marker or another
 * store's ({@link StoreMarker}: a volume not mounted, the folder deleted). Nothing is read from or
 * written to it, so that an empty folder is never taken for the store; an agent's start waits on it
 * as a store fault.
 */
public final class StoreUnreachableException extends IOException {
  private static final long serialVersionUID = 1L;

  public StoreUnreachableException(String message) {
    super(message);
  }

  /** Throws unless {@code root} is a directory. */
  public static void requireDirectory(Path root) throws StoreUnreachableException {
    if (!Files.isDirectory(root)) {
      throw new StoreUnreachableException(
          root
              + ": the checkpoint store is gone (a volume unmounted, or the folder deleted);"
              + " nothing is read or written until it is back");
    }
  }
}
