package io.tern.scheduler.server.auth;

import io.tern.api.v1.CreateTokenRequest;
import io.tern.api.v1.CreateTokenResponse;
import io.tern.api.v1.TokenMinting;
import java.net.ConnectException;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;

/**
 * Tokens made straight in ZooKeeper, with no scheduler running: the operator's way in to a cluster
 * that has no admin token yet ({@code tern admin token create --zk ...}). Reads and writes the same
 * znodes as the schedulers' {@link TokenStore}, so every replica honours the token at once.
 */
public final class OperatorTokens {
  /** How long one client waits to connect before a fresh one tries. */
  private static final long ATTEMPT_MILLIS = 5_000;

  private OperatorTokens() {}

  /**
   * Connects to ZooKeeper, stores a new token and disconnects.
   *
   * @param zkConnect ZooKeeper connection string
   * @param zkRoot Tern's root znode
   * @param zkDigest the schedulers' {@code USER:PASSWORD} digest identity; null when they use none
   * @param request who the token is for, its roles, teams and lifetime
   * @param createdBy recorded with the token
   * @param connectWait how long to wait for ZooKeeper to answer
   * @return the token (its value shown only here) and what is stored about it
   * @throws ConnectException when no ZooKeeper answered within {@code connectWait}
   * @throws IllegalArgumentException for a request the store refuses (the message says why)
   * @throws org.apache.zookeeper.KeeperException.NoAuthException when Tern's znodes carry a digest
   *     ACL and {@code zkDigest} is missing or not the schedulers' (its path names the znode)
   */
  public static CreateTokenResponse create(
      String zkConnect,
      String zkRoot,
      String zkDigest,
      CreateTokenRequest request,
      String createdBy,
      Duration connectWait,
      Clock clock)
      throws Exception {
    // A client that reached a ZooKeeper still starting up can stay unconnected (the server drops
    // its first connection half-made): try again with a fresh client until the wait is over.
    long deadline = System.nanoTime() + connectWait.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      try (CuratorFramework curator =
          ZkAcls.apply(
                  CuratorFrameworkFactory.builder()
                      .connectString(zkConnect)
                      .retryPolicy(new ExponentialBackoffRetry(200, 3)),
                  zkDigest)
              .build()) {
        curator.start();
        long slice = Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMillis(left), ATTEMPT_MILLIS));
        if (curator.blockUntilConnected((int) slice, TimeUnit.MILLISECONDS)) {
          try (TokenStore store = new TokenStore(curator, zkRoot, clock).start()) {
            return store.create(request, createdBy, TokenMinting.TOKEN_MINTING_ZOOKEEPER);
          }
        }
      }
      if (deadline - System.nanoTime() <= 0) {
        throw new ConnectException(
            "no ZooKeeper answered at " + zkConnect + " within " + connectWait.toSeconds() + " s");
      }
    }
  }
}
