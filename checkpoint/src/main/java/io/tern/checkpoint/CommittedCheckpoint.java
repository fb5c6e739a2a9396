package io.tern.checkpoint;

import java.time.Instant;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * A checkpoint as the store committed it; the scheduler keeps it as {@code tern.v1.CheckpointRef}.
 *
 * @param attempt the attempt that committed it
 * @param epoch the leader epoch that attempt was placed under (0: not recorded)
 * @param sequence the job-wide commit order (1, 2, ...)
 * @param committedAt when the store published it (the manifest's {@code createdAt})
 * @param sizeBytes total size of its files
 * @param manifestSha256 SHA-256 of the stored manifest bytes, lower-case hex
 */
public record CommittedCheckpoint(
    String jobId,
    String name,
    int attempt,
    long epoch,
    OptionalLong step,
    long sequence,
    Instant committedAt,
    long sizeBytes,
    int fileCount,
    String manifestSha256) {

  public CommittedCheckpoint {
    Objects.requireNonNull(jobId, "jobId");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(step, "step");
    Objects.requireNonNull(committedAt, "committedAt");
    Objects.requireNonNull(manifestSha256, "manifestSha256");
  }

  /** Where it is stored under its job ({@link CheckpointNames#storageKey}). */
  public String storageKey() {
    return CheckpointNames.storageKey(attempt, name);
  }

  static CommittedCheckpoint of(CheckpointManifest manifest, String manifestSha256) {
    return new CommittedCheckpoint(
        manifest.jobId(),
        manifest.name(),
        manifest.attempt(),
        manifest.epoch(),
        manifest.step(),
        manifest.sequence(),
        manifest.createdAt(),
        manifest.totalBytes(),
        manifest.files().size(),
        manifestSha256);
  }
}
