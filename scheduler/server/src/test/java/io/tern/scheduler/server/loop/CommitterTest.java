package io.tern.scheduler.server.loop;

import static org.assertj.core.api.Assertions.assertThat;

import io.tern.scheduler.server.zk.Epoch;
import io.tern.scheduler.server.zk.ZkPaths;
import io.tern.scheduler.server.zk.ZkStateStore;
import io.tern.scheduler.server.zk.ZkWrite;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CommitterTest {
  private TestingServer zk;
  private CuratorFramework client;
  private ZkStateStore store;
  private ExecutorService loop;
  private Committer committer;

  /** What the callbacks saw, in the order they ran. */
  private final BlockingQueue<String> outcomes = new LinkedBlockingQueue<>();

  @BeforeEach
  void start() throws Exception {
    zk = new TestingServer(true);
    client = CuratorFrameworkFactory.newClient(zk.getConnectString(), new RetryOneTime(100));
    client.start();
    store = new ZkStateStore(client, ZkPaths.defaults());
    store.ensureLayout();
    loop = Executors.newSingleThreadExecutor();
    committer = new Committer(store, loop);
  }

  @AfterEach
  void stop() throws Exception {
    committer.close();
    loop.shutdownNow();
    client.close();
    zk.close();
  }

  private Committer.Unit create(String name, int bytes) {
    return new Committer.Unit(
        List.of(new ZkWrite.Create("/tern/nodes/" + name, new byte[bytes])),
        () -> outcomes.add(name + " committed"),
        e ->
            outcomes.add(
                name
                    + (e instanceof NotLeaderException
                        ? " not taken"
                        : e instanceof UnknownOutcomeException
                            ? " unconfirmed"
                            : " failed: " + e)));
  }

  /** The next {@code count} outcomes, waiting for each at most ten seconds. */
  private List<String> next(int count) throws InterruptedException {
    List<String> seen = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String outcome = outcomes.poll(10, TimeUnit.SECONDS);
      if (outcome == null) {
        throw new AssertionError("only " + seen + " arrived");
      }
      seen.add(outcome);
    }
    return seen;
  }

  @Test
  void listsOfUnitsCommitInOrderAndBatchesStayUnderTheLimit() throws Exception {
    committer.begin(store.acquireEpoch());
    // Three units of 200 KB cannot share one multi (512 KB): they are split, and still in order.
    int big = 200 * 1024;
    committer.submit(List.of(create("a", big), create("b", big)));
    committer.submit(List.of(create("c", big), create("d", 10)));

    assertThat(next(4)).containsExactly("a committed", "b committed", "c committed", "d committed");
    assertThat(client.getChildren().forPath("/tern/nodes"))
        .containsExactlyInAnyOrder("a", "b", "c", "d");
  }

  @Test
  void afterAFailureLaterUnitsFailUntilANewTermBegins() throws Exception {
    committer.begin(store.acquireEpoch());
    committer.submit(List.of(create("a", 1)));
    assertThat(next(1)).containsExactly("a committed");

    committer.submit(List.of(create("a", 1))); // exists already: the multi fails
    // Sent and failed: to its client, a write that may have been applied (a retried multi fails
    // the same way after its first try went through).
    assertThat(next(1)).containsExactly("a unconfirmed");
    // Sent once the failure is known, b is not written: not taken, and may be sent again. (A unit
    // already in flight beside the failed one is ZooKeeper's own multi and may commit; its
    // callback then says so.)
    committer.submit(List.of(create("b", 1)));
    assertThat(next(1)).containsExactly("b not taken");

    committer.begin(store.acquireEpoch());
    committer.submit(List.of(create("c", 1)));
    assertThat(next(1)).containsExactly("c committed");
    assertThat(client.checkExists().forPath("/tern/nodes/b")).isNull();
  }

  @Test
  void aDeposedLeadersUnitsAreFenced() throws Exception {
    Epoch mine = store.acquireEpoch();
    committer.begin(mine);
    store.acquireEpoch(); // another replica took over

    committer.submit(List.of(create("a", 1)));

    assertThat(next(1)).containsExactly("a unconfirmed");
    assertThat(client.checkExists().forPath("/tern/nodes/a")).isNull();
  }
}
