package io.tern.scheduler.server.leader;

import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
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
  private final AtomicReference<String> cachedLeader = new AtomicReference<>();
  private final ScheduledExecutorService refresher =
      Executors.newSingleThreadScheduledExecutor(
          r -> Thread.ofPlatform().name("tern-leader-watch").daemon().unstarted(r));
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
                lastConnectionProblem.set(
                    "its ZooKeeper connection was "
                        + state.name().toLowerCase(java.util.Locale.ROOT));
              }
            });
    latch = new LeaderLatch(client, path, address);
    latch.addListener(
        new LeaderLatchListener() {
          @Override
          public void isLeader() {
            lastConnectionProblem.set("");
            refreshLeader();
            log.info("{} is now the leader", address);
            listener.elected();
          }

          @Override
          public void notLeader() {
            cachedLeader.set(null);
            refreshLeader();
            String why = lastConnectionProblem.get();
            if (!client.getZookeeperClient().isConnected()) {
              why = "lost its ZooKeeper connection (no quorum, or the network is down)";
            }
            listener.revoked(why.isEmpty() ? "another replica took over" : why);
          }
        });
    latch.start();
    refresher.scheduleWithFixedDelay(this::refreshLeader, 0, 500, TimeUnit.MILLISECONDS);
  }

  /**
   * Reads who leads into a cache. Reading it needs ZooKeeper, which may block for seconds without
   * quorum, so callers (the scheduler loop) only ever see the cached value.
   */
  private void refreshLeader() {
    if (refresher.isShutdown()) {
      return; // closing: the latch's last notLeader comes after
    }
    refresher.execute(
        () -> {
          LeaderLatch current;
          synchronized (this) {
            current = latch;
          }
          String leader = null;
          if (current != null) {
            try {
              Participant participant = current.getLeader();
              leader = participant.isLeader() ? participant.getId() : null;
            } catch (Exception e) {
              leader = null; // no quorum: nobody can be said to lead
            }
          }
          cachedLeader.set(leader);
        });
  }

  @Override
  public synchronized boolean isLeader() {
    return latch != null && latch.hasLeadership();
  }

  @Override
  public Optional<String> leaderAddress() {
    String leader = cachedLeader.get();
    // A replica that just lost leadership may still read its own id until the latch node goes.
    if (leader != null && leader.equals(address) && !isLeader()) {
      return Optional.empty();
    }
    return Optional.ofNullable(leader);
  }

  @Override
  public synchronized void close() throws IOException {
    refresher.shutdownNow();
    if (latch != null) {
      latch.close(LeaderLatch.CloseMode.NOTIFY_LEADER);
      latch = null;
    }
  }
}
