package io.tern.agent.metrics;

import io.tern.checkpoint.AttemptFence;
import io.tern.checkpoint.CheckpointStore;
import io.tern.checkpoint.CommittedCheckpoint;
import io.tern.checkpoint.ForwardingCheckpointStore;
import io.tern.checkpoint.RestoreResult;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A checkpoint store that times its commits and resumed attempts' restores for {@link
 * AgentMetrics}; everything else goes straight through. Thread-safe as the store it wraps.
 */
final class TimedCheckpointStore extends ForwardingCheckpointStore {
  private final AgentMetrics metrics;

  TimedCheckpointStore(CheckpointStore store, AgentMetrics metrics) {
    super(store);
    this.metrics = metrics;
  }

  @Override
  public RestoreResult beginAttempt(String jobId, AttemptFence attempt, Optional<Path> restoreInto)
      throws IOException {
    if (restoreInto.isEmpty()) {
      return delegate().beginAttempt(jobId, attempt, restoreInto);
    }
    long start = System.nanoTime();
    boolean ok = false;
    try {
      RestoreResult result = delegate().beginAttempt(jobId, attempt, restoreInto);
      ok = true;
      return result;
    } finally {
      metrics.restoreTook(System.nanoTime() - start, ok);
    }
  }

  @Override
  public CommittedCheckpoint commit(
      String jobId, AttemptFence attempt, Path localDir, String name, OptionalLong step)
      throws IOException {
    long start = System.nanoTime();
    boolean ok = false;
    try {
      CommittedCheckpoint committed = delegate().commit(jobId, attempt, localDir, name, step);
      ok = true;
      return committed;
    } finally {
      metrics.commitTook(System.nanoTime() - start, ok);
    }
  }

  @Override
  public CheckpointStore forCluster(String clusterId) {
    // The empty id's view is the store itself, which this wrapper already times (and closes).
    return clusterId.isEmpty()
        ? this
        : new TimedCheckpointStore(delegate().forCluster(clusterId), metrics);
  }
}
