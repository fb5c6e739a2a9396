package io.tern.scheduler.server.loop;

import io.grpc.Status;
import io.tern.api.v1.SchedulerMessage;

/**
 * The scheduler's end of one agent's Connect stream. Called only from the scheduler loop thread, so
 * implementations need no locking of their own.
 */
public interface AgentChannel {
  void send(SchedulerMessage message);

  /** Ends the stream, telling the agent where the leader is if known. */
  void close(String reason, String leaderAddress);

  /**
   * Ends the stream with {@code status}: a refusal the agent is to report as such, not a hint to
   * look for another leader. Those that cannot carry a status close it with its description.
   */
  default void refuse(Status status) {
    close(status.getDescription() == null ? "" : status.getDescription(), "");
  }
}
