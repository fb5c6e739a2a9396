package io.tern.agent.link;

import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.tern.security.tls.ClientTls;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Opens a channel to a scheduler address ({@code HOST:PORT}). */
@FunctionalInterface
public interface ChannelFactory {
  ManagedChannel open(String address);

  /** Plaintext HTTP/2 through whichever transport is on the class path (Netty). */
  static ChannelFactory plaintext() {
    return address -> Grpc.newChannelBuilder(address, InsecureChannelCredentials.create()).build();
  }

  /**
   * TLS, trusting {@code tls}'s CA and presenting its certificate (which names this node). The
   * files are read now: a missing one is an error here, not at the first reconnect.
   */
  static ChannelFactory tls(ClientTls tls) throws IOException {
    ChannelCredentials credentials = tls.credentials();
    return address -> {
      try {
        return Grpc.newChannelBuilder(address, credentials).build();
      } catch (RuntimeException e) {
        throw new UncheckedIOException(new IOException("cannot open " + address + ": " + e, e));
      }
    };
  }
}
