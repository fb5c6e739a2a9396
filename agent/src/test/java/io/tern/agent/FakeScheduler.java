package io.tern.agent;

import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import io.tern.agent.link.SchedulerLink;
import io.tern.api.v1.AgentMessage;
import io.tern.api.v1.AgentServiceGrpc;
import io.tern.api.v1.Registered;
import io.tern.api.v1.SchedulerMessage;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An in-process AgentService for tests: records what agents send and sends commands to the latest
 * stream. As a leader it answers Register with Registered (its epoch, a telemetry interval); as a
 * follower it ends every stream with FAILED_PRECONDITION and the leader in the tern-leader trailer.
 */
final class FakeScheduler extends AgentServiceGrpc.AgentServiceImplBase implements AutoCloseable {
  final String name;
  private final long epoch;
  private final int telemetryIntervalMs;
  private final String leader; // null for a leader
  private final long leaseMs; // 0: sets no node lease and acknowledges nothing

  /**
   * While true (a leasing leader), every numbered message is acknowledged at once; while false it
   * hears nothing (a partition, a paused leader): no acks, and no answer to a Register either.
   */
  volatile boolean acking = true;

  /** While set, a leader ends every new stream with this status after recording its Register. */
  volatile Status refuseWith;

  /** The cluster's checkpoint store a leader names in Registered; null for none. */
  volatile io.tern.checkpoint.StoreIdentity checkpointStore;

  final List<AgentMessage> received = new CopyOnWriteArrayList<>();
  private volatile StreamObserver<SchedulerMessage> agent;
  private volatile int streams;
  private Server server;

  private FakeScheduler(
      String name, long epoch, int telemetryIntervalMs, String leader, long leaseMs) {
    this.leaseMs = leaseMs;
    this.name = name;
    this.epoch = epoch;
    this.telemetryIntervalMs = telemetryIntervalMs;
    this.leader = leader;
  }

  static FakeScheduler leader(String name, long epoch, int telemetryIntervalMs) throws IOException {
    return new FakeScheduler(name, epoch, telemetryIntervalMs, null, 0).start();
  }

  /**
   * A leader that sets a node lease of {@code leaseMs} and acknowledges (while {@link #acking}).
   */
  static FakeScheduler leasing(String name, long epoch, int telemetryIntervalMs, long leaseMs)
      throws IOException {
    return new FakeScheduler(name, epoch, telemetryIntervalMs, null, leaseMs).start();
  }

  static FakeScheduler follower(String name, String leader) throws IOException {
    return new FakeScheduler(name, 0, 0, leader, 0).start();
  }

  private FakeScheduler start() throws IOException {
    server = InProcessServerBuilder.forName(name).directExecutor().addService(this).build().start();
    return this;
  }

  /** A leader over real gRPC on a free loopback port ({@link #port()}), for agents that dial. */
  static FakeScheduler leaderOnLoopback(long epoch, int telemetryIntervalMs) throws IOException {
    FakeScheduler leader = new FakeScheduler("loopback", epoch, telemetryIntervalMs, null, 0);
    leader.server =
        Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
            .addService(leader)
            .build()
            .start();
    return leader;
  }

  int port() {
    return server.getPort();
  }

  @Override
  public StreamObserver<AgentMessage> connect(StreamObserver<SchedulerMessage> responses) {
    streams++;
    return new StreamObserver<>() {
      @Override
      public void onNext(AgentMessage message) {
        if (!message.hasRegister()) {
          received.add(message);
          if (leaseMs > 0 && acking && message.getSeq() > 0 && responses == agent) {
            send(
                SchedulerMessage.newBuilder()
                    .setAck(io.tern.api.v1.Ack.newBuilder().setSeq(message.getSeq()))
                    .build());
          }
          return;
        }
        if (!acking) {
          received.add(message); // hears nothing: no answer to a Register either
          return;
        }
        if (leader != null) {
          received.add(message);
          Metadata trailers = new Metadata();
          trailers.put(SchedulerLink.LEADER, leader);
          responses.onError(
              Status.FAILED_PRECONDITION
                  .withDescription("not the leader")
                  .asRuntimeException(trailers));
          return;
        }
        Status refusal = refuseWith;
        if (refusal != null) {
          received.add(message);
          responses.onError(refusal.asRuntimeException());
          return;
        }
        agent = responses;
        Registered.Builder registered =
            Registered.newBuilder()
                .setEpoch(epoch)
                .setTelemetryIntervalMs(telemetryIntervalMs)
                .setNodeLeaseMs(leaseMs);
        io.tern.checkpoint.StoreIdentity store = checkpointStore;
        if (store != null) {
          registered
              .setCheckpointStoreId(store.id())
              .setCheckpointStoreCreated(
                  com.google.protobuf.Timestamp.newBuilder()
                      .setSeconds(store.created().getEpochSecond()));
        }
        send(SchedulerMessage.newBuilder().setEpoch(epoch).setRegistered(registered).build());
        received.add(message); // after Registered went out: tests may send commands at once
      }

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {
        responses.onCompleted();
      }
    };
  }

  /** Sends to the agent of the latest stream; false when the agent has dropped that stream. */
  synchronized boolean send(SchedulerMessage message) {
    try {
      agent.onNext(message);
      return true;
    } catch (io.grpc.StatusRuntimeException cancelled) {
      return false;
    }
  }

  /** Sends a command under this scheduler's epoch. */
  boolean command(SchedulerMessage.Builder message) {
    return send(message.setEpoch(epoch).build());
  }

  /** The job statuses received, in order. */
  List<io.tern.api.v1.JobStatus> statuses(String jobId) {
    return received.stream()
        .filter(m -> m.hasJobStatus() && m.getJobStatus().getJobId().equals(jobId))
        .map(AgentMessage::getJobStatus)
        .toList();
  }

  /** Ends the latest stream, as a leader that went away would. */
  synchronized void dropStream() {
    agent.onError(Status.UNAVAILABLE.withDescription("dropped by the test").asRuntimeException());
  }

  int streams() {
    return streams;
  }

  List<AgentMessage> ofKind(AgentMessage.KindCase kind) {
    return received.stream().filter(m -> m.getKindCase() == kind).toList();
  }

  @Override
  public void close() {
    server.shutdownNow();
  }
}
