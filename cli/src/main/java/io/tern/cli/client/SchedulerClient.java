package io.tern.cli.client;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.ConnectivityState;
import io.grpc.ForwardingClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.okhttp.OkHttpChannelBuilder;
import io.tern.cli.UserInputException;
import io.tern.scheduler.spec.ApiTrailers;
import io.tern.security.token.TokenCredentials;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A connection to the scheduler replicas that follows the leader: a follower's FAILED_PRECONDITION
 * names the leader (trailer {@code tern-leader}) and the call is retried there; an unreachable
 * replica is skipped; while no replica leads (an election, a ZooKeeper outage) calls are retried
 * until {@code patience} runs out.
 *
 * <p>A replica counts as reached once its channel is READY, that is once its HTTP/2 (and TLS)
 * handshake is answered. Before each try the client waits at most {@link #REACH_PATIENCE} for that;
 * a replica still connecting then (a stopped process whose kernel accepts the connection, a host
 * that drops packets) counts as not reached, like one that refuses the connection, and the next
 * replica is tried. Only that wait is bounded, not the call: a stream ({@code tern logs -f}, {@code
 * tern watch}) runs for as long as it streams.
 */
public final class SchedulerClient implements AutoCloseable {
  private static final Metadata.Key<String> LEADER =
      Metadata.Key.of(ApiTrailers.LEADER, Metadata.ASCII_STRING_MARSHALLER);
  private static final Metadata.Key<String> USER =
      Metadata.Key.of("tern-user", Metadata.ASCII_STRING_MARSHALLER);

  /** How long a call waits without hearing from its replica before it pings it. */
  public static final Duration KEEPALIVE = Duration.ofSeconds(10);

  /** How long an unanswered ping waits before the connection counts as gone. */
  static final Duration KEEPALIVE_TIMEOUT = Duration.ofSeconds(3);

  /**
   * How long to keep trying when no replica answers at all (nothing there to wait for), unless the
   * caller asks for longer; also how long one try waits for a replica's handshake.
   */
  public static final Duration REACH_PATIENCE = Duration.ofSeconds(3);

  /** The least a try waits for a handshake, however near its deadline. */
  private static final Duration MIN_PROBE = Duration.ofMillis(200);

  /** Keeps gRPC's own failure logs (stack traces per failed name lookup or connect) quiet. */
  private static final java.util.logging.Logger GRPC_LOG = quietGrpcLogs();

  private final List<String> addresses;
  private final ClientConfig config;
  private final Duration patience;
  private final Duration reachPatience;
  private final Map<String, ManagedChannel> channels = new LinkedHashMap<>();

  /**
   * The address {@link #connectAhead} connects to and its channel, until the first call takes it.
   */
  private Map.Entry<String, CompletableFuture<ManagedChannel>> ahead;

  private int current;

  /** Plaintext, without a token: a scheduler running without authentication. */
  public SchedulerClient(List<String> addresses, Duration patience) {
    this(new ClientConfig(addresses, null, null), patience);
  }

  public SchedulerClient(ClientConfig config, Duration patience) {
    this(config, patience, REACH_PATIENCE);
  }

  /**
   * @param patience how long to keep trying while replicas answer but none leads
   * @param reachPatience how long to keep trying while no replica answers at all (at most {@code
   *     patience})
   */
  public SchedulerClient(ClientConfig config, Duration patience, Duration reachPatience) {
    this.addresses = new ArrayList<>(config.addresses());
    this.config = config;
    this.patience = patience;
    this.reachPatience = reachPatience;
  }

  private static final Metadata.Key<String> NOT_TAKEN =
      Metadata.Key.of(ApiTrailers.NOT_TAKEN, Metadata.ASCII_STRING_MARSHALLER);

  /**
   * The scheduler's own answer that a call was not taken ({@link ApiTrailers#NOT_TAKEN}): no
   * replica leads, or a standby relayed it to a replica that had stopped leading.
   */
  static boolean notTaken(StatusRuntimeException e) {
    return e.getStatus().getCode() == Status.Code.UNAVAILABLE
        && e.getTrailers() != null
        && e.getTrailers().containsKey(NOT_TAKEN);
  }

  /**
   * Runs {@code rpc} against the leader.
   *
   * @throws UserInputException for INVALID_ARGUMENT (the message names the field)
   * @throws SchedulerUnavailableException when no replica answers at all within {@link
   *     #REACH_PATIENCE} (nothing listens there, the host does not resolve, or what accepts the
   *     connection does not answer its handshake), or when replicas answer but none leads within
   *     {@code patience}
   * @throws StatusRuntimeException for other failures (the scheduler's own answer)
   */
  public <T> T call(Function<Channel, T> rpc) {
    long start = System.nanoTime();
    long deadline = start + patience.toNanos();
    long reachDeadline = start + Math.min(patience.toNanos(), reachPatience.toNanos());
    long backoffMillis = 100;
    StatusRuntimeException last = null;
    boolean answered = false;
    boolean mayHaveArrived = false;
    int unreachable = 0;
    while (true) {
      String address = addresses.get(current);
      boolean connected = false;
      try {
        // A handshake is waited for up to REACH_PATIENCE, but never past the deadline that applies.
        long left = (answered ? deadline : reachDeadline) - System.nanoTime();
        Channel channel =
            readyChannel(
                address,
                Duration.ofNanos(Math.clamp(left, MIN_PROBE.toNanos(), REACH_PATIENCE.toNanos())));
        connected = channels.get(address).getState(false) == ConnectivityState.READY;
        return rpc.apply(channel);
      } catch (StatusRuntimeException e) {
        last = e;
        Status.Code code = e.getStatus().getCode();
        answered |= !notReached(e) && !cutOff(e);
        String leader = e.getTrailers() == null ? null : e.getTrailers().get(LEADER);
        // Sent on an accepted connection and then cut off, not redirected: it may have been done.
        mayHaveArrived |=
            connected && code == Status.Code.UNAVAILABLE && leader == null && !notTaken(e);
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
        // FAILED_PRECONDITION is a redirect only with a leader trailer; without one it is the
        // scheduler's answer (a job that cannot be held in its state, a node a reclaim drains).
        if (code != Status.Code.UNAVAILABLE
            && !(code == Status.Code.FAILED_PRECONDITION && leader != null)) {
          throw e;
        }
        current = (current + 1) % addresses.size();
        if (++unreachable % addresses.size() != 0) {
          continue; // try the other replicas before waiting
        }
      }
      long now = System.nanoTime();
      if (!answered && now > reachDeadline) {
        throw new SchedulerUnavailableException(
            "no scheduler answered at "
                + String.join(", ", addresses)
                + " ("
                + why(last)
                + "). Is 'tern scheduler' running there? Give another address with --scheduler,"
                + " TERN_SCHEDULER or scheduler: in ~/.tern/config.yaml"
                + tlsHint(last)
                + ".",
            mayHaveArrived);
      }
      if (now > deadline) {
        throw new SchedulerUnavailableException(
            (leaderCouldNot(last)
                    ? "the scheduler at "
                        + String.join(", ", addresses)
                        + " could not do it within "
                    : "no scheduler replica at " + String.join(", ", addresses) + " led within ")
                + patience.toSeconds()
                + " s (last answer: "
                + why(last)
                + "); try again, or wait longer with --wait SECONDS"
                + tlsHint(last),
            mayHaveArrived);
      }
      // Never past the deadline that applies: the last try comes at it, not up to a second after.
      long until = answered ? deadline : reachDeadline;
      sleep(Math.max(1, Math.min(backoffMillis, (until - now) / 1_000_000 + 1)));
      backoffMillis = Math.min(1000, backoffMillis * 2);
    }
  }

  /**
   * Whether {@code last} is a leader's own UNAVAILABLE (its checkpoint store unreachable, say): an
   * answer over HTTP/2 that names no other leader and does not say the call was not taken for want
   * of one.
   */
  private static boolean leaderCouldNot(StatusRuntimeException last) {
    return last != null
        && last.getStatus().getCode() == Status.Code.UNAVAILABLE
        && !notReached(last)
        && !cutOff(last)
        && !notTaken(last)
        && (last.getTrailers() == null || last.getTrailers().get(LEADER) == null)
        && last.getStatus().getDescription() != null
        && last.getStatus().getDescription().startsWith("the checkpoint store");
  }

  /** For a plaintext client whose connection was cut off: the port may speak TLS. */
  private String tlsHint(StatusRuntimeException last) {
    return config.tls() == null && cutOff(last)
        ? ". If that port speaks TLS, give its CA with --tls-ca"
        : "";
  }

  /**
   * Whether the connection ended before any HTTP/2 answer came: what a plaintext client hears from
   * a TLS port, or from a port that speaks another protocol.
   */
  private static boolean cutOff(StatusRuntimeException e) {
    String description = e == null ? null : e.getStatus().getDescription();
    return e != null
        && e.getStatus().getCode() == Status.Code.UNAVAILABLE
        && description != null
        && (description.startsWith("End of stream") || description.contains("closed"));
  }

  /** Whether a failure happened before any replica answered: no connection, no such host. */
  private static boolean notReached(StatusRuntimeException e) {
    return e.getStatus().getCode() == Status.Code.UNAVAILABLE && e.getStatus().getCause() != null;
  }

  /** A failure in a few words: the transport's cause when there is one, else the status. */
  private String why(StatusRuntimeException e) {
    Throwable cause = e.getStatus().getCause();
    while (cause != null && cause.getCause() != null && cause.getCause() != cause) {
      if (cause instanceof java.net.UnknownHostException) {
        break;
      }
      cause = cause.getCause();
    }
    if (cause instanceof java.net.UnknownHostException unknown) {
      return "unknown host " + unknown.getMessage();
    }
    for (Throwable c = e.getStatus().getCause(); c != null; c = c.getCause()) {
      if (c instanceof javax.net.ssl.SSLException tls) {
        return "TLS handshake failed: "
            + tls.getMessage()
            + "; is that port a TLS scheduler's, and is "
            + config.tlsSource()
            + " the CA that signed its certificate?";
      }
    }
    if (cause instanceof SilentReplica silent) {
      return silent.getMessage();
    }
    if (cause instanceof java.net.ConnectException connect) {
      return connect.getMessage() == null
          ? "connection refused"
          : connect.getMessage().replaceFirst("^.*: ", "").toLowerCase(java.util.Locale.ROOT);
    }
    if (cutOff(e)) {
      return "the connection was closed before any answer";
    }
    String description = e.getStatus().getDescription();
    return e.getStatus().getCode() + (description == null ? "" : ": " + description);
  }

  private static java.util.logging.Logger quietGrpcLogs() {
    // The client reports what failed itself, in one line; gRPC's channel logs would add warnings
    // with stack traces. Held in a field: java.util.logging keeps loggers weakly.
    java.util.logging.Logger logger = java.util.logging.Logger.getLogger("io.grpc");
    logger.setLevel(java.util.logging.Level.SEVERE);
    return logger;
  }

  /**
   * Starts connecting to the replica the first call will try, without waiting: a verb with work to
   * do before its first call (a submit builds its spec and packs its code) overlaps the
   * connection's set-up (the channel is built on a thread of its own, then gRPC connects it on its
   * threads) with that work. The first call finds the channel ready, or waits for it as it would
   * have; a failure to build it is that call's.
   */
  public void connectAhead() {
    String address = addresses.get(current);
    if (ahead != null || channels.containsKey(address)) {
      return;
    }
    CompletableFuture<ManagedChannel> channel = new CompletableFuture<>();
    Thread opener =
        new Thread(
            () -> {
              try {
                ManagedChannel opened = open(address);
                opened.getState(true);
                channel.complete(opened);
              } catch (RuntimeException e) {
                channel.completeExceptionally(e);
              }
            },
            "tern-connect-ahead");
    opener.setDaemon(true);
    opener.start();
    ahead = Map.entry(address, channel);
  }

  /** The channel {@link #connectAhead} opens, or opened, once it is known (the call waits). */
  private ManagedChannel channel(String address) {
    if (ahead == null || !ahead.getKey().equals(address)) {
      return open(address);
    }
    try {
      return ahead.getValue().join();
    } catch (CompletionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : e;
    } finally {
      ahead = null;
    }
  }

  /** The address the last successful or current call went to. */
  public String currentAddress() {
    return addresses.get(current);
  }

  /**
   * The channel to {@code address} once it is READY or has failed (the call then fails at once,
   * naming the transport's failure).
   *
   * @throws StatusRuntimeException UNAVAILABLE caused by {@link SilentReplica} when the channel is
   *     still connecting after {@code patience} (at most {@link #REACH_PATIENCE})
   */
  private Channel readyChannel(String address, Duration patience) {
    ManagedChannel channel = channels.computeIfAbsent(address, this::channel);
    if (channel.getState(false) == ConnectivityState.TRANSIENT_FAILURE) {
      // Tried and refused before: try again now, not after gRPC's own backoff (up to minutes).
      channel.resetConnectBackoff();
    }
    if (!connects(channel, patience)) {
      throw Status.UNAVAILABLE
          .withDescription("no answer from " + address)
          .withCause(new SilentReplica())
          .asRuntimeException();
    }
    return ClientInterceptors.intercept(channel, new UserHeader());
  }

  /**
   * Waits up to {@code patience} for the channel to leave IDLE and CONNECTING.
   *
   * @return false when it is still connecting then
   */
  static boolean connects(ManagedChannel channel, Duration patience) {
    long until = System.nanoTime() + patience.toNanos();
    ConnectivityState state = channel.getState(true);
    while (state == ConnectivityState.IDLE || state == ConnectivityState.CONNECTING) {
      CountDownLatch changed = new CountDownLatch(1);
      channel.notifyWhenStateChanged(state, changed::countDown);
      long left = until - System.nanoTime();
      try {
        if (left <= 0 || !changed.await(left, TimeUnit.NANOSECONDS)) {
          return false;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw Status.CANCELLED.withDescription("interrupted").asRuntimeException();
      }
      state = channel.getState(true);
    }
    return true;
  }

  /** A replica that accepted the connection but did not answer its handshake in time. */
  private static final class SilentReplica extends java.net.SocketTimeoutException {
    private static final long serialVersionUID = 1L;

    SilentReplica() {
      super(
          "the connection was accepted but nothing answered within "
              + REACH_PATIENCE.toSeconds()
              + " s");
    }
  }

  /**
   * A channel over gRPC's OkHttp transport: a client call sets up in a fraction of what Netty's
   * takes (its event loops, buffer pools and pipeline), and closing the channel closes the socket
   * its reader thread waits on, so the JVM's exit has no thread in native code to wait for.
   */
  private ManagedChannel open(String address) {
    OkHttpChannelBuilder builder;
    if (config.tls() == null) {
      builder = OkHttpChannelBuilder.forTarget(address).usePlaintext();
    } else {
      try {
        builder = OkHttpChannelBuilder.forTarget(address, config.tls().credentials());
      } catch (IOException e) {
        throw new UserInputException(config.tlsSource() + ": " + e.getMessage());
      }
    }
    // A replica that stops answering in the middle of a call (SIGSTOP, a frozen VM) holds it for
    // ever: no transport error comes. A call that has heard nothing for KEEPALIVE pings; with no
    // answer within KEEPALIVE_TIMEOUT the connection is dropped and the call goes to the next
    // replica (a submit keeps its idempotency key). gRPC allows no shorter ping interval.
    return builder
        .keepAliveTime(KEEPALIVE.toSeconds(), TimeUnit.SECONDS)
        .keepAliveTimeout(KEEPALIVE_TIMEOUT.toSeconds(), TimeUnit.SECONDS)
        .build();
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
    if (ahead != null) {
      // Connected ahead and never called (a spec refused first): shut down with the others.
      ManagedChannel opened = ahead.getValue().exceptionally(failed -> null).join();
      if (opened != null) {
        channels.putIfAbsent(ahead.getKey(), opened);
      }
      ahead = null;
    }
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
   * The OS user name as a scheduler without authentication takes it: what it does not allow in a
   * user name (letters, digits, '.', '_', '@', '-'; at most 64) becomes '_'.
   */
  static final String LOCAL_USER = localUser(System.getProperty("user.name", ""));

  static String localUser(String osName) {
    String name = osName.replaceAll("[^A-Za-z0-9._@-]", "_");
    if (!name.isEmpty() && !Character.isLetterOrDigit(name.charAt(0))) {
      name = "u" + name;
    }
    name = name.length() > 64 ? name.substring(0, 64) : name;
    return name.isEmpty() ? "unknown" : name;
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
          headers.put(USER, LOCAL_USER);
          super.start(listener, headers);
        }
      };
    }
  }
}
