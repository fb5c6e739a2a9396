package io.tern.agent.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import io.tern.api.v1.AgentMessage;
import io.tern.api.v1.AgentServiceGrpc;
import io.tern.api.v1.Register;
import io.tern.api.v1.Registered;
import io.tern.api.v1.SchedulerMessage;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Which replica an agent dials next while its leader is gone: the leader "s1" has died (no server
 * by its name), and the standby "s2" is still electing. Every stream the link opens is recorded.
 */
class SchedulerLinkFailoverTest {
  private static final String DEAD = "failover-s1";
  private static final String STANDBY = "failover-s2";

  private final List<String> dialled = new CopyOnWriteArrayList<>();
  private final List<Long> dialledAtNanos = new CopyOnWriteArrayList<>();
  private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor();
  private Server standby;
  private SchedulerLink link;

  @AfterEach
  void close() throws InterruptedException {
    if (link != null) {
      loop.submit(link::close);
      link.awaitClosed(Duration.ofSeconds(5));
    }
    loop.shutdownNow();
    if (standby != null) {
      standby.shutdownNow().awaitTermination();
    }
  }

  @Test
  void aReplicaThatIsStillElectingIsAskedAgainRatherThanTheDeadLeader() throws Exception {
    // The standby answers "not elected yet" (UNAVAILABLE, no leader to name) twice, then leads.
    Standby service = new Standby(2, null);
    startLink(service);

    await().atMost(Duration.ofSeconds(10)).until(() -> link.registered());
    assertThat(dialled).containsExactly(DEAD, STANDBY, STANDBY, STANDBY);
  }

  @Test
  void aReplicaThatStaysLeaderlessIsLeftEveryThirdAnswer() throws Exception {
    // Cut off from ZooKeeper, a replica knows no leader for a long time: the other address is
    // tried after every three of its answers.
    Standby service = new Standby(5, null);
    startLink(service);

    await().atMost(Duration.ofSeconds(10)).until(() -> link.registered());
    assertThat(dialled)
        .containsExactly(DEAD, STANDBY, STANDBY, STANDBY, DEAD, STANDBY, STANDBY, STANDBY);
  }

  @Test
  void aRedirectToTheLeaderJustFoundDeadIsPassedOverOnce() throws Exception {
    // The standby still names the dead leader (its ZooKeeper session has not expired yet) on its
    // first four answers, then leads.
    Standby service = new Standby(4, DEAD);
    startLink(service);

    await().atMost(Duration.ofSeconds(10)).until(() -> link.registered());
    // Each time the dead leader is found unreachable, the standby's next redirect there is passed
    // over and the standby asked again; the one after is followed. Before, every redirect was
    // followed: DEAD, STANDBY, DEAD, STANDBY, ... with five of ten tries at the dead leader.
    assertThat(dialled)
        .containsExactly(DEAD, STANDBY, STANDBY, DEAD, STANDBY, STANDBY, DEAD, STANDBY);
  }

  /**
   * ZooKeeper came back after an outage: the former leader, which answered "no leader" while it was
   * cut off, is elected again, and the other replica already names it. The agent follows that
   * redirect to a replica it has just heard from, and at once, not after the backoff that grew
   * while the election ran (a delay that took agents past their fence).
   */
  @Test
  void aRedirectToAReplicaThatAnsweredIsFollowedAtOnce() throws Exception {
    String former = "failover-s3";
    Server s3 =
        InProcessServerBuilder.forName(former).addService(new Standby(3, null)).build().start();
    standby =
        InProcessServerBuilder.forName(STANDBY)
            .addService(new Standby(Integer.MAX_VALUE, former))
            .build()
            .start();
    try {
      // Waits 200, 400, 800 ms after the three "no leader" answers; the next would be 1,600 ms.
      startLink(
          List.of(former, STANDBY),
          new Backoff(Duration.ofMillis(200), Duration.ofSeconds(10), new SplittableRandom(1)));

      await().atMost(Duration.ofSeconds(10)).until(() -> link.registered());
      assertThat(dialled).containsExactly(former, former, former, STANDBY, former);
      long followedAfterMillis = (dialledAtNanos.get(4) - dialledAtNanos.get(3)) / 1_000_000;
      assertThat(followedAfterMillis)
          .as("200 ms, not the 1,600 ms (less 20% jitter) the backoff had grown to")
          .isLessThan(800);
    } finally {
      s3.shutdownNow().awaitTermination();
    }
  }

  @Test
  void eachDialResetsTheChannelsConnectBackoffSoThatAReplicaBackUpIsReachedAtOnce()
      throws Exception {
    // gRPC backs off reconnecting to an address that refused it (up to two minutes), failing
    // every call at once meanwhile: an agent that dialled a replica while it was down would not
    // reach it, once it leads, before its lease ran out.
    Standby service = new Standby(2, null);
    startLink(service);

    await().atMost(Duration.ofSeconds(10)).until(() -> link.registered());
    assertThat(resets.get()).isEqualTo(dialled.size());
  }

