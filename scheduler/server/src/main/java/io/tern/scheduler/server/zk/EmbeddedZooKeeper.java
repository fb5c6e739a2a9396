package io.tern.scheduler.server.zk;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.zookeeper.client.FourLetterWordMain;
import org.apache.zookeeper.common.X509Exception;
import org.apache.zookeeper.server.ServerConfig;
import org.apache.zookeeper.server.ZooKeeperServerMain;
import org.apache.zookeeper.server.quorum.QuorumPeerConfig;

/**
 * A single-node ZooKeeper server in this JVM ({@code tern zk}), for local use and the demo. It is a
 * real server: data is written to its data directory and survives a restart. For production run an
 * ensemble of three or five (deploy/).
 */
public final class EmbeddedZooKeeper implements AutoCloseable {
  private final Server server = new Server();
  private final Thread thread;
  private final AtomicReference<Exception> failure = new AtomicReference<>();
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final String host;
  private final int port;

  /**
   * @param tickMillis ZooKeeper's time unit; sessions may be as short as two ticks, which is what
   *     lets a standby scheduler take over within seconds
   */
  public EmbeddedZooKeeper(String host, int port, Path dataDir, int tickMillis) throws Exception {
    Files.createDirectories(dataDir);
    Properties props = new Properties();
    props.setProperty("dataDir", dataDir.toAbsolutePath().toString());
    props.setProperty("clientPortAddress", host);
    props.setProperty("clientPort", Integer.toString(port));
    props.setProperty("tickTime", Integer.toString(tickMillis));
    props.setProperty("maxClientCnxns", "0");
    props.setProperty("admin.enableServer", "false");
    props.setProperty("4lw.commands.whitelist", "ruok,stat,mntr,srvr");
    props.setProperty("autopurge.snapRetainCount", "3");
    props.setProperty("autopurge.purgeInterval", "1");
    QuorumPeerConfig quorum = new QuorumPeerConfig();
    quorum.parseProperties(props);
    ServerConfig config = new ServerConfig();
    config.readFrom(quorum);
    this.host = host;
    this.port = port;
    this.thread =
        Thread.ofPlatform()
            .name("zookeeper")
            .unstarted(
                () -> {
                  try {
                    server.runFromConfig(config);
                  } catch (Exception e) {
                    failure.set(e);
                  } finally {
                    stopped.countDown();
                  }
                });
  }

  /**
   * Starts the server and returns once it serves clients: listening, and its database loaded (a
   * client that connects while it is still loading has its connection dropped). Throws why the
   * server stopped if it did, or a timeout after {@code within}.
   */
  public EmbeddedZooKeeper start(Duration within) throws Exception {
    thread.start();
    // A wildcard address listens on loopback too.
    String probe = host.equals("0.0.0.0") || host.equals("::") ? "127.0.0.1" : host;
    long end = System.nanoTime() + within.toNanos();
    while (!serving(probe)) {
      if (stopped.await(50, TimeUnit.MILLISECONDS)) {
        awaitStop();
        throw new IllegalStateException("ZooKeeper stopped before it served clients");
      }
      if (System.nanoTime() > end) {
        close();
        throw new TimeoutException(
            "ZooKeeper did not serve clients on " + host + ":" + port + " within " + within);
      }
    }
    return this;
  }

  /** Whether the server answers {@code srvr} as one that serves requests. */
  private boolean serving(String probe) {
    try {
      String answer = FourLetterWordMain.send4LetterWord(probe, port, "srvr", false, 1_000);
      return answer.startsWith("Zookeeper version");
    } catch (IOException | X509Exception.SSLContextException e) {
      return false;
    }
  }

  public int port() {
    return port;
  }

  /** Blocks until the server stops; rethrows why it failed, if it did. */
  public void awaitStop() throws Exception {
    stopped.await();
    if (failure.get() != null) {
      throw failure.get();
    }
  }

  @Override
  public void close() throws IOException {
    server.stop();
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Exposes the protected shutdown of the stock server main. */
  private static final class Server extends ZooKeeperServerMain {
    void stop() {
      shutdown();
    }
  }
}
