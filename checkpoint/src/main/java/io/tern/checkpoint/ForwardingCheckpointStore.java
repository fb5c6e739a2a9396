package io.tern.checkpoint;

import io.tern.checkpoint.workdir.WorkdirStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * A store that hands every call to another (in the manner of Guava's {@code Forwarding*} classes):
 * a wrapper that adds something to a few calls extends it and overrides those. {@link #forCluster}
 * forwards too and so returns the wrapped store's view unwrapped: a wrapper whose behaviour must
 * reach cluster views overrides it. {@link #close} closes the wrapped store.
 */
public abstract class ForwardingCheckpointStore implements CheckpointStore {
  private final CheckpointStore store;

  protected ForwardingCheckpointStore(CheckpointStore store) {
    this.store = store;
  }

  /** The store calls are handed to. */
  protected final CheckpointStore delegate() {
    return store;
  }

  @Override
  public RestoreResult beginAttempt(String jobId, AttemptFence attempt, Optional<Path> restoreInto)
      throws IOException {
    return store.beginAttempt(jobId, attempt, restoreInto);
  }

  @Override
  public CommittedCheckpoint commit(
      String jobId, AttemptFence attempt, Path localDir, String name, OptionalLong step)
      throws IOException {
    return store.commit(jobId, attempt, localDir, name, step);
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
  public boolean delete(String jobId, int attempt, String name) throws IOException {
    return store.delete(jobId, attempt, name);
  }

  @Override
  public int retire(String jobId) throws IOException {
    return store.retire(jobId);
  }

  @Override
  public WorkdirStore workdirs() {
    return store.workdirs();
  }

  @Override
  public Optional<StoreMarker> marker() {
    return store.marker();
  }

  @Override
  public CheckpointStore forCluster(String clusterId) {
    return store.forCluster(clusterId);
  }

  @Override
  public void close() throws IOException {
    store.close();
  }
}
