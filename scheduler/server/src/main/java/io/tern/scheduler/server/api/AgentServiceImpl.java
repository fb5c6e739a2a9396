package io.tern.scheduler.server.api;

import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.tern.api.v1.AgentMessage;
import io.tern.api.v1.AgentServiceGrpc;
import io.tern.api.v1.Register;
import io.tern.api.v1.SchedulerMessage;
import io.tern.scheduler.server.loop.AgentChannel;
import io.tern.scheduler.server.loop.AgentSessions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * AgentService over gRPC: one Connect stream per agent. The first message must be a Register; the
 * stream is then bound to that node. A malformed message ({@link AgentMessageValidator}) ends its
 * stream with INVALID_ARGUMENT naming the field, never reaches the scheduler loop, and leaves the
 * node's session without a stream (the agent reconnects; its lease keeps running meanwhile).
 */
public final class AgentServiceImpl extends AgentServiceGrpc.AgentServiceImplBase {
  private static final Logger log = LoggerFactory.getLogger(AgentServiceImpl.class);

  private final AgentSessions sessions;

  public AgentServiceImpl(AgentSessions sessions) {
    this.sessions = sessions;
  }

  @Override
  public StreamObserver<AgentMessage> connect(StreamObserver<SchedulerMessage> responses) {
    Channel channel = new Channel((ServerCallStreamObserver<SchedulerMessage>) responses);
    return new StreamObserver<>() {
      private Register registered;
      private boolean refused;

      @Override
      public void onNext(AgentMessage message) {
        if (refused) {
          return;
        }
        String problem = AgentMessageValidator.problem(message, registered);
        if (problem != null) {
          refused = true;
          log.warn(
              "agent stream of {} refused: {}",
              registered == null ? "an unregistered node" : registered.getNodeId(),
              problem);
          channel.fail(Status.INVALID_ARGUMENT.withDescription(problem));
          if (registered != null) {
            sessions.disconnected(registered.getNodeId(), channel);
          }
          return;
        }
        if (registered == null) {
          registered = message.getRegister();
          sessions.register(registered, channel);
        } else {
          sessions.message(registered.getNodeId(), channel, message);
        }
      }

      @Override
      public void onError(Throwable t) {
        log.debug("agent stream of {} failed: {}", nodeId(), t.toString());
        if (registered != null) {
          sessions.disconnected(registered.getNodeId(), channel);
        }
      }

      @Override
      public void onCompleted() {
        if (registered != null) {
          sessions.disconnected(registered.getNodeId(), channel);
        }
        channel.complete();
      }

      private String nodeId() {
        return registered == null ? null : registered.getNodeId();
      }
    };
  }

  /** The response side of one stream; used from the scheduler loop thread. */
  private static final class Channel implements AgentChannel {
    private final ServerCallStreamObserver<SchedulerMessage> out;
    private boolean closed;

    Channel(ServerCallStreamObserver<SchedulerMessage> out) {
      this.out = out;
    }

    @Override
    public synchronized void send(SchedulerMessage message) {
      if (!closed && !out.isCancelled()) {
        out.onNext(message);
      }
    }

    @Override
    public synchronized void close(String reason, String leaderAddress) {
      if (closed) {
        return;
      }
      closed = true;
      if (out.isCancelled()) {
        return;
      }
      // The leader trailer is there even when no leader is known (empty): it tells the agent that a
      // replica answered, so that it asks that replica again rather than the next address.
      Metadata trailers = new Metadata();
      trailers.put(GrpcErrors.LEADER, leaderAddress);
      if (!leaderAddress.isEmpty()) {
        out.onError(
            Status.FAILED_PRECONDITION.withDescription(reason).asRuntimeException(trailers));
      } else {
        out.onError(Status.UNAVAILABLE.withDescription(reason).asRuntimeException(trailers));
      }
    }

    @Override
    public void refuse(Status status) {
      fail(status);
    }

    synchronized void fail(Status status) {
      if (!closed) {
        closed = true;
        if (!out.isCancelled()) {
          out.onError(status.asRuntimeException());
        }
      }
    }

    synchronized void complete() {
      if (!closed) {
        closed = true;
        out.onCompleted();
      }
    }
  }
}
