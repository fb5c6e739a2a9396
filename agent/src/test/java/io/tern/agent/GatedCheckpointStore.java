package io.tern.agent;

import io.tern.checkpoint.AttemptFence;
import io.tern.checkpoint.CheckpointStore;
import io.tern.checkpoint.CommittedCheckpoint;
import io.tern.checkpoint.ForwardingCheckpointStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A store whose commits of one job wait at a gate until the test opens it, as commits to a slow
 * store or bucket do, in its cluster views too; everything else goes straight to the store it
 * wraps.
 */
final class GatedCheckpointStore extends ForwardingCheckpointStore {
  private final String gatedJob;
  private final CountDownLatch gate;
  private final CountDownLatch waiting;

  GatedCheckpointStore(CheckpointStore store, String gatedJob) {
    this(store, gatedJob, new CountDownLatch(1), new CountDownLatch(1));
  }

  private GatedCheckpointStore(
      CheckpointStore store, String gatedJob, CountDownLatch gate, CountDownLatch waiting) {
    super(store);
    this.gatedJob = gatedJob;
    this.gate = gate;
    this.waiting = waiting;
  }

  /** True once a commit of the gated job waits at the gate. */
  boolean aCommitWaits() {
    return waiting.getCount() == 0;
  }

  void open() {
    gate.countDown();
  }

  @Override
  public CommittedCheckpoint commit(
      String jobId, AttemptFence attempt, Path localDir, String name, OptionalLong step)
      throws IOException {
    if (jobId.equals(gatedJob)) {
      waiting.countDown();
      try {
        if (!gate.await(60, TimeUnit.SECONDS)) {
          throw new IOException("the test never opened the gate");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted at the gate", e);
      }
    }
    return delegate().commit(jobId, attempt, localDir, name, step);
  }

  @Override
  public CheckpointStore forCluster(String clusterId) {
    return new GatedCheckpointStore(delegate().forCluster(clusterId), gatedJob, gate, waiting);
  }
}
