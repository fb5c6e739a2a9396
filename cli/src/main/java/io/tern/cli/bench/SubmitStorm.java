package io.tern.cli.bench;

import io.grpc.Channel;
import io.grpc.stub.StreamObserver;
import io.tern.api.v1.JobServiceGrpc;
import io.tern.api.v1.JobSpec;
import io.tern.api.v1.SubmitJobRequest;
import io.tern.api.v1.SubmitJobResponse;
import java.io.PrintWriter;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Submits many copies of one spec with a fixed number in flight, each with its own idempotency key,
 * and records every submit's latency (until the scheduler acknowledged it as durable).
 */
final class SubmitStorm {
  /** What happened: per-submit latencies in nanoseconds (index = submit order) and failures. */
  record Result(long[] latencyNanos, int failed, double seconds) {}

  private SubmitStorm() {}

  static Result run(
      Channel leader, JobSpec spec, int count, int concurrency, String verb, PrintWriter progress)
      throws InterruptedException {
    // Replies are handled on the transport's thread: recording a latency is cheaper than a hand-off
    // to another thread, and the client should cost the machine as little as it can.
    JobServiceGrpc.JobServiceStub stub = JobServiceGrpc.newStub(leader).withExecutor(Runnable::run);
    // Unique keys without a SecureRandom draw per submit: one random prefix, then a counter.
    String keyPrefix = UUID.randomUUID() + "-";
    long[] latencies = new long[count];
    Semaphore inFlight = new Semaphore(concurrency);
    CountDownLatch done = new CountDownLatch(count);
    AtomicInteger failed = new AtomicInteger();
    long start = System.nanoTime();
    for (int i = 0; i < count; i++) {
      inFlight.acquire();
      int index = i;
      long sent = System.nanoTime();
      stub.submitJob(
          SubmitJobRequest.newBuilder().setSpec(spec).setIdempotencyKey(keyPrefix + i).build(),
          new StreamObserver<SubmitJobResponse>() {
            @Override
            public void onNext(SubmitJobResponse value) {}

            @Override
            public void onError(Throwable t) {
              failed.incrementAndGet();
              finish();
            }

            @Override
            public void onCompleted() {
              finish();
            }

            private void finish() {
              latencies[index] = System.nanoTime() - sent;
              inFlight.release();
              done.countDown();
            }
          });
      if ((i + 1) % Math.max(1, count / 10) == 0) {
        progress.printf("%s %d/%d%n", verb, i + 1, count);
        progress.flush();
      }
    }
    done.await();
    return new Result(latencies, failed.get(), (System.nanoTime() - start) / 1e9);
  }
}
