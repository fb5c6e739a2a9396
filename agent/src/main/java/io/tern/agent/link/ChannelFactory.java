package io.tern.agent.link;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;

/** Opens a channel to a scheduler address ({@code HOST:PORT}). */
@FunctionalInterface
public interface ChannelFactory {
  ManagedChannel open(String address);

  /** Plaintext HTTP/2 through whichever transport is on the class path (Netty). */
  static ChannelFactory plaintext() {
    return address -> Grpc.newChannelBuilder(address, InsecureChannelCredentials.create()).build();
  }
}
