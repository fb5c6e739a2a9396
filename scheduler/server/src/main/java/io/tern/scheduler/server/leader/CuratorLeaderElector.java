package io.tern.scheduler.server.leader;

import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.leader.LeaderLatchListener;
import org.apache.curator.framework.recipes.leader.Participant;
import org.apache.curator.framework.state.ConnectionState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leader election with a Curator {@link LeaderLatch}; each participant's id is its gRPC address, so
 * followers can tell clients and agents where the leader is.
 *
 * <p>Curator's default error policy already treats SUSPENDED (not only LOST) as a loss of
 * leadership; this class adds the reason to the revocation so that the scheduler can say why it
 * stopped placing.
 */
public final class CuratorLeaderElector implements LeaderElector {
  private static final Logger log = LoggerFactory.getLogger(CuratorLeaderElector.class);

  private final CuratorFramework client;
  private final String path;
  private final String address;
  private final AtomicReference<String> lastConnectionProblem = new AtomicReference<>("");
  private LeaderLatch latch;

  public CuratorLeaderElector(CuratorFramework client, String path, String address) {
    this.client = client;
    this.path = path;
    this.address = address;
  }

  @Override
  public synchronized void start(Listener listener) throws Exception {
    if (latch != null) {
      throw new IllegalStateException("already started");
    }
    client
        .getConnectionStateListenable()
        .addListener(
            (c, state) -> {
              if (state == ConnectionState.SUSPENDED || state == ConnectionState.LOST) {
                lastConnectionProblem.set("ZooKeeper connection " + state.name().toLowerCase());
              }
            });
    latch = new LeaderLatch(client, path, address);
    latch.addListener(
        new LeaderLatchListener() {
          @Override
          public void isLeader() {
            log.info("{} is now the leader", address);
            listener.elected();
          }

          @Override
          public void notLeader() {
            String why = lastConnectionProblem.getAndSet("");
            listener.revoked(why.isEmpty() ? "another replica took over" : why);
          }
        });
    latch.start();
  }

  @Override
  public synchronized boolean isLeader() {
    return latch != null && latch.hasLeadership();
  }

  @Override
  public Optional<String> leaderAddress() {
    LeaderLatch current;
    synchronized (this) {
      current = latch;
    }
    if (current == null) {
      return Optional.empty();
    }
    try {
      Participant leader = current.getLeader();
      return leader.isLeader() ? Optional.of(leader.getId()) : Optional.empty();
    } catch (Exception e) {
      // No quorum: nobody can be said to lead.
      return Optional.empty();
    }
  }

  @Override
  public synchronized void close() throws IOException {
    if (latch != null) {
      latch.close(LeaderLatch.CloseMode.NOTIFY_LEADER);
      latch = null;
    }
  }
}
