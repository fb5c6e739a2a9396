package io.tern.cli.client;

import io.grpc.StatusRuntimeException;

/** A failed call in one line, as client verbs print it. */
public final class CallFailures {
  private CallFailures() {}

  /**
   * What went wrong: {@link SchedulerUnavailableException}'s own words (the addresses tried and
   * why), the scheduler's description for NOT_FOUND, otherwise the code and the description.
   */
  public static String describe(StatusRuntimeException e) {
    if (e instanceof SchedulerUnavailableException) {
      return e.getMessage();
    }
    String what = e.getStatus().getDescription();
    return switch (e.getStatus().getCode()) {
      case DEADLINE_EXCEEDED -> "the scheduler did not answer in time";
      case NOT_FOUND -> what;
      default -> e.getStatus().getCode() + (what == null ? "" : ": " + what);
    };
  }
}
