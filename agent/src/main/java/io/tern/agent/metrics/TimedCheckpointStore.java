package io.tern.agent.metrics;

import io.tern.checkpoint.AttemptFence;
import io.tern.checkpoint.CheckpointStore;
import io.tern.checkpoint.CommittedCheckpoint;
import io.tern.checkpoint.RestoreResult;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * A checkpoint store that times its commits and resumed attempts' restores for {@link
 * AgentMetrics}; everything else goes straight through. Thread-safe as the store it wraps.
 */
final class TimedCheckpointStore implements CheckpointStore {
  private final CheckpointStore store;
  private final AgentMetrics metrics;

  TimedCheckpointStore(CheckpointStore store, AgentMetrics metrics) {
    this.store = store;
    this.metrics = metrics;
  }

  @Override
  public RestoreResult beginAttempt(String jobId, AttemptFence attempt, Optional<Path> restoreInto)
      throws IOException {
    if (restoreInto.isEmpty()) {
      return store.beginAttempt(jobId, attempt, restoreInto);
    }
    long start = System.nanoTime();
    boolean ok = false;
    try {
      RestoreResult result = store.beginAttempt(jobId, attempt, restoreInto);
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
      CommittedCheckpoint committed = store.commit(jobId, attempt, localDir, name, step);
      ok = true;
      return committed;
    } finally {
      metrics.commitTook(System.nanoTime() - start, ok);
    }
  }

  @Override
  public List<CommittedCheckpoint> list(String jobId) throws IOException {
    return store.list(jobId);
  }

  @Override
  public RestoreResult restoreLatest(String jobId, Path targetDir) throws IOException {
    return store.restoreLatest(jobId, targetDir);
  }

  @Override
  public CommittedCheckpoint restore(String jobId, int attempt, String name, Path targetDir)
      throws IOException {
    return store.restore(jobId, attempt, name, targetDir);
  }

  @Override
  public int makeRoom(String jobId) throws IOException {
    return store.makeRoom(jobId);
  }

  @Override
  public boolean delete(String jobId, int attempt, String name) throws IOException {
    return store.delete(jobId, attempt, name);
  }

  @Override
  public void recordSuccess(String jobId, int attempt) throws IOException {
    store.recordSuccess(jobId, attempt);
  }

  @Override
  public OptionalInt succeededAttempt(String jobId) throws IOException {
    return store.succeededAttempt(jobId);
  }

  @Override
  public Optional<Path> successRecordFile(String jobId, int attempt) throws IOException {
    return store.successRecordFile(jobId, attempt);
  }

  @Override
  public io.tern.checkpoint.workdir.WorkdirStore workdirs() {
    return store.workdirs();
  }

  @Override
  public CheckpointStore forCluster(String clusterId) {
    // The empty id's view is the store itself, which this wrapper already times (and closes).
    return clusterId.isEmpty()
        ? this
        : new TimedCheckpointStore(store.forCluster(clusterId), metrics);
  }

  @Override
  public int deleteAll(String jobId) throws IOException {
    return store.deleteAll(jobId);
  }

  @Override
  public void close() throws IOException {
    store.close();
  }
}
