package io.tern.scheduler.server.loop;

/**
 * A change was sent to ZooKeeper and this replica cannot say whether it took effect: ZooKeeper did
 * not confirm it (a connection lost mid-write, after which a retried write may fail although the
 * first one was applied), or it was stored and this replica stopped leading before it could answer.
 * Unlike {@link NotLeaderException}, the change must not be assumed absent: a client looks, or
 * retries with the same idempotency key.
 */
public final class UnknownOutcomeException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public UnknownOutcomeException(String message, Throwable cause) {
    super(message, cause);
  }

  /** ZooKeeper failed a write that was sent: it may have been applied. */
  static UnknownOutcomeException unconfirmed(Exception zooKeeper) {
    return new UnknownOutcomeException(
        "ZooKeeper did not confirm the change ("
            + zooKeeper.getMessage()
            + "), and it may have been stored: look for it, or retry with the same idempotency"
            + " key",
        zooKeeper);
  }

  /** The change was stored, but the term that made it ended before it was answered. */
  static UnknownOutcomeException storedUnanswered() {
    return new UnknownOutcomeException(
        "the change was stored, but this replica stopped leading before it could answer: look"
            + " for it, or retry with the same idempotency key",
        null);
  }
}
