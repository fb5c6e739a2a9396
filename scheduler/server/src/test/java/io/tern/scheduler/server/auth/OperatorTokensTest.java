package io.tern.scheduler.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tern.api.v1.CreateTokenRequest;
import io.tern.api.v1.CreateTokenResponse;
import io.tern.api.v1.Role;
import io.tern.security.token.BearerToken;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.KeeperException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class OperatorTokensTest {
  private static final String DIGEST = "tern:s3cret";
  private static final Clock CLOCK = Clock.systemUTC();

  private TestingServer zk;

  @BeforeEach
  void startZooKeeper() throws Exception {
    zk = new TestingServer(true);
  }

  @AfterEach
  void stopZooKeeper() throws Exception {
    zk.close();
  }

  @Test
  void aTokenMadeInZooKeeperIsOneTheSchedulersTokenStoreAccepts() throws Exception {
    CreateTokenResponse made =
        OperatorTokens.create(
            zk.getConnectString(),
            "/tern",
            DIGEST,
            CreateTokenRequest.newBuilder().setUser("root").addRoles(Role.ROLE_ADMIN).build(),
            "ops (via --zk)",
            Duration.ofSeconds(10),
            CLOCK);

    try (CuratorFramework scheduler = client(DIGEST);
        TokenStore store = new TokenStore(scheduler, "/tern", CLOCK).start()) {
      Principal root = store.authenticate(BearerToken.parse(made.getValue()).orElseThrow());
      assertThat(root.name()).isEqualTo("root");
      assertThat(root.isAdmin()).isTrue();
    }
    try (CuratorFramework stranger = client(null)) {
      assertThatThrownBy(() -> stranger.getChildren().forPath("/tern/auth/tokens"))
          .as("the token's znode carries the digest ACL")
          .isInstanceOf(KeeperException.NoAuthException.class);
    }
  }

  @Test
  void withoutTheSchedulersDigestZooKeeperRefusesAccess() throws Exception {
    CreateTokenRequest request =
        CreateTokenRequest.newBuilder().setUser("root").addRoles(Role.ROLE_ADMIN).build();
    OperatorTokens.create(
        zk.getConnectString(), "/tern", DIGEST, request, "ops", Duration.ofSeconds(10), CLOCK);

    for (String digest : Arrays.asList(null, "tern:wrong")) {
      long start = System.nanoTime();
      assertThatThrownBy(
              () ->
                  OperatorTokens.create(
                      zk.getConnectString(),
                      "/tern",
                      digest,
                      request,
                      "ops",
                      Duration.ofSeconds(10),
                      CLOCK))
          .as("digest %s", digest)
          .isInstanceOf(KeeperException.NoAuthException.class)
          .hasMessageContaining("/tern/auth/tokens");
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    }
  }

  @Test
  void aRequestTheStoreRefusesSaysWhy() {
    assertThatThrownBy(
            () ->
                OperatorTokens.create(
                    zk.getConnectString(),
                    "/tern",
                    null,
                    CreateTokenRequest.newBuilder().setUser("").build(),
                    "ops",
                    Duration.ofSeconds(10),
                    CLOCK))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("user");
  }

  @Test
  void noZooKeeperIsAConnectExceptionNamingTheAddress() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    String nowhere = "127.0.0.1:" + port;
    assertThatThrownBy(
            () ->
                OperatorTokens.create(
                    nowhere,
                    "/tern",
                    null,
                    CreateTokenRequest.newBuilder().setUser("root").build(),
                    "ops",
                    Duration.ofMillis(500),
                    CLOCK))
        .isInstanceOf(ConnectException.class)
        .hasMessageContaining(nowhere);
  }

  private CuratorFramework client(String digest) {
    CuratorFramework client =
        ZkAcls.apply(
                CuratorFrameworkFactory.builder()
                    .connectString(zk.getConnectString())
                    .retryPolicy(new RetryOneTime(100)),
                digest)
            .build();
    client.start();
    return client;
  }
}
