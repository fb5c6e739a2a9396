package io.tern.scheduler.server.zk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tern.checkpoint.CheckpointStore;
import io.tern.checkpoint.CheckpointStoreSettings;
import io.tern.checkpoint.StoreIdentity;
import io.tern.checkpoint.StoreUnreachableException;
import io.tern.checkpoint.config.CheckpointStoreLocation;
import io.tern.checkpoint.fs.FsCheckpointStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A scheduler's checkpoint store against the identity its cluster records in ZooKeeper. */
class CheckpointStoreRecordTest {
  private static final String JOB = "job-000001";

  @TempDir Path tmp;
  private TestingServer zk;
  private CuratorFramework client;
  private final ZkPaths paths = ZkPaths.defaults();
  private final CheckpointStoreSettings settings = CheckpointStoreSettings.of(1, Clock.systemUTC());

  @BeforeEach
  void start() throws Exception {
    zk = new TestingServer(true);
    client = CuratorFrameworkFactory.newClient(zk.getConnectString(), new RetryOneTime(100));
    client.start();
  }

  @AfterEach
  void stop() throws Exception {
    client.close();
    zk.close();
  }

  /** As {@code tern scheduler --checkpoint-store FOLDER} opens and settles it at start. */
  private CheckpointStore startScheduler(Path folder) throws Exception {
    CheckpointStore store = CheckpointStoreLocation.parse(folder.toString()).open(settings);
    CheckpointStoreRecord.settle(client, paths, store.marker().orElseThrow());
    return store;
  }

  private static StoreIdentity markerOf(Path folder) throws Exception {
    return StoreIdentity.decode(Files.readAllBytes(folder.resolve(".tern-store.json")));
  }

  private void aJobRan() throws Exception {
    client.create().creatingParentContainersIfNeeded().forPath(paths.jobShard(1), new byte[0]);
  }

  @Test
  void aNewClusterInitialisesItsStoreAndRecordsItsIdentity() throws Exception {
    Path folder = tmp.resolve("mnt/ckpt");
    try (CheckpointStore store = startScheduler(folder)) {
      assertThat(folder.resolve(".tern-store.json")).isRegularFile();
      assertThat(CheckpointStoreRecord.read(client, paths)).contains(markerOf(folder));
      assertThat(store.list(JOB)).isEmpty();
    }
  }

  /**
   * The volume is unmounted (its mount point left empty, or gone) and the scheduler restarts: it
   * makes no stand-in, says which store it is missing, and uses the store again once it is back.
   */
  @Test
  void aRestartWhileTheStoreIsUnmountedMakesNoStandInAndWaitsForIt() throws Exception {
    Path folder = tmp.resolve("ckpt");
    StoreIdentity cluster;
    try (CheckpointStore store = startScheduler(folder)) {
      cluster = markerOf(folder);
      store.recordSuccess(JOB, 1);
    }
    Path away = Files.move(folder, tmp.resolve("unmounted"));

    try (CheckpointStore store = startScheduler(folder)) {
      assertThat(folder).as("no stand-in").doesNotExist();
      assertThatThrownBy(() -> store.recordSuccess(JOB, 2))
          .isInstanceOf(StoreUnreachableException.class)
          .hasMessageContaining(
              "checkpoint store "
                  + folder
                  + " is missing (no such folder), but this cluster's"
                  + " store is "
                  + cluster
                  + ": is it mounted?");
      Files.createDirectories(folder); // the mount point, with nothing mounted on it
      assertThatThrownBy(() -> store.workdirs().put("0".repeat(64), tmp.resolve("zip")))
          .isInstanceOf(StoreUnreachableException.class)
          .hasMessageContaining(
              "holds no .tern-store.json, but this cluster's store is " + cluster);
      try (Stream<Path> entries = Files.list(folder)) {
        assertThat(entries).isEmpty();
      }

      Files.delete(folder);
      Files.move(away, folder); // mounted again
      assertThat(store.succeededAttempt(JOB)).hasValue(1);
      store.recordSuccess(JOB, 2);
    }
  }

  @Test
  void aFolderHoldingAnotherStoreIsNotThisClusters() throws Exception {
    Path folder = tmp.resolve("ckpt");
    startScheduler(folder).close();
    StoreIdentity cluster = markerOf(folder);
    Path other = tmp.resolve("other");
    StoreIdentity stranger =
        CheckpointStoreLocation.parse(other.toString()).initialise(Clock.systemUTC());

    try (CheckpointStore store = startScheduler(other)) {
      assertThatThrownBy(() -> store.recordSuccess(JOB, 1))
          .isInstanceOf(StoreUnreachableException.class)
          .hasMessageContaining(
              "holds store " + stranger + ", but this cluster's store is " + cluster);
    }
    assertThat(CheckpointStoreRecord.read(client, paths)).contains(cluster);
  }

  /**
   * A cluster from before the record, whose store is not mounted at the upgrade's restart: an empty
   * folder is not initialised, since it may well be the store's mount point; once the store holds a
   * marker (here made by hand, as tern admin init-store does) the next start records it.
   */
  @Test
  void aClusterThatRanJobsInitialisesNoEmptyFolderWithoutARecord() throws Exception {
    aJobRan();
    Path folder = Files.createDirectories(tmp.resolve("ckpt"));

    try (CheckpointStore store = startScheduler(folder)) {
      assertThat(CheckpointStoreRecord.read(client, paths)).isEmpty();
      assertThatThrownBy(() -> store.recordSuccess(JOB, 1))
          .isInstanceOf(StoreUnreachableException.class)
          .hasMessageContaining("holds no .tern-store.json");
      try (Stream<Path> entries = Files.list(folder)) {
        assertThat(entries).isEmpty();
      }
    }

    StoreIdentity made =
        CheckpointStoreLocation.parse(folder.toString()).initialise(Clock.systemUTC());
    try (CheckpointStore store = startScheduler(folder)) {
      assertThat(CheckpointStoreRecord.read(client, paths)).contains(made);
      store.recordSuccess(JOB, 1);
    }
  }

  /** An upgrade: a store from before markers keeps its checkpoints, and is marked and recorded. */
  @Test
  void aStoreFromBeforeMarkersIsMarkedAndRecorded() throws Exception {
    aJobRan();
    Path folder = Files.createDirectories(tmp.resolve("ckpt"));
    try (CheckpointStore old = new FsCheckpointStore(folder, settings)) {
      old.recordSuccess(JOB, 1);
    }

    try (CheckpointStore store = startScheduler(folder)) {
      assertThat(CheckpointStoreRecord.read(client, paths)).contains(markerOf(folder));
      assertThat(store.succeededAttempt(JOB)).hasValue(1);
    }
  }

  /** The replicas of a new cluster hold the store to the one identity the first recorded. */
  @Test
  void everyReplicaHoldsTheStoreToTheOneRecordedIdentity() throws Exception {
    Path folder = tmp.resolve("ckpt");
    CheckpointStore a = CheckpointStoreLocation.parse(folder.toString()).open(settings);
    CheckpointStore b = CheckpointStoreLocation.parse(folder.toString()).open(settings);
    Optional<StoreIdentity> heldByA = CheckpointStoreRecord.settle(client, paths, a.marker().get());
    Optional<StoreIdentity> heldByB = CheckpointStoreRecord.settle(client, paths, b.marker().get());

    assertThat(heldByA).isPresent().isEqualTo(heldByB).contains(markerOf(folder));
    a.close();
    b.close();
  }
}
