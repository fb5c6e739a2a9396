package io.tern.agent.link;

import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.tern.api.v1.AgentMessage;
import io.tern.api.v1.AgentServiceGrpc;
import io.tern.api.v1.Register;
import io.tern.api.v1.Registered;
import io.tern.api.v1.SchedulerMessage;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's session with the leader: one {@code AgentService.Connect} stream at a time, opened
 * with a Register, reopened whenever it ends.
 *
 * <ul>
 *   <li>A stream that ends with FAILED_PRECONDITION and a {@code tern-leader} trailer (a follower
 *       answered) is reopened to the leader it names; one that a replica ended with an empty
 *       trailer (it knows no leader: an election) is reopened to the same replica; any other end
 *       (no replica reached, a stream cut) moves on to the next {@code --scheduler} address, round
 *       robin. A follower that names the address the agent just failed to reach (its view of a
 *       leader that has just died, until that leader's ZooKeeper session expires) is asked again
 *       once before the named leader is tried again, so an election is not spent dialling a dead
 *       leader. Every reopen waits a {@link Backoff} delay, which resets once a leader answers
 *       Registered; a redirect to a named leader waits only the first delay (three in a row at
 *       most), however long the backoff grew during the election.
 *   <li>Epoch fencing ({@link EpochFence}): a message whose epoch is older than the newest seen is
 *       refused and logged; a stale Registered also drops the stream (a deposed leader).
 *   <li>Commands before Registered are ignored: the protocol answers Register first.
 *   <li>Acks (of heartbeats and statuses) are not fenced by epoch: they belong to the stream, and a
 *       stream belongs to the leader whose Registered passed the fence.
 * </ul>
 *
 * <p>Confined to the agent's loop thread: every method and every stream callback run there. The
 * channels it opens are cached per address and closed by {@link #close}/{@link #awaitClosed}.
 */
public final class SchedulerLink {
  private static final Logger log = LoggerFactory.getLogger(SchedulerLink.class);

  /** The trailer in which a follower names the leader ({@code HOST:PORT}). */
  public static final Metadata.Key<String> LEADER =
      Metadata.Key.of("tern-leader", Metadata.ASCII_STRING_MARSHALLER);

  /** What the link tells the agent. Called on the loop thread. */
  public interface Listener {
    /** The Register to open a stream with; asked again for every stream. */
    Register registration();

    /** A leader accepted the registration. */
    void registered(String address, Registered registered);

    /** A command (StartJob, StopJob, CheckpointJob) that passed the fence. */
    void command(SchedulerMessage command);

    /** The stream ended; a reconnect is scheduled. */
    void disconnected(String address, Status status);

    /** The leader acknowledged the message numbered {@code seq} on the current stream. */
    void acknowledged(long seq);
  }

  private final List<String> addresses;
  private final ChannelFactory channelFactory;
  private final ScheduledExecutorService loop;
  private final Backoff backoff;
  private final Listener listener;
  private final EpochFence fence = new EpochFence();
  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();

  private long generation;
  private int roundRobin;

  /**
   * The last address no stream could reach, until a follower's redirect there has been passed over
   * once or a leader registers this agent.
   */
  private String unreachable;

  /** How many times in a row the current replica answered that it knows no leader. */
  private int leaderlessAnswers;

  /** Answers "no leader" from one replica before the next address is tried. */
  private static final int LEADERLESS_TRIES = 3;

  /** Redirects followed at once, without waiting the grown backoff, until one registers. */
  private static final int QUICK_REDIRECTS = 3;

  private int redirectsFollowed;

  private ClientCallStreamObserver<AgentMessage> requests;

  /** When the current stream opened or last brought a message ({@link System#nanoTime}). */
  private long heardNanos;

  private String address;
  private boolean registered;
  private boolean closed;
  private ScheduledFuture<?> reconnect;

  public SchedulerLink(
      List<String> addresses,
      ChannelFactory channelFactory,
      ScheduledExecutorService loop,
      Backoff backoff,
      Listener listener) {
    if (addresses.isEmpty()) {
      throw new IllegalArgumentException("no scheduler address");
    }
    this.addresses = List.copyOf(addresses);
    this.channelFactory = channelFactory;
    this.loop = loop;
    this.backoff = backoff;
    this.listener = listener;
  }

  /** Opens the first stream, to the first address. */
  public void start() {
    connect(addresses.get(0));
  }

  /** True while a leader has accepted this agent on the current stream. */
  public boolean registered() {
    return registered;
  }

  /** The address of the current (or last) stream. */
  public String address() {
    return address;
  }

  /** The newest epoch seen. */
  public long epoch() {
    return fence.newest();
  }

  /** Sends {@code message} if a leader accepted this agent; false (not sent) otherwise. */
  public boolean send(AgentMessage message) {
    if (!registered || requests == null) {
      return false;
    }
    try {
      requests.onNext(message);
      return true;
    } catch (RuntimeException e) {
      log.debug("send failed: {}", e.toString());
      return false;
    }
  }

  /** Like {@link #send}, but drops the message when the stream is not ready (flow control). */
  public boolean sendIfReady(AgentMessage message) {
    return requests != null && requests.isReady() && send(message);
  }

  /**
   * Drops the current stream (the agent fenced itself: only a new registration may renew its lease)
   * and reconnects after the usual backoff.
   */
  public void reconnect(String why) {
    if (requests != null) {
      log.warn("dropping the stream to {}: {}", address, why);
      requests.cancel(why, null);
    }
  }

  /**
   * Drops the current stream if nothing has come on it for {@code quiet}, and moves on to the next
   * address, passing over this one once when a follower redirects back to it. A paused or hung
   * leader (SIGSTOP, a stalled VM) keeps its port: the stream does not break, it only goes quiet,
   * while a standby takes over once the paused leader's ZooKeeper session expires.
   *
   * @return whether it dropped the stream
   */
  public boolean dropIfQuiet(Duration quiet, String why) {
    if (requests == null || System.nanoTime() - heardNanos < quiet.toNanos()) {
      return false;
    }
    log.warn("leaving scheduler {}: {}", address, why);
    unreachable = address;
    requests.cancel(why, null);
    return true;
  }

  /** Ends the stream (half-close) and starts closing the channels; reconnects no more. */
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    generation++;
    if (reconnect != null) {
      reconnect.cancel(false);
    }
    if (requests != null) {
      try {
        requests.onCompleted();
      } catch (RuntimeException e) {
        log.debug("half-close failed: {}", e.toString());
      }
    }
    registered = false;
    requests = null;
    channels.values().forEach(ManagedChannel::shutdown);
  }

  /** Waits up to {@code timeout} for the channels to close, then forces them; any thread. */
  public void awaitClosed(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    for (ManagedChannel channel : channels.values()) {
      long left = deadline - System.nanoTime();
      if (!channel.shutdown().awaitTermination(Math.max(0, left), TimeUnit.NANOSECONDS)) {
        channel.shutdownNow();
      }
    }
  }

  /**
   * The current stream's number: it changes when a stream ends or another opens, so a command taken
   * from one stream can be told from the commands of the next.
   */
  public long stream() {
    return generation;
  }

  private void connect(String target) {
    if (closed) {
      return;
    }
    long stream = ++generation;
    address = target;
    registered = false;
    heardNanos = System.nanoTime();
    log.info("connecting to scheduler {}", target);
    ManagedChannel channel = channels.computeIfAbsent(target, channelFactory::open);
    // gRPC backs off reconnecting to an address that refused it (up to two minutes) and fails
    // every call at once meanwhile; this link paces its own tries, so each one dials for real: a
    // replica that was down when first tried is reached as soon as it is up (and leads).
    channel.resetConnectBackoff();
    AgentServiceGrpc.newStub(channel).connect(new Responses(stream, target));
    requests.onNext(AgentMessage.newBuilder().setRegister(listener.registration()).build());
  }

  private void received(long stream, String from, SchedulerMessage message) {
    if (stream != generation) {
      return;
    }
    heardNanos = System.nanoTime();
    if (message.hasAck()) {
      // Acks belong to the stream (to the leader that registered it), whatever epoch they carry.
      if (registered) {
        listener.acknowledged(message.getAck().getSeq());
      }
      return;
    }
    long epoch = message.getEpoch();
    if (epoch == 0 && message.hasRegistered()) {
      epoch = message.getRegistered().getEpoch();
    }
    if (!fence.admit(epoch)) {
      log.warn(
          "refused {} from {}: epoch {} is older than {}",
          message.getKindCase(),
          from,
          epoch,
          fence.newest());
      if (message.hasRegistered()) {
        requests.cancel("stale leader epoch " + epoch, null);
      }
      return;
    }
    switch (message.getKindCase()) {
      case REGISTERED -> {
        registered = true;
        unreachable = null;
        leaderlessAnswers = 0;
        redirectsFollowed = 0;
        backoff.reset();
        log.info("registered with {} (epoch {})", from, epoch);
        listener.registered(from, message.getRegistered());
      }
      case KIND_NOT_SET -> log.warn("empty message from {}; ignored", from);
      default -> {
        if (registered) {
          listener.command(message);
        } else {
          log.warn("{} from {} before Registered; ignored", message.getKindCase(), from);
        }
      }
    }
  }

  private void ended(long stream, String from, Status status, Metadata trailers) {
    if (stream != generation) {
      return;
    }
    generation++;
    registered = false;
    requests = null;
    listener.disconnected(from, status);
    String named = trailers == null ? null : trailers.get(LEADER);
    // A replica that does not lead sends the trailer, empty when it knows no leader.
    boolean replicaAnswered = named != null;
    String leader = named == null || named.isBlank() ? null : named.trim();
    String next;
    boolean redirected = false;
    if (status.getCode() == Status.Code.FAILED_PRECONDITION
        && leader != null
        && !leader.equals(unreachable)) {
      next = leader;
      redirected = ++redirectsFollowed <= QUICK_REDIRECTS;
    } else if (replicaAnswered && (leader != null || ++leaderlessAnswers < LEADERLESS_TRIES)) {
      // A replica that does not lead names no leader ("not elected yet"), or one this agent just
      // failed to reach: ask it again (an election is under way), and follow a redirect next time.
      // A replica that stays leaderless (cut off from ZooKeeper) is left after a few answers.
      if (leader != null) {
        unreachable = null;
      }
      next = from;
    } else {
      leaderlessAnswers = 0;
      if (status.getCode() == Status.Code.UNAVAILABLE && !replicaAnswered) {
        // Nothing answered there. A replica that answered (leaderless, cut off from ZooKeeper) is
        // reachable, and may well lead once the election is over: a redirect there is followed.
        unreachable = from;
      }
      // The address after the one that failed (a redirect may have led away from the rotation).
      int at = addresses.indexOf(from);
      if (at >= 0) {
        roundRobin = at;
      }
      next = addresses.get(++roundRobin % addresses.size());
    }
    // A redirect to the leader is progress, not a failure: followed at once (a short, jittered
    // wait), whatever the backoff has grown to while the election ran, for the agent's lease is
    // running out meanwhile. A few in a row at most, so two replicas naming each other do not spin.
    Duration delay = redirected ? backoff.firstDelay() : backoff.nextDelay();
    log.warn(
        "scheduler {}: {}{}; reconnecting to {} in {} ms",
        from,
        status.getCode(),
        status.getDescription() == null ? "" : " (" + status.getDescription() + ")",
        next,
        delay.toMillis());
    try {
      reconnect = loop.schedule(() -> connect(next), delay.toNanos(), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      log.debug("loop stopped; no reconnect");
    }
  }

  private void onLoop(Runnable task) {
    try {
      loop.execute(task);
    } catch (RejectedExecutionException e) {
      log.debug("loop stopped; stream event dropped");
    }
  }

  /** Callbacks of one stream; they hop onto the loop and are dropped once the stream is old. */
  private final class Responses implements ClientResponseObserver<AgentMessage, SchedulerMessage> {
    private final long stream;
    private final String from;

    Responses(long stream, String from) {
      this.stream = stream;
      this.from = from;
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<AgentMessage> requestStream) {
      requests = requestStream; // runs on the loop thread, inside connect()
    }

    @Override
    public void onNext(SchedulerMessage message) {
      onLoop(() -> received(stream, from, message));
    }

    @Override
    public void onError(Throwable t) {
      Status status = Status.fromThrowable(t);
      Metadata trailers = Status.trailersFromThrowable(t);
      onLoop(() -> ended(stream, from, status, trailers));
    }

    @Override
    public void onCompleted() {
      onLoop(
          () ->
              ended(
                  stream,
                  from,
                  Status.UNAVAILABLE.withDescription("the scheduler ended the stream"),
                  null));
    }
  }
}
