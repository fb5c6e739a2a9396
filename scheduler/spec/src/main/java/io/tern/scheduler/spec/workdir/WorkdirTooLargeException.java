package io.tern.scheduler.spec.workdir;

import java.io.IOException;

/** A working directory with more files to ship than the limit {@link WorkdirArchive#pack} got. */
public final class WorkdirTooLargeException extends IOException {
  private static final long serialVersionUID = 1L;

  public WorkdirTooLargeException(String message) {
    super(message);
  }
}
