package io.tern.scheduler.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.tern.scheduler.server.testing.ReplicaCluster;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.time.Clock;
import java.time.Duration;
import java.util.Collections;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@code tern scheduler --bind 127.0.0.1}: gRPC and metrics listen on that address only. */
class BindAddressTest {
  @Test
  void aReplicaBoundToLoopbackIsNotReachableOnThisHostsOtherAddress() throws Exception {
    Optional<InetAddress> other = nonLoopbackAddress();
    assumeTrue(other.isPresent(), "this host has no address besides loopback");
    try (ReplicaCluster cluster = new ReplicaCluster()) {
      SchedulerConfig bound =
          cluster
              .config(Duration.ofSeconds(30))
              .withMetricsPort(0)
              .withHosts("127.0.0.1", "127.0.0.1");
      SchedulerServer replica =
          cluster.track(new SchedulerServer(bound, Clock.systemUTC()).start());

      for (int port : new int[] {replica.port(), replica.metricsPort()}) {
        try (Socket loopback = new Socket()) {
          loopback.connect(new InetSocketAddress("127.0.0.1", port), 2000);
          assertThat(loopback.isConnected()).isTrue();
        }
        assertThatThrownBy(
                () -> {
                  try (Socket outside = new Socket()) {
                    outside.connect(new InetSocketAddress(other.get(), port), 2000);
                  }
                })
            .as("port %d on %s", port, other.get())
            .isInstanceOf(ConnectException.class);
      }
    }
  }

  private static Optional<InetAddress> nonLoopbackAddress() throws Exception {
    for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      if (!nic.isUp() || nic.isLoopback()) {
        continue;
      }
      for (InetAddress address : Collections.list(nic.getInetAddresses())) {
        if (address instanceof Inet4Address && !address.isLoopbackAddress()) {
          return Optional.of(address);
        }
      }
    }
    return Optional.empty();
  }
}
