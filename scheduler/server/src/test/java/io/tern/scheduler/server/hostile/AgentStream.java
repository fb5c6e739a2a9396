package io.tern.scheduler.server.hostile;

import static org.awaitility.Awaitility.await;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.tern.api.v1.AgentMessage;
import io.tern.api.v1.AgentServiceGrpc;
import io.tern.api.v1.SchedulerMessage;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One raw AgentService stream that sends whatever a test gives it, hostile or not, and records what
 * comes back and how the stream ended.
 */
final class AgentStream {
  final BlockingQueue<SchedulerMessage> received = new LinkedBlockingQueue<>();
  private final StreamObserver<AgentMessage> out;
  private volatile Status closedWith;

  AgentStream(ManagedChannel channel) {
    out =
        AgentServiceGrpc.newStub(channel)
            .connect(
                new StreamObserver<>() {
                  @Override
                  public void onNext(SchedulerMessage message) {
                    received.add(message);
                  }

                  @Override
                  public void onError(Throwable t) {
                    closedWith = Status.fromThrowable(t);
                  }

                  @Override
                  public void onCompleted() {
                    closedWith = Status.OK;
                  }
                });
  }

  synchronized AgentStream send(AgentMessage message) {
    if (closedWith == null) {
      out.onNext(message);
    }
    return this;
  }

  /** The next message of {@code kind}, skipping others; fails after {@code seconds}. */
  SchedulerMessage next(SchedulerMessage.KindCase kind, int seconds) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (System.nanoTime() < deadline) {
      SchedulerMessage m = received.poll(50, TimeUnit.MILLISECONDS);
      if (m != null && m.getKindCase() == kind) {
        return m;
      }
      if (m == null && closedWith != null) {
        throw new AssertionError("stream closed before " + kind + ": " + closedWith);
      }
    }
    throw new AssertionError("no " + kind + " within " + seconds + " s");
  }

  /** How the server ended the stream, waiting for it to end. */
  Status awaitClosed(Duration within) {
    await().atMost(within).pollInterval(Duration.ofMillis(5)).until(() -> closedWith != null);
    return closedWith;
  }

  void cancel() {
    if (closedWith == null) {
      out.onError(Status.CANCELLED.asRuntimeException());
    }
  }
}
