package io.tern.cli.client;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/**
 * No scheduler could take the call: none answered at the addresses tried, or none led in time. An
 * UNAVAILABLE status (callers that retry on UNAVAILABLE keep doing so) whose message is one line
 * naming the addresses and what happened, ready to print as it is.
 */
public final class SchedulerUnavailableException extends StatusRuntimeException {
  private static final long serialVersionUID = 1L;

  public SchedulerUnavailableException(String message) {
    super(Status.UNAVAILABLE.withDescription(message));
  }

  @Override
  public String getMessage() {
    return getStatus().getDescription();
  }
}
