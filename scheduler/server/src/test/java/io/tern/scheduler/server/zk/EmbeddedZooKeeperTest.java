package io.tern.scheduler.server.zk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryNTimes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tern zk}'s server: {@code start} returns only once a client can use it, and says so when
 * it cannot serve.
 */
class EmbeddedZooKeeperTest {
  @TempDir Path dir;

  private static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  @Test
  void aClientUsesTheServerAsSoonAsStartReturnsAndItsDataSurvivesARestart() throws Exception {
    int port = freePort();
    try (EmbeddedZooKeeper zk =
        new EmbeddedZooKeeper("127.0.0.1", port, dir, 500).start(Duration.ofSeconds(60))) {
      try (CuratorFramework client = client(port)) {
        client.create().forPath("/kept", "1".getBytes());
      }
    }
    try (EmbeddedZooKeeper zk =
        new EmbeddedZooKeeper("127.0.0.1", port, dir, 500).start(Duration.ofSeconds(60))) {
      try (CuratorFramework client = client(port)) {
        assertThat(new String(client.getData().forPath("/kept"))).isEqualTo("1");
      }
    }
  }

  @Test
  void aPortInUseIsAnErrorFromStartNotASilentServer() throws Exception {
    try (ServerSocket taken = new ServerSocket(0)) {
      EmbeddedZooKeeper zk = new EmbeddedZooKeeper("127.0.0.1", taken.getLocalPort(), dir, 500);

      assertThatThrownBy(() -> zk.start(Duration.ofSeconds(60)))
          .hasMessageContaining("Address already in use");
    }
  }

  /** A client that does not wait: one try, one second, so only a serving server passes. */
  private static CuratorFramework client(int port) throws InterruptedException {
    CuratorFramework client =
        CuratorFrameworkFactory.builder()
            .connectString("127.0.0.1:" + port)
            .connectionTimeoutMs(1_000)
            .sessionTimeoutMs(5_000)
            .retryPolicy(new RetryNTimes(0, 0))
            .build();
    client.start();
    assertThat(client.blockUntilConnected(5, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    return client;
  }
}
