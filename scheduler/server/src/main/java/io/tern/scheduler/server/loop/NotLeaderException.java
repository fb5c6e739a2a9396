package io.tern.scheduler.server.loop;

import java.util.Optional;

/**
 * This replica does not lead (or is still loading its state); the caller should go to {@link
 * #leaderAddress()} if there is one, or retry.
 */
public final class NotLeaderException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String leaderAddress;

  public NotLeaderException(String reason, Optional<String> leaderAddress) {
    super(reason);
    this.leaderAddress = leaderAddress.orElse(null);
  }

  public Optional<String> leaderAddress() {
    return Optional.ofNullable(leaderAddress);
  }
}
