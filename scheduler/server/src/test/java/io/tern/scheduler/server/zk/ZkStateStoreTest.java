package io.tern.scheduler.server.zk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tern.api.v1.Job;
import io.tern.api.v1.JobState;
import java.util.List;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.KeeperException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ZkStateStoreTest {
  private TestingServer zk;
  private CuratorFramework client;
  private ZkStateStore store;

  @BeforeEach
  void start() throws Exception {
    zk = new TestingServer(true);
    client = CuratorFrameworkFactory.newClient(zk.getConnectString(), new RetryOneTime(100));
    client.start();
    store = new ZkStateStore(client, ZkPaths.defaults());
    store.ensureLayout();
  }

  @AfterEach
  void stop() throws Exception {
    client.close();
    zk.close();
  }

  private ZkWrite createJob(long number) {
    String id = JobIds.of(number);
    Job job = Job.newBuilder().setId(id).setState(JobState.JOB_STATE_PENDING).build();
    return new ZkWrite.Create(store.paths().job(id), job.toByteArray());
  }

  private ZkWrite shard(long number) {
    return new ZkWrite.Create(store.paths().jobShard(number), new byte[0]);
  }

  @Test
  void theClusterIdIsDrawnOnceAndEveryReplicaReadsIt() throws Exception {
    String id = store.load().clusterId();
    assertThat(java.util.UUID.fromString(id)).hasToString(id);

    store.ensureLayout(); // a restart
    ZkStateStore replica = new ZkStateStore(client, ZkPaths.defaults());
    replica.ensureLayout();
    assertThat(replica.load().clusterId()).isEqualTo(id);

    try (TestingServer fresh = new TestingServer(true);
        CuratorFramework other =
            CuratorFrameworkFactory.newClient(fresh.getConnectString(), new RetryOneTime(100))) {
      other.start();
      ZkStateStore elsewhere = new ZkStateStore(other, ZkPaths.defaults());
      elsewhere.ensureLayout();
      assertThat(elsewhere.load().clusterId()).as("a fresh ZooKeeper's cluster").isNotEqualTo(id);
    }
  }

  /**
   * A cluster that led before cluster ids existed keeps its jobs' checkpoints at the store's root:
   * it gets the empty id (the store itself), so an upgrade loses none of them.
   */
  @Test
  void stateFromBeforeClusterIdsKeepsTheStoresRootLayout() throws Exception {
    try (TestingServer older = new TestingServer(true);
        CuratorFramework other =
            CuratorFrameworkFactory.newClient(older.getConnectString(), new RetryOneTime(100))) {
      other.start();
      ZkStateStore upgraded = new ZkStateStore(other, ZkPaths.defaults());
      upgraded.ensureLayout();
      other.delete().forPath(ZkPaths.defaults().clusterId()); // as an older version left it
      upgraded.acquireEpoch();

      upgraded.ensureLayout();
      ZkStateStore replica = new ZkStateStore(other, ZkPaths.defaults());
      replica.ensureLayout();

      assertThat(upgraded.load().clusterId()).isEmpty();
      assertThat(replica.load().clusterId()).isEmpty();
    }
  }

  @Test
  void eachNewLeaderGetsAHigherEpoch() throws Exception {
    Epoch first = store.acquireEpoch();
    Epoch second = store.acquireEpoch();

    assertThat(second.value()).isEqualTo(first.value() + 1);
    assertThat(second.zkVersion()).isGreaterThan(first.zkVersion());
  }

  @Test
  void aDeposedLeadersWritesAreFenced() throws Exception {
    Epoch old = store.acquireEpoch();
    store.commit(old, List.of(shard(1), createJob(1)));
    store.acquireEpoch(); // another replica takes over

    assertThatThrownBy(() -> store.commit(old, List.of(createJob(2))))
        .isInstanceOf(KeeperException.BadVersionException.class);
    assertThat(store.load().jobs()).containsOnlyKeys("job-000001");
  }

  @Test
  void aBatchIsAllOrNothing() throws Exception {
    Epoch epoch = store.acquireEpoch();
    store.commit(epoch, List.of(shard(1), createJob(1)));

    assertThatThrownBy(() -> store.commit(epoch, List.of(createJob(2), createJob(1))))
        .isInstanceOf(KeeperException.NodeExistsException.class);
    assertThat(store.load().jobs()).containsOnlyKeys("job-000001");
  }

  @Test
  void loadRebuildsJobsAcrossShardsAndTheNextNumber() throws Exception {
    Epoch epoch = store.acquireEpoch();
    store.commit(epoch, List.of(shard(1), createJob(1), shard(2500), createJob(2500)));

    StoredState state = store.load();

    assertThat(state.jobs()).containsOnlyKeys("job-000001", "job-002500");
    assertThat(state.nextJobNumber()).isEqualTo(2501);
    assertThat(state.jobShards()).hasSize(2);
    assertThat(state.jobs().get("job-002500").version()).isZero();
  }

  @Test
  void jobIdsAreValidatedBeforeTheyBecomePaths() {
    assertThat(JobIds.isValid("job-000001")).isTrue();
    assertThat(JobIds.isValid("job-../../x")).isFalse();
    assertThat(JobIds.isValid("job-")).isFalse();
    assertThat(JobIds.isValid("42")).isFalse();
    assertThat(store.paths().job("job-001234")).isEqualTo("/tern/jobs/00001/job-001234");
  }
}
