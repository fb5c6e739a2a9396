package io.tern.scheduler.server.leader;

import java.io.Closeable;
import java.util.Optional;

/**
 * Decides which scheduler replica leads. Implementations: {@link CuratorLeaderElector} (ZooKeeper)
 * and, for tests, anything that calls the listener.
 *
 * <p>Contract: {@link Listener#elected()} and {@link Listener#revoked(String)} alternate, starting
 * with {@code elected}; a lost or suspended ZooKeeper connection revokes leadership at once,
 * because a leader that cannot prove it leads must stop acting as one. Callbacks may come on any
 * thread; the listener hands them to the scheduler loop.
 */
public interface LeaderElector extends Closeable {
  /** Joins the election; {@code listener} hears when this replica gains and loses leadership. */
  void start(Listener listener) throws Exception;

  /** Whether this replica holds leadership right now. */
  boolean isLeader();

  /** The current leader's gRPC address (host:port), if one is known. */
  Optional<String> leaderAddress();

  /** Callbacks of an election. */
  interface Listener {
    void elected();

    void revoked(String why);
  }
}
