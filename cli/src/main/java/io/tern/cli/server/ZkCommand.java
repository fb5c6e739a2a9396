package io.tern.cli.server;

import io.tern.scheduler.server.zk.EmbeddedZooKeeper;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tern zk}: a single-node ZooKeeper server for local use. */
@Command(
    name = "zk",
    description = {
      "Run an embedded single-node ZooKeeper server for local use (Ctrl-C stops it).",
      "For production run a three- or five-server ensemble (see deploy/)."
    })
public final class ZkCommand implements Callable<Integer> {
  /** How long a server may take to load its database before {@code tern zk} gives up. */
  private static final Duration STARTUP = Duration.ofMinutes(2);

  @Option(
      names = "--port",
      defaultValue = "2181",
      description = "Client port (default ${DEFAULT-VALUE}).")
  int port;

  @Option(
      names = "--data",
      required = true,
      paramLabel = "DIR",
      description = "Data directory; state survives restarts.")
  Path data;

  @Option(
      names = "--host",
      defaultValue = "127.0.0.1",
      description = "Address to listen on (default ${DEFAULT-VALUE}).")
  String host;

  @Option(
      names = "--tick-ms",
      defaultValue = "500",
      description =
          "ZooKeeper tick; sessions may be as short as two ticks (default ${DEFAULT-VALUE}).")
  int tickMillis;

  @Override
  public Integer call() throws Exception {
    EmbeddedZooKeeper zk = new EmbeddedZooKeeper(host, port, data, tickMillis).start(STARTUP);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    zk.close();
                  } catch (Exception e) {
                    // exiting anyway
                  }
                }));
    System.out.println("ZooKeeper listening on " + host + ":" + port + ", data in " + data);
    System.out.flush();
    zk.awaitStop();
    return 0;
  }
}
