package io.tern.scheduler.server.zk;

import io.tern.checkpoint.StoreIdentity;
import io.tern.checkpoint.StoreMarker;
import java.io.IOException;
import java.util.Optional;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster's record of its file checkpoint store ({@link ZkPaths#checkpointStore}): which store
 * it is, as the store's marker says. A scheduler started with the store settles it against this
 * record before it serves, so that an unmounted volume is never taken for a new, empty store:
 *
 * <ul>
 *   <li>The cluster has a record: the store is held to it ({@link StoreMarker#expect}). A folder
 *       that is missing, holds no marker or another store's is unreachable, and nothing is made or
 *       written there until the store is back.
 *   <li>No record, and the store holds a marker (other clusters', or agents' use of it): that is
 *       the store; it is recorded.
 *   <li>No record, and a folder with files but no marker (a store from before markers): it is
 *       marked as it is, and recorded.
 *   <li>No record, and the folder is missing or empty: a new cluster's new store is initialised and
 *       recorded. A cluster that has run jobs already (one from before this record) may be looking
 *       at its store's unmounted volume: it initialises nothing, says so, and the store stays
 *       unreachable until it holds a marker ({@code tern admin init-store} makes one for a store
 *       that is really new).
 * </ul>
 *
 * The first replica to record wins; a replica whose folder holds another store's marker is held to
 * the recorded one, and so finds its store unreachable.
 */
public final class CheckpointStoreRecord {
  private static final Logger log = LoggerFactory.getLogger(CheckpointStoreRecord.class);

  private CheckpointStoreRecord() {}

  /**
   * Settles {@code marker}'s store against the cluster's record, as above.
   *
   * @return the identity the store is held to now; empty when the cluster has none yet
   */
  public static Optional<StoreIdentity> settle(
      CuratorFramework client, ZkPaths paths, StoreMarker marker) throws Exception {
    Optional<StoreIdentity> recorded = read(client, paths);
    if (recorded.isEmpty()) {
      Optional<StoreIdentity> found;
      try {
        found = marker.read();
      } catch (IOException e) {
        log.error("{}; this cluster records no checkpoint store yet", e.getMessage());
        return Optional.empty();
      }
      if (found.isEmpty() && marker.isEmpty() && hasRunJobs(client, paths)) {
        log.error(
            "checkpoint store {} is empty or missing, and this cluster has run jobs but records no"
                + " store: is it mounted? Nothing is made or written there. If it is a new store,"
                + " initialise it: tern admin init-store {}",
            marker.location(),
            marker.location());
        return Optional.empty();
      }
      recorded =
          Optional.of(record(client, paths, found.isPresent() ? found.get() : marker.initialise()));
    }
    StoreIdentity held = recorded.get();
    marker.expect(held);
    try {
      marker.check();
      log.info("checkpoint store {} is this cluster's store, {}", marker.location(), held);
    } catch (IOException e) {
      // The store logged what is wrong; every call waits on it until it is back.
    }
    return recorded;
  }

  /** The cluster's record; empty when it has none. */
  public static Optional<StoreIdentity> read(CuratorFramework client, ZkPaths paths)
      throws Exception {
    byte[] data;
    try {
      data = client.getData().forPath(paths.checkpointStore());
    } catch (KeeperException.NoNodeException e) {
      return Optional.empty();
    }
    try {
      return Optional.of(StoreIdentity.decode(data));
    } catch (IOException e) {
      throw new IllegalStateException(
          paths.checkpointStore() + " in ZooKeeper holds no store identity: " + e.getMessage(), e);
    }
  }

  /** Records {@code identity} unless a replica recorded one first; returns the recorded one. */
  private static StoreIdentity record(
      CuratorFramework client, ZkPaths paths, StoreIdentity identity) throws Exception {
    try {
      client
          .create()
          .creatingParentContainersIfNeeded()
          .forPath(paths.checkpointStore(), identity.encode());
      return identity;
    } catch (KeeperException.NodeExistsException raced) {
      return read(client, paths).orElseThrow();
    }
  }

  private static boolean hasRunJobs(CuratorFramework client, ZkPaths paths) throws Exception {
    return client.checkExists().forPath(paths.jobs()) != null
        && !client.getChildren().forPath(paths.jobs()).isEmpty();
  }
}
