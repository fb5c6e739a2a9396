package io.tern.agent;

import io.tern.checkpoint.AttemptFence;
import io.tern.checkpoint.CheckpointStore;
import io.tern.checkpoint.CheckpointStoreFullException;
import io.tern.checkpoint.CommittedCheckpoint;
import io.tern.checkpoint.ForwardingCheckpointStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A store that refuses the commits of some jobs as a full disk would until the test frees it, and
 * counts the refusals; everything else, and every commit once freed, goes to the store it wraps.
 * Its cluster views are itself; closing it leaves the wrapped store open.
 */
final class FullCheckpointStore extends ForwardingCheckpointStore {
  private final String jobPrefix;
  private final AtomicBoolean full = new AtomicBoolean(true);
  private final AtomicInteger refused = new AtomicInteger();

  /** Full for the jobs whose id starts with {@code jobPrefix}. */
  FullCheckpointStore(CheckpointStore store, String jobPrefix) {
    super(store);
    this.jobPrefix = jobPrefix;
  }

  void free() {
    full.set(false);
  }

  int refused() {
    return refused.get();
  }

  @Override
  public CommittedCheckpoint commit(
      String jobId, AttemptFence attempt, Path localDir, String name, OptionalLong step)
      throws IOException {
    if (full.get() && jobId.startsWith(jobPrefix)) {
      refused.incrementAndGet();
      throw new CheckpointStoreFullException(
          "checkpoint store is full: No space left on device", null);
    }
    return super.commit(jobId, attempt, localDir, name, step);
  }

  @Override
  public CheckpointStore forCluster(String clusterId) {
    return this;
  }

  @Override
  public void close() {}
}
