package io.tern.scheduler.server.testing;

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
public final class AgentStream {
  public final BlockingQueue<SchedulerMessage> received = new LinkedBlockingQueue<>();
  private final StreamObserver<AgentMessage> out;
  private volatile Status closedWith;

  public AgentStream(ManagedChannel channel) {
    this(AgentServiceGrpc.newStub(channel));
  }

  /** A stream through {@code stub} (e.g. one carrying a user's token). */
  public AgentStream(AgentServiceGrpc.AgentServiceStub stub) {
    out =
        stub.connect(
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

  public synchronized AgentStream send(AgentMessage message) {
    if (closedWith == null) {
      out.onNext(message);
    }
    return this;
  }

  /** The next message of {@code kind}, skipping others; fails after {@code seconds}. */
  public SchedulerMessage next(SchedulerMessage.KindCase kind, int seconds)
      throws InterruptedException {
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
  public Status awaitClosed(Duration within) {
    await().atMost(within).pollInterval(Duration.ofMillis(5)).until(() -> closedWith != null);
    return closedWith;
  }

  /** How the stream ended, or null while it is open. */
  public Status closedWith() {
    return closedWith;
  }

  /** Ends the stream as a crashed agent would (no goodbye). */
  public void cancel() {
    if (closedWith == null) {
      out.onError(Status.CANCELLED.asRuntimeException());
    }
  }
}
