package io.tern.cli.client;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.ForwardingClientCall;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.tern.cli.UserInputException;
import io.tern.scheduler.spec.ApiTrailers;
import io.tern.security.token.TokenCredentials;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A connection to the scheduler replicas that follows the leader: a follower's FAILED_PRECONDITION
 * names the leader (trailer {@code tern-leader}) and the call is retried there; an unreachable
 * replica is skipped; while no replica leads (an election, a ZooKeeper outage) calls are retried
 * until {@code patience} runs out.
 */
public final class SchedulerClient implements AutoCloseable {
  private static final Metadata.Key<String> LEADER =
      Metadata.Key.of(ApiTrailers.LEADER, Metadata.ASCII_STRING_MARSHALLER);
  private static final Metadata.Key<String> USER =
      Metadata.Key.of("tern-user", Metadata.ASCII_STRING_MARSHALLER);

  private final List<String> addresses;
  private final ClientConfig config;
  private final Duration patience;
  private final Map<String, ManagedChannel> channels = new LinkedHashMap<>();
  private int current;

  /** Plaintext, without a token: a scheduler running without authentication. */
  public SchedulerClient(List<String> addresses, Duration patience) {
    this(new ClientConfig(addresses, null, null), patience);
  }

  public SchedulerClient(ClientConfig config, Duration patience) {
    this.addresses = new ArrayList<>(config.addresses());
    this.config = config;
    this.patience = patience;
  }

  /**
   * Runs {@code rpc} against the leader.
   *
   * @throws UserInputException for INVALID_ARGUMENT (the message names the field)
   * @throws StatusRuntimeException for other failures, once retries are spent
   */
  public <T> T call(Function<Channel, T> rpc) {
    long deadline = System.nanoTime() + patience.toNanos();
    long backoffMillis = 100;
    StatusRuntimeException last = null;
    int unreachable = 0;
    while (true) {
      String address = addresses.get(current);
      try {
        return rpc.apply(channel(address));
      } catch (StatusRuntimeException e) {
        last = e;
        Status.Code code = e.getStatus().getCode();
        String leader = e.getTrailers() == null ? null : e.getTrailers().get(LEADER);
        if (code == Status.Code.INVALID_ARGUMENT) {
          throw new UserInputException(e.getStatus().getDescription());
        }
        if (code == Status.Code.FAILED_PRECONDITION && leader != null && !leader.equals(address)) {
          if (!addresses.contains(leader)) {
            addresses.add(leader);
          }
          current = addresses.indexOf(leader);
          continue;
        }
        if (code != Status.Code.UNAVAILABLE && code != Status.Code.FAILED_PRECONDITION) {
          throw e;
        }
        current = (current + 1) % addresses.size();
        if (++unreachable % addresses.size() != 0) {
          continue; // try the other replicas before waiting
        }
      }
      if (System.nanoTime() > deadline) {
        throw last;
      }
      sleep(backoffMillis);
      backoffMillis = Math.min(1000, backoffMillis * 2);
    }
  }

  /** The address the last successful or current call went to. */
  public String currentAddress() {
    return addresses.get(current);
  }

  private Channel channel(String address) {
    ManagedChannel channel = channels.computeIfAbsent(address, this::open);
    return ClientInterceptors.intercept(channel, new UserHeader());
  }

  private ManagedChannel open(String address) {
    if (config.tls() == null) {
      return NettyChannelBuilder.forTarget(address).usePlaintext().build();
    }
    try {
      return Grpc.newChannelBuilder(address, config.tls().credentials()).build();
    } catch (IOException e) {
      throw new UserInputException("--tls-ca: " + e.getMessage());
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw Status.CANCELLED.withDescription("interrupted").asRuntimeException();
    }
  }

  @Override
  public void close() {
    for (ManagedChannel channel : channels.values()) {
      channel.shutdownNow();
      try {
        channel.awaitTermination(1, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * Sends the token, if there is one, and the OS user name (a job's owner on a scheduler without
   * authentication).
   */
  private final class UserHeader implements ClientInterceptor {
    @Override
    public <Q, R> ClientCall<Q, R> interceptCall(
        MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
      CallOptions withToken =
          config.token() == null
              ? options
              : options.withCallCredentials(new TokenCredentials(config.token()));
      return new ForwardingClientCall.SimpleForwardingClientCall<>(
          next.newCall(method, withToken)) {
        @Override
        public void start(Listener<R> listener, Metadata headers) {
          headers.put(USER, System.getProperty("user.name", "unknown"));
          super.start(listener, headers);
        }
      };
    }
  }
}
