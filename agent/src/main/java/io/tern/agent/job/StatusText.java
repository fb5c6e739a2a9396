package io.tern.agent.job;

import io.tern.api.v1.JobStatus;

/**
 * Keeps a status's words short enough for the agent's stream. The leader refuses a stream whose
 * message is over its limit (64 KiB) and the agent would report the same status again on every
 * reconnect, so a reason the agent echoes (a user's cancel reason, a long error) could take its
 * node out of service: the agent cuts it first, also when it reports a saved status again.
 */
public final class StatusText {
  /** The most characters of a status message the agent sends. */
  public static final int MAX_MESSAGE_CHARS = 4096;

  private StatusText() {}

  /** {@code status} with its message cut to {@link #MAX_MESSAGE_CHARS}, marked as cut. */
  public static JobStatus fit(JobStatus status) {
    String message = status.getMessage();
    if (message.length() <= MAX_MESSAGE_CHARS) {
      return status;
    }
    String cut = " ... (" + (message.length() - MAX_MESSAGE_CHARS) + " more characters cut)";
    return status.toBuilder()
        .setMessage(message.substring(0, MAX_MESSAGE_CHARS - cut.length()) + cut)
        .build();
  }
}