  private final AtomicInteger resets = new AtomicInteger();

  /** A channel that counts {@link ManagedChannel#resetConnectBackoff} calls. */
  private final class CountingChannel extends ManagedChannel {
    private final ManagedChannel channel;

    CountingChannel(ManagedChannel channel) {
      this.channel = channel;
    }

    @Override
    public void resetConnectBackoff() {
      resets.incrementAndGet();
      channel.resetConnectBackoff();
    }

    @Override
    public ManagedChannel shutdown() {
      channel.shutdown();
      return this;
    }

    @Override
    public boolean isShutdown() {
      return channel.isShutdown();
    }

    @Override
    public boolean isTerminated() {
      return channel.isTerminated();
    }

    @Override
    public ManagedChannel shutdownNow() {
      channel.shutdownNow();
      return this;
    }

    @Override
    public boolean awaitTermination(long timeout, java.util.concurrent.TimeUnit unit)
        throws InterruptedException {
      return channel.awaitTermination(timeout, unit);
    }

    @Override
    public <Q, R> ClientCall<Q, R> newCall(MethodDescriptor<Q, R> method, CallOptions options) {
      return channel.newCall(method, options);
    }

    @Override
    public String authority() {
      return channel.authority();
    }
  }

  private int deadPort;

  private void startLink(Standby service) throws Exception {
    standby = InProcessServerBuilder.forName(STANDBY).addService(service).build().start();
    startLink(
        List.of(DEAD, STANDBY),
        new Backoff(Duration.ofMillis(5), Duration.ofMillis(20), new SplittableRandom(1)));
  }

  private void startLink(List<String> addresses, Backoff backoff) throws Exception {
    try (ServerSocket socket = new ServerSocket(0)) {
      deadPort = socket.getLocalPort(); // closed again: nothing listens there
    }
    ChannelFactory channels =
        address -> {
          ClientInterceptor recorder =
              new ClientInterceptor() {
                @Override
                public <Q, R> ClientCall<Q, R> interceptCall(
                    MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
                  dialledAtNanos.add(System.nanoTime());
                  dialled.add(address);
                  return next.newCall(method, options);
                }
              };
          // The dead leader is a loopback port nothing listens on: the transport's own failure
          // (connection refused, with its cause), as a killed scheduler leaves it.
          return new CountingChannel(
              address.equals(DEAD)
                  ? Grpc.newChannelBuilderForAddress(
                          "127.0.0.1", deadPort, InsecureChannelCredentials.create())
                      .intercept(recorder)
                      .build()
                  : InProcessChannelBuilder.forName(address).intercept(recorder).build());
        };
    link =
        new SchedulerLink(
            addresses,
            channels,
            loop,
            backoff,
            new SchedulerLink.Listener() {
              @Override
              public Register registration() {
                return Register.newBuilder().setNodeId("n1").build();
              }

              @Override
              public void registered(String address, Registered registered) {}

              @Override
              public void command(SchedulerMessage command) {}

              @Override
              public void disconnected(String address, Status status) {}

              @Override
              public void acknowledged(long seq) {}
            });
    loop.submit(link::start).get();
  }

  /** A standby that ends its first {@code refusals} streams as a follower, then leads. */
  private static final class Standby extends AgentServiceGrpc.AgentServiceImplBase {
    private final int refusals;
    private final String names;
    private final AtomicInteger streams = new AtomicInteger();

    Standby(int refusals, String names) {
      this.refusals = refusals;
      this.names = names;
    }

    @Override
    public StreamObserver<AgentMessage> connect(StreamObserver<SchedulerMessage> responses) {
      int stream = streams.incrementAndGet();
      return new StreamObserver<>() {
        @Override
        public void onNext(AgentMessage message) {
          if (!message.hasRegister()) {
            return;
          }
          if (stream <= refusals) {
            // As the scheduler's agent service closes a stream on a replica that does not lead:
            // the leader trailer is there, empty when it knows no leader.
            Metadata trailers = new Metadata();
            trailers.put(SchedulerLink.LEADER, names == null ? "" : names);
            Status status =
                names == null
                    ? Status.UNAVAILABLE.withDescription("not elected yet")
                    : Status.FAILED_PRECONDITION.withDescription("not the leader");
            responses.onError(status.asRuntimeException(trailers));
            return;
          }
          responses.onNext(
              SchedulerMessage.newBuilder()
                  .setEpoch(2)
                  .setRegistered(Registered.newBuilder().setEpoch(2))
                  .build());
        }

        @Override
        public void onError(Throwable t) {}

        @Override
        public void onCompleted() {
          responses.onCompleted();
        }
      };
    }
  }
}
