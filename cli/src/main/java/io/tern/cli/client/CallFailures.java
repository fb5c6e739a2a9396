package io.tern.cli.client;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tern.cli.UserInputException;
import java.util.Locale;

/** A failed call in one line, as client verbs print it. */
public final class CallFailures {
  private CallFailures() {}

  /**
   * What went wrong, without gRPC's status code: {@link SchedulerUnavailableException}'s own words
   * (the addresses tried and why), otherwise the scheduler's description ("job-000001 is SUCCEEDED
   * and cannot be held: ..."), which says what was refused and why. A failure of the scheduler
   * itself says so; a status without a description is its code in words ("permission denied").
   */
  public static String describe(StatusRuntimeException e) {
    if (e instanceof SchedulerUnavailableException) {
      return e.getMessage();
    }
    Status.Code code = e.getStatus().getCode();
    String what = e.getStatus().getDescription();
    String words =
        what == null || what.isBlank()
            ? code.name().toLowerCase(Locale.ROOT).replace('_', ' ')
            : what;
    return switch (code) {
      case DEADLINE_EXCEEDED ->
          "the scheduler did not answer in time (a change it was asked for may have been made"
              + " all the same: look before asking again)";
      case INTERNAL, UNKNOWN, DATA_LOSS -> "the scheduler failed: " + words;
      default -> words;
    };
  }

  /** {@code e} as a verb throws it: {@link #failure(String, StatusRuntimeException)} unprefixed. */
  public static RuntimeException failure(StatusRuntimeException e) {
    return failure("", e);
  }

  /**
   * {@code e} as a verb throws it, its {@link #describe description} after {@code context}: bad
   * input (exit 2) for INVALID_ARGUMENT, whose description names the field; a failure (exit 1)
   * otherwise.
   */
  public static RuntimeException failure(String context, StatusRuntimeException e) {
    String message = context + describe(e);
    return e.getStatus().getCode() == Status.Code.INVALID_ARGUMENT
        ? new UserInputException(message)
        : new IllegalStateException(message, e);
  }
}
