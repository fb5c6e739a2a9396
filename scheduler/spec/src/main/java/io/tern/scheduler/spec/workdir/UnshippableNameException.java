package io.tern.scheduler.spec.workdir;

import java.io.IOException;

/**
 * A file or directory in a working directory whose name {@link WorkdirArchive#pack} cannot put in
 * the archive as it is: its bytes are not valid in the platform's file name encoding, or {@link
 * WorkdirArchive#unpack} would refuse it ({@link WorkdirArchive#refusal}: a backslash, a control
 * character, a path over 4096 characters).
 */
public final class UnshippableNameException extends IOException {
  private static final long serialVersionUID = 1L;

  public UnshippableNameException(String message) {
    super(message);
  }
}
