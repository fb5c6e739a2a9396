package io.tern.scheduler.spec.workdir;

import java.io.IOException;

/** A packed working directory that {@link WorkdirArchive#unpack} refuses, and why. */
public final class InvalidWorkdirException extends IOException {
  private static final long serialVersionUID = 1L;

  public InvalidWorkdirException(String message) {
    super(message);
  }
}
