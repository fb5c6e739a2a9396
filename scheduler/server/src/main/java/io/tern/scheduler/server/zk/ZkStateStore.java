package io.tern.scheduler.server.zk;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import io.tern.api.v1.Budget;
import io.tern.api.v1.Job;
import io.tern.api.v1.Node;
import io.tern.api.v1.OffPeakWindow;
import io.tern.scheduler.server.zk.StoredState.Versioned;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;

/**
 * Tern's durable state in ZooKeeper, through Curator. Only the leader writes, always in atomic
 * batches fenced by its {@link Epoch}.
 *
 * <p>Thread-safety: methods may be called from any thread; the scheduler calls {@link #commit} from
 * its single committer thread so that batches apply in order.
 */
public final class ZkStateStore {
  /** Bytes per multi: well under ZooKeeper's default 1 MB jute.maxbuffer. */
  public static final int MAX_BATCH_BYTES = 512 * 1024;

  private static final long LOAD_TIMEOUT_SECONDS = 120;

  private final CuratorFramework client;
  private final ZkPaths paths;

  public ZkStateStore(CuratorFramework client, ZkPaths paths) {
    this.client = client;
    this.paths = paths;
  }

  public ZkPaths paths() {
    return paths;
  }

  public CuratorFramework client() {
    return client;
  }

  /**
   * Creates the fixed znodes if this is a new cluster, the cluster id among them: the first replica
   * to create it draws it, and every replica and restart after reads that one. State from a version
   * before cluster ids (a leader has led, and none drew an id: this method draws it before any
   * leader term) gets the empty id, so its jobs keep finding their checkpoints where they are, at
   * the store's root. Idempotent.
   */
  public void ensureLayout() throws Exception {
    for (String path :
        List.of(paths.jobs(), paths.nodes(), paths.offPeakWindows(), paths.budgets())) {
      createIfMissing(path, new byte[0]);
    }
    createIfMissing(paths.epoch(), "0".getBytes(StandardCharsets.UTF_8));
    if (client.checkExists().forPath(paths.clusterId()) == null) {
      long epoch =
          Long.parseLong(
              new String(client.getData().forPath(paths.epoch()), StandardCharsets.UTF_8).trim());
      String id = epoch > 0 ? "" : UUID.randomUUID().toString();
      createIfMissing(paths.clusterId(), id.getBytes(StandardCharsets.UTF_8));
    }
  }

  /**
   * Starts a new leader term: increments the epoch znode with a versioned write, so two replicas
   * that both believe they lead cannot both get the same epoch.
   */
  public Epoch acquireEpoch() throws Exception {
    while (true) {
      Stat stat = new Stat();
      byte[] data = client.getData().storingStatIn(stat).forPath(paths.epoch());
      long next = Long.parseLong(new String(data, StandardCharsets.UTF_8).trim()) + 1;
      try {
        Stat written =
            client
                .setData()
                .withVersion(stat.getVersion())
                .forPath(paths.epoch(), Long.toString(next).getBytes(StandardCharsets.UTF_8));
        return new Epoch(next, written.getVersion());
      } catch (KeeperException.BadVersionException raced) {
        // Another replica bumped it in between; read again.
      }
    }
  }

  /**
   * Reads every job, node, window and budget, and the checkpoint retirement mark; reads are
   * pipelined, so 100,000 jobs take seconds.
   */
  /** The cluster's checkpoint store as recorded ({@link CheckpointStoreRecord}); empty if none. */
  public java.util.Optional<io.tern.checkpoint.StoreIdentity> checkpointStore() throws Exception {
    return CheckpointStoreRecord.read(client, paths);
  }

  public StoredState load() throws Exception {
    List<String> jobPaths = new ArrayList<>();
    java.util.Set<String> shards = new java.util.HashSet<>();
    for (String shard : client.getChildren().forPath(paths.jobs())) {
      shards.add(paths.jobs() + "/" + shard);
      for (String job : client.getChildren().forPath(paths.jobs() + "/" + shard)) {
        jobPaths.add(paths.jobs() + "/" + shard + "/" + job);
      }
    }
    Map<String, Versioned<Job>> jobs = readAll(jobPaths, Job.parser());
    // Job znodes are never deleted, so the highest number seen is the last one handed out; a
    // number handed out by a deposed leader whose write failed may be handed out again.
    long nextJob = jobs.keySet().stream().mapToLong(JobIds::number).max().orElse(0) + 1;
    return new StoredState(
        new String(client.getData().forPath(paths.clusterId()), StandardCharsets.UTF_8).trim(),
        jobs,
        nextJob,
        shards,
        readAll(childPaths(paths.nodes()), Node.parser()),
        readAll(childPaths(paths.offPeakWindows()), OffPeakWindow.parser()),
        readAll(childPaths(paths.budgets()), Budget.parser()),
        readInstant(paths.checkpointsRetired()));
  }

