package io.tern.scheduler.server.api;

import io.grpc.CallOptions;
import io.grpc.ChannelCredentials;
import io.grpc.ClientCall;
import io.grpc.Context;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.Status;
import io.tern.scheduler.server.leader.LeaderElector;
import io.tern.security.pki.IdentityKind;
import io.tern.security.tls.PeerIdentity;
import io.tern.security.token.TokenCredentials;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Lets any replica serve any gRPC client: a standby relays client calls to the leader it knows
 * (unary and streaming alike) with the caller's metadata (its bearer token included) and deadline,
 * and relays the answers, headers, status and trailers back. The leader authenticates, authorizes
 * and audits the call as if the client had called it directly. Clients need not follow the {@code
 * tern-leader} redirect, though a standby that knows no leader still answers with it (or
 * UNAVAILABLE), and so does a call that was relayed once already.
 *
 * <p>The channel to the leader uses the cluster's trust settings: with TLS, it trusts the cluster's
 * CA and checks the leader's certificate against its advertised address. Thread-safe.
 */
public final class LeaderForwarding implements AutoCloseable {
  /**
   * Marks a call a replica must answer itself, never relay: set on every relayed call (so two
   * replicas that each think the other leads never bounce a call between them), and by tools that
   * ask one replica about itself.
   */
  public static final Metadata.Key<String> FORWARDED =
      Metadata.Key.of("tern-forwarded", Metadata.ASCII_STRING_MARSHALLER);

  /** Headers the relay's own transport sets; everything else the caller sent is passed on. */
  private static final Set<String> TRANSPORT_HEADERS =
      Set.of("content-type", "user-agent", "te", "host", "grpc-timeout", "grpc-encoding");

  private final LeaderElector elector;
  private final String self;
  private final ChannelCredentials credentials;
  private ManagedChannel channel;
  private String channelTarget;
  private boolean closed;

  /**
   * @param self this replica's advertised address, never relayed to
   * @param credentials how to reach the leader: the cluster's TLS trust, or insecure for plaintext
   */
  public LeaderForwarding(LeaderElector elector, String self, ChannelCredentials credentials) {
    this.elector = elector;
    this.self = self;
    this.credentials = credentials;
  }

  /**
   * The leader to relay {@code call} with {@code headers} to; empty to serve it here. A caller that
   * proves itself only by an agent's certificate is answered here: the relay cannot pass the
   * certificate on, so the leader would see no credentials at all (UNAUTHENTICATED), while this
   * replica's own checks refuse an agent the client rpcs as the leader does (PERMISSION_DENIED).
   */
  Optional<String> leaderFor(ServerCall<?, ?> call, Metadata headers) {
    if (headers.containsKey(FORWARDED) || elector.isLeader() || agentOnly(call, headers)) {
      return Optional.empty();
    }
    return elector.leaderAddress().filter(leader -> !leader.equals(self));
  }

  private static boolean agentOnly(ServerCall<?, ?> call, Metadata headers) {
    return !headers.containsKey(TokenCredentials.AUTHORIZATION)
        && PeerIdentity.of(call.getAttributes())
            .filter(peer -> peer.kind() == IdentityKind.AGENT)
            .isPresent();
  }

  /** Relays {@code call} to {@code leader}; the returned listener takes the client's side. */
  ServerCall.Listener<byte[]> forward(
      ServerCall<byte[], byte[]> call, Metadata headers, String leader) {
    ManagedChannel target;
    try {
      target = channel(leader);
    } catch (IllegalStateException e) {
      call.close(Status.UNAVAILABLE.withDescription(e.getMessage()), new Metadata());
      return new ServerCall.Listener<>() {};
    }
    CallOptions options = CallOptions.DEFAULT;
    if (Context.current().getDeadline() != null) {
      options = options.withDeadline(Context.current().getDeadline());
    }
    MethodDescriptor<byte[], byte[]> method = call.getMethodDescriptor();
    ClientCall<byte[], byte[]> upstream = target.newCall(method, options);
    Relay relay = new Relay(call, upstream, leader);
    upstream.start(relay.fromLeader, relayed(headers));
    call.request(1);
    upstream.request(1);
    return relay.fromClient;
  }

