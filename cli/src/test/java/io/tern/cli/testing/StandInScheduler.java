package io.tern.cli.testing;

import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * A gRPC server on a free loopback port that serves the services a test writes in place of a
 * scheduler's, for what a real one cannot easily be made to answer (pages of a given shape, a node
 * that rests).
 */
public final class StandInScheduler implements AutoCloseable {
  private final Server server;

  public StandInScheduler(BindableService... services) throws IOException {
    NettyServerBuilder builder =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0));
    for (BindableService service : services) {
      builder.addService(service);
    }
    this.server = builder.build().start();
  }

  /** {@code 127.0.0.1:PORT}, for {@code --scheduler}. */
  public String address() {
    return "127.0.0.1:" + server.getPort();
  }

  @Override
  public void close() {
    server.shutdownNow();
  }
}