  private Optional<Versioned<Instant>> readInstant(String path) throws Exception {
    Stat stat = new Stat();
    byte[] data;
    try {
      data = client.getData().storingStatIn(stat).forPath(path);
    } catch (KeeperException.NoNodeException absent) {
      return Optional.empty();
    }
    try {
      return Optional.of(
          new Versioned<>(
              Instant.parse(new String(data, StandardCharsets.UTF_8).trim()), stat.getVersion()));
    } catch (java.time.format.DateTimeParseException e) {
      throw new IllegalStateException("corrupt state in ZooKeeper under " + path, e);
    }
  }

  /**
   * Applies {@code writes} atomically in one multi that also checks {@code epoch} is still current.
   * The caller keeps a batch under {@link #MAX_BATCH_BYTES}.
   *
   * @throws KeeperException.BadVersionException if a newer leader exists or state was stale
   */
  public void commit(Epoch epoch, List<ZkWrite> writes) throws Exception {
    List<CuratorOp> ops = new ArrayList<>(writes.size() + 1);
    ops.add(client.transactionOp().check().withVersion(epoch.zkVersion()).forPath(paths.epoch()));
    for (ZkWrite write : writes) {
      ops.add(write.toOp(client));
    }
    client.transaction().forOperations(ops);
  }

  /**
   * Like {@link #commit} but asynchronous: {@code done} receives null on success or the failure.
   * ZooKeeper applies one session's requests in the order sent, so batches sent back to back commit
   * in order; a failed batch does not stop later ones, which is why the caller ends its term on the
   * first failure.
   */
  public void commitAsync(
      Epoch epoch, List<ZkWrite> writes, java.util.function.Consumer<Exception> done)
      throws Exception {
    List<CuratorOp> ops = new ArrayList<>(writes.size() + 1);
    ops.add(client.transactionOp().check().withVersion(epoch.zkVersion()).forPath(paths.epoch()));
    for (ZkWrite write : writes) {
      ops.add(write.toOp(client));
    }
    client
        .transaction()
        .inBackground(
            (c, event) -> {
              int rc = event.getResultCode();
              done.accept(
                  rc == KeeperException.Code.OK.intValue()
                      ? null
                      : KeeperException.create(KeeperException.Code.get(rc), paths.epoch()));
            })
        .forOperations(ops);
  }

  private void createIfMissing(String path, byte[] data) throws Exception {
    try {
      client.create().creatingParentsIfNeeded().withMode(CreateMode.PERSISTENT).forPath(path, data);
    } catch (KeeperException.NodeExistsException exists) {
      // Already there: an existing cluster.
    }
  }

  private List<String> childPaths(String parent) throws Exception {
    return client.getChildren().forPath(parent).stream().map(c -> parent + "/" + c).toList();
  }

  private <T extends Message> Map<String, Versioned<T>> readAll(
      List<String> znodes, Parser<T> parser) throws Exception {
    Map<String, Versioned<T>> out = new ConcurrentHashMap<>();
    for (var entry : readAllRaw(znodes).entrySet()) {
      try {
        out.put(
            entry.getKey(),
            new Versioned<>(
                parser.parseFrom(entry.getValue().value()), entry.getValue().version()));
      } catch (InvalidProtocolBufferException e) {
        throw new IllegalStateException("corrupt state in ZooKeeper under " + entry.getKey(), e);
      }
    }
    return out;
  }

  /** Last path segment → data and version, read with pipelined background calls. */
  private Map<String, Versioned<byte[]>> readAllRaw(List<String> znodes) throws Exception {
    Map<String, Versioned<byte[]>> out = new ConcurrentHashMap<>();
    CountDownLatch done = new CountDownLatch(znodes.size());
    AtomicReference<Exception> failure = new AtomicReference<>();
    for (String path : znodes) {
      client
          .getData()
          .inBackground(
              (c, event) -> {
                if (event.getResultCode() == KeeperException.Code.OK.intValue()) {
                  String name = path.substring(path.lastIndexOf('/') + 1);
                  out.put(name, new Versioned<>(event.getData(), event.getStat().getVersion()));
                } else if (event.getResultCode() != KeeperException.Code.NONODE.intValue()) {
                  failure.compareAndSet(
                      null,
                      KeeperException.create(
                          KeeperException.Code.get(event.getResultCode()), path));
                }
                done.countDown();
              })
          .forPath(path);
    }
    if (!done.await(LOAD_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      throw new IllegalStateException("timed out reading " + znodes.size() + " znodes");
    }
    if (failure.get() != null) {
      throw failure.get();
    }
    return out;
  }
}
