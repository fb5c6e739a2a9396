package io.tern.cli;

/** Bad input that the user must fix; the CLI prints the message and exits with code 2. */
public final class UserInputException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public UserInputException(String message) {
    super(message);
  }
}
