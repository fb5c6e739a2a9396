package io.tern.agent.job;

/** A job attempt could not be started; the message becomes the START_FAILED status's message. */
public final class LaunchException extends Exception {
  private static final long serialVersionUID = 1L;

  public LaunchException(String message) {
    super(message);
  }
}
