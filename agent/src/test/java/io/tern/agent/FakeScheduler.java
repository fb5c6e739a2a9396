package io.tern.agent;

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
  final List<AgentMessage> received = new CopyOnWriteArrayList<>();
  private volatile StreamObserver<SchedulerMessage> agent;
  private volatile int streams;
  private Server server;

  private FakeScheduler(String name, long epoch, int telemetryIntervalMs, String leader) {
    this.name = name;
    this.epoch = epoch;
    this.telemetryIntervalMs = telemetryIntervalMs;
    this.leader = leader;
  }

  static FakeScheduler leader(String name, long epoch, int telemetryIntervalMs) throws IOException {
    return new FakeScheduler(name, epoch, telemetryIntervalMs, null).start();
  }

  static FakeScheduler follower(String name, String leader) throws IOException {
    return new FakeScheduler(name, 0, 0, leader).start();
  }

  private FakeScheduler start() throws IOException {
    server = InProcessServerBuilder.forName(name).directExecutor().addService(this).build().start();
    return this;
  }

  @Override
  public StreamObserver<AgentMessage> connect(StreamObserver<SchedulerMessage> responses) {
    streams++;
    return new StreamObserver<>() {
      @Override
      public void onNext(AgentMessage message) {
        if (!message.hasRegister()) {
          received.add(message);
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
        agent = responses;
        send(
            SchedulerMessage.newBuilder()
                .setEpoch(epoch)
                .setRegistered(
                    Registered.newBuilder()
                        .setEpoch(epoch)
                        .setTelemetryIntervalMs(telemetryIntervalMs))
                .build());
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
