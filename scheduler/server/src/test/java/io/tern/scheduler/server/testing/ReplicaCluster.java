package io.tern.scheduler.server.testing;

import static org.awaitility.Awaitility.await;

import io.tern.scheduler.server.SchedulerConfig;
import io.tern.scheduler.server.SchedulerServer;
import io.tern.scheduler.server.loop.SchedulerLoop;
import io.tern.scheduler.server.loop.SchedulerSettings;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.curator.test.TestingServer;

/**
 * A real ZooKeeper server in this JVM and the scheduler replicas, agents and clients a test starts
 * against it; closing it closes them all, newest first. Replicas plan and tick fast so that tests
 * on the real clock stay short.
 */
public final class ReplicaCluster implements AutoCloseable {
  public static final Duration WAIT = Duration.ofSeconds(20);

  private final TestingServer zk;
  private final List<AutoCloseable> closeables = new ArrayList<>();

  public ReplicaCluster() throws Exception {
    zk = new TestingServer(true);
  }

  public String zkConnect() {
    return zk.getConnectString();
  }

  /** The ZooKeeper server, to stop and restart it (an outage). */
  public TestingServer zooKeeper() {
    return zk;
  }

  public <T extends AutoCloseable> T track(T closeable) {
    closeables.add(closeable);
    return closeable;
  }

  /** The configuration of a test replica: fast plans and ticks, {@code lease} for nodes. */
  public SchedulerConfig config(Duration lease) {
    return SchedulerConfig.local(zk.getConnectString(), 0)
        .withSettings(
            SchedulerSettings.defaults()
                .withNodeLease(lease)
                .withPacing(Duration.ofMillis(5), Duration.ofMillis(200)));
  }

  /** A started replica; it may or may not lead. */
  public SchedulerServer replica(Duration lease) throws Exception {
    return track(new SchedulerServer(config(lease), Clock.systemUTC()).start());
  }

  /** A started replica that leads (the first one started on this cluster will). */
  public SchedulerServer leader() throws Exception {
    SchedulerServer server = replica(Duration.ofSeconds(30));
    awaitLeading(server);
    return server;
  }

  public static void awaitLeading(SchedulerServer server) {
    await().atMost(WAIT).until(() -> leads(server));
  }

  public static boolean leads(SchedulerServer server) throws Exception {
    return server.loop().role().get() == SchedulerLoop.Role.LEADER;
  }

  @Override
  public void close() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
    zk.close();
  }
}