  /** The caller's metadata for the leader, marked as relayed. */
  private Metadata relayed(Metadata headers) {
    Metadata out = new Metadata();
    for (String key : headers.keys()) {
      String name = key.toLowerCase(Locale.ROOT);
      if (name.startsWith(":") || TRANSPORT_HEADERS.contains(name)) {
        continue;
      }
      if (name.endsWith(Metadata.BINARY_HEADER_SUFFIX)) {
        Metadata.Key<byte[]> binary = Metadata.Key.of(name, Metadata.BINARY_BYTE_MARSHALLER);
        headers.getAll(binary).forEach(v -> out.put(binary, v));
      } else {
        Metadata.Key<String> ascii = Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER);
        headers.getAll(ascii).forEach(v -> out.put(ascii, v));
      }
    }
    out.put(FORWARDED, self);
    return out;
  }

  private synchronized ManagedChannel channel(String leader) {
    if (closed) {
      throw new IllegalStateException("this replica is shutting down");
    }
    if (!leader.equals(channelTarget)) {
      if (channel != null) {
        channel.shutdown(); // calls already relayed to the old leader finish on their own
      }
      channel = Grpc.newChannelBuilder(leader, credentials).build();
      channelTarget = leader;
    }
    return channel;
  }

  @Override
  public synchronized void close() {
    closed = true;
    if (channel != null) {
      channel.shutdown();
      try {
        if (!channel.awaitTermination(1, TimeUnit.SECONDS)) {
          channel.shutdownNow();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        channel.shutdownNow();
      }
      channel = null;
    }
  }

  /**
   * One relayed call: messages flow one at a time in each direction, each side asking for the next
   * message only while the other side can take it.
   */
  private static final class Relay {
    private final ServerCall<byte[], byte[]> client;
    private final ClientCall<byte[], byte[]> leader;
    private final String leaderAddress;
    private boolean clientWaits;
    private boolean leaderWaits;
    // Why the relay ended the call itself (a message it could not read), for the client.
    private volatile Status closeWith;

    Relay(
        ServerCall<byte[], byte[]> client,
        ClientCall<byte[], byte[]> leader,
        String leaderAddress) {
      this.client = client;
      this.leader = leader;
      this.leaderAddress = leaderAddress;
    }

    final ServerCall.Listener<byte[]> fromClient =
        new ServerCall.Listener<>() {
          @Override
          public void onMessage(byte[] message) {
            Status unreadable = RawServices.unreadable(message);
            if (unreadable != null) {
              closeWith = unreadable;
              leader.cancel("the client's request could not be read", null);
              return;
            }
            leader.sendMessage(message);
            synchronized (Relay.this) {
              if (leader.isReady()) {
                client.request(1);
              } else {
                clientWaits = true;
              }
            }
          }

          @Override
          public void onHalfClose() {
            if (closeWith == null) {
              leader.halfClose();
            }
          }

          @Override
          public void onCancel() {
            leader.cancel("the client cancelled the call", null);
          }

          @Override
          public void onReady() {
            synchronized (Relay.this) {
              if (leaderWaits) {
                leaderWaits = false;
                leader.request(1);
              }
            }
          }
        };

    final ClientCall.Listener<byte[]> fromLeader =
        new ClientCall.Listener<>() {
          @Override
          public void onHeaders(Metadata headers) {
            client.sendHeaders(headers);
          }

          @Override
          public void onMessage(byte[] message) {
            Status unreadable = RawServices.unreadable(message);
            if (unreadable != null) {
              closeWith =
                  Status.UNAVAILABLE.withDescription(
                      "the leader's answer could not be relayed: " + unreadable.getDescription());
              leader.cancel("the leader's answer could not be read", null);
              return;
            }
            client.sendMessage(message);
            synchronized (Relay.this) {
              if (client.isReady()) {
                leader.request(1);
              } else {
                leaderWaits = true;
              }
            }
          }

          @Override
          public void onClose(Status status, Metadata trailers) {
            if (closeWith != null) {
              client.close(closeWith, new Metadata()); // the relay cancelled the leader's call
              return;
            }
            if (status.getCode() == Status.Code.FAILED_PRECONDITION
                && trailers.containsKey(GrpcErrors.LEADER)) {
              // The replica relayed to stopped leading meanwhile: to the client, whose replica
              // relays, that is a passing outage to retry, not a redirect to follow.
              status =
                  Status.UNAVAILABLE.withDescription(
                      "the leader changed while the call was relayed ("
                          + status.getDescription()
                          + "); retry");
              trailers.removeAll(GrpcErrors.LEADER);
              trailers.put(GrpcErrors.NOT_TAKEN, "leader-changed");
            }
            if (status.getCode() == Status.Code.UNAVAILABLE && status.getCause() != null) {
              // The connection to the leader failed (the leader's own answers carry no cause):
              // say so, rather than relay gRPC's bare "io exception".
              status =
                  Status.UNAVAILABLE.withDescription(
                      "this replica relays to the leader at "
                          + leaderAddress
                          + ", which did not answer ("
                          + status.getDescription()
                          + "); retry");
            }
            client.close(status, trailers);
          }

          @Override
          public void onReady() {
            synchronized (Relay.this) {
              if (clientWaits) {
                clientWaits = false;
                client.request(1);
              }
            }
          }
        };
  }
}
