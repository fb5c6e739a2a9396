package io.tern.agent.checkpoint;

import com.google.protobuf.Timestamp;
import io.tern.agent.job.CheckpointRestorer;
import io.tern.api.v1.CheckpointRef;
import io.tern.checkpoint.CheckpointStore;
import io.tern.checkpoint.CommittedCheckpoint;
import io.tern.checkpoint.RestoreResult;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Restores from the checkpoint store: the newest checkpoint of the job that verifies ({@link
 * CheckpointStore#restoreLatest}), which is normally the one the scheduler names, or a newer one
 * whose announcement never reached it (the node died right after the commit). Corrupt checkpoints
 * are passed over and listed as lost; when none verifies the job starts fresh.
 *
 * <p>Thread-safe when the store is (stores are).
 */
public final class StoreCheckpointRestorer implements CheckpointRestorer {
  private static final Logger log = LoggerFactory.getLogger(StoreCheckpointRestorer.class);

  private final CheckpointStore store;

  public StoreCheckpointRestorer(CheckpointStore store) {
    this.store = store;
  }

  @Override
  public Outcome restore(String jobId, CheckpointRef requested, Path into) throws IOException {
    RestoreResult result = store.restoreLatest(jobId, into);
    List<String> lost =
        result.skipped().stream().map(s -> s.name() + " (" + s.reason() + ")").toList();
    for (String skipped : lost) {
      log.error(
          "{}: checkpoint {} fails verification; passed over: work since it is lost",
          jobId,
          skipped);
    }
    Optional<CheckpointRef> restored = result.restored().map(StoreCheckpointRestorer::ref);
    if (restored.isPresent()) {
      log.info(
          "{}: restored checkpoint {} of attempt {} ({} bytes) into {}",
          jobId,
          restored.get().getName(),
          restored.get().getAttempt(),
          restored.get().getSizeBytes(),
          into);
    } else {
      log.warn(
          "{}: asked to resume from {}, but no checkpoint of the job verifies; starting fresh",
          jobId,
          requested.getName());
    }
    return new Outcome(restored, lost);
  }

  static CheckpointRef ref(CommittedCheckpoint c) {
    return CheckpointRef.newBuilder()
        .setName(c.name())
        .setAttempt(c.attempt())
        .setCommittedAt(
            Timestamp.newBuilder()
                .setSeconds(c.committedAt().getEpochSecond())
                .setNanos(c.committedAt().getNano()))
        .setSizeBytes(c.sizeBytes())
        .setManifestSha256(c.manifestSha256())
        .build();
  }
}
