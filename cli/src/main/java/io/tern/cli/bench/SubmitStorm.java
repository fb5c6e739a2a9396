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
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Submits many copies of one spec with a fixed number in flight, each with its own idempotency key,
 * and records every submit's latency (until the scheduler acknowledged it as durable).
 *
 * <p>The client should cost the machine as little as it can, since on a small machine it shares the
 * CPU with the scheduler it measures: replies are handled on the transport's thread, and each
 * finished submit starts the next one right there, so no thread waits for a free slot and none is
 * woken per submit.
 */
final class SubmitStorm {
  /** What happened: per-submit latencies in nanoseconds (index = submit order) and failures. */
  record Result(long[] latencyNanos, int failed, double seconds) {}

  private final JobServiceGrpc.JobServiceStub stub;
  private final JobSpec spec;
  private final int count;
  private final String verb;
  private final PrintWriter progress;

  /** Unique keys without a SecureRandom draw per submit: one random prefix, then a counter. */
  private final String keyPrefix = UUID.randomUUID() + "-";

  private final long[] latencies;
  private final CountDownLatch done;
  private final AtomicInteger failed = new AtomicInteger();
  private final AtomicInteger finished = new AtomicInteger();

  /** The next submit's index; only the thread that holds {@link #slots} issues from it. */
  private int next;

  /**
   * Free slots not yet used to issue a submit. Whoever raises it from zero issues submits until it
   * is back to zero; others only add their slot, so issuing never recurses or runs on two threads.
   */
  private final AtomicInteger slots = new AtomicInteger();

  private SubmitStorm(Channel leader, JobSpec spec, int count, String verb, PrintWriter progress) {
    this.stub = JobServiceGrpc.newStub(leader).withExecutor(Runnable::run);
    this.spec = spec;
    this.count = count;
    this.verb = verb;
    this.progress = progress;
    this.latencies = new long[count];
    this.done = new CountDownLatch(count);
  }

  static Result run(
      Channel leader, JobSpec spec, int count, int concurrency, String verb, PrintWriter progress)
      throws InterruptedException {
    SubmitStorm storm = new SubmitStorm(leader, spec, count, verb, progress);
    long start = System.nanoTime();
    // The first submits go out from here; every later one from the thread a reply arrived on.
    int first = Math.min(concurrency, count);
    storm.next = first;
    for (int i = 0; i < first; i++) {
      storm.issue(i);
    }
    storm.done.await();
    return new Result(storm.latencies, storm.failed.get(), (System.nanoTime() - start) / 1e9);
  }

  private void slotFreed() {
    if (slots.getAndIncrement() > 0) {
      return; // the thread issuing now takes this slot too
    }
    do {
      if (next < count) {
        issue(next++);
      }
    } while (slots.decrementAndGet() > 0);
  }

  private void issue(int index) {
    long sent = System.nanoTime();
    stub.submitJob(
        SubmitJobRequest.newBuilder().setSpec(spec).setIdempotencyKey(keyPrefix + index).build(),
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
            int n = finished.incrementAndGet();
            if (n % Math.max(1, count / 10) == 0) {
              progress.printf("%s %d/%d%n", verb, n, count);
              progress.flush();
            }
            done.countDown();
            slotFreed();
          }
        });
  }
}
