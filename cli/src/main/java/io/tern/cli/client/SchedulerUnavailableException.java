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

  private final boolean mayHaveArrived;

  public SchedulerUnavailableException(String message) {
    this(message, false);
  }

  /**
   * @param mayHaveArrived whether a try failed after its request went out on a connection a replica
   *     had accepted, so that the replica may have carried it out before it went away
   */
  public SchedulerUnavailableException(String message, boolean mayHaveArrived) {
    super(Status.UNAVAILABLE.withDescription(message));
    this.mayHaveArrived = mayHaveArrived;
  }

  /**
   * Whether a replica may have received the call and carried it out (it then stopped answering):
   * its outcome is unknown rather than "not done".
   */
  public boolean mayHaveArrived() {
    return mayHaveArrived;
  }

  @Override
  public String getMessage() {
    return getStatus().getDescription();
  }
}
