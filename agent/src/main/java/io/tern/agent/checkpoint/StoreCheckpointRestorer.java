package io.tern.agent.checkpoint;

import com.google.protobuf.Timestamp;
import io.tern.agent.job.CheckpointRestorer;
import io.tern.agent.job.LaunchException;
import io.tern.api.v1.CheckpointRef;
import io.tern.api.v1.FailedCheckpoint;
import io.tern.api.v1.StartJob;
import io.tern.checkpoint.AttemptFence;
import io.tern.checkpoint.CheckpointStore;
import io.tern.checkpoint.CommittedCheckpoint;
import io.tern.checkpoint.JobSucceededEarlierException;
import io.tern.checkpoint.RestoreResult;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalInt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Begins attempts in the checkpoint store ({@link CheckpointStore#beginAttempt}), in the view of
 * the cluster that placed them ({@link CheckpointStore#forCluster}, from {@code
 * StartJob.cluster_id}), so a job never meets another cluster's job of the same id there: the
 * attempt's marker fences off the job's older attempts, so a replaced attempt that still runs can
 * no longer commit; every attempt of a job that checkpoints begins there. A start that names a
 * checkpoint restores the newest checkpoint of the job that verifies: normally the one the
 * scheduler names, or a newer one whose announcement never reached it (the node died right after
 * the commit). Corrupt checkpoints are passed over and reported; when none verifies the job starts
 * fresh and says so.
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
  public Optional<Path> successRecordFile(StartJob start) throws IOException {
    return jobsOf(start).successRecordFile(start.getJobId(), start.getAttempt());
  }

  @Override
  public OptionalInt succeededBefore(StartJob start) {
    if (start.getAttempt() < 2) {
      return OptionalInt.empty();
    }
    OptionalInt succeeded = succeededAttempt(jobsOf(start), start.getJobId());
    return succeeded.isPresent() && succeeded.getAsInt() < start.getAttempt()
        ? succeeded
        : OptionalInt.empty();
  }

  /** The store as the jobs of the cluster that placed {@code start} see it. */
  private CheckpointStore jobsOf(StartJob start) {
    return store.forCluster(start.getClusterId());
  }

  @Override
  public void fetchWorkdir(String digest, Path archive) throws IOException {
    store.workdirs().fetch(digest, archive);
  }

  @Override
  public Outcome begin(StartJob start, Path into)
      throws IOException, LaunchException.SucceededEarlier {
    try {
      return beginInStore(start, into);
    } catch (JobSucceededEarlierException e) {
      log.warn("{}#{}: not started: {}", start.getJobId(), start.getAttempt(), e.getMessage());
      throw new LaunchException.SucceededEarlier(e.succeededAttempt(), e.getMessage());
    }
  }

  private Outcome beginInStore(StartJob start, Path into) throws IOException {
    String jobId = start.getJobId();
    CheckpointStore jobs = jobsOf(start);
    AttemptFence fence = new AttemptFence(start.getAttempt(), Math.max(0, start.getEpoch()));
    if (!start.hasResumeFrom() && !start.getSpec().hasCheckpoint()) {
      // Its first commit, if it ever makes one, records the attempt. A rerun (the attempt before
      // was given up as lost) looks for that attempt's success first, as beginAttempt does.
      if (start.getAttempt() > 1) {
        OptionalInt succeeded = succeededAttempt(jobs, jobId);
        if (succeeded.isPresent() && succeeded.getAsInt() < start.getAttempt()) {
          throw new JobSucceededEarlierException(jobId, succeeded.getAsInt());
        }
      }
      return Outcome.fresh(start);
    }
    // Restore only when the scheduler names a checkpoint: a job it knows none of starts fresh (and
    // a job id reused against an old store never picks up a stranger's state). A store that cannot
    // record the attempt fails the start: the record is what fences off the attempts before it.
    RestoreResult result =
        jobs.beginAttempt(
            jobId, fence, start.hasResumeFrom() ? Optional.of(into) : Optional.empty());
    Outcome outcome =
        new Outcome(
            start.hasResumeFrom() ? Optional.of(start.getResumeFrom()) : Optional.empty(),
            result.restored().map(StoreCheckpointRestorer::ref),
            result.skipped().stream()
                .map(
                    s ->
                        FailedCheckpoint.newBuilder()
                            .setName(s.name())
                            .setAttempt(s.attempt())
                            .setReason(s.reason())
                            .build())
                .toList());
    for (FailedCheckpoint f : outcome.failed()) {
      log.error(
          "{}: checkpoint {} of attempt {} fails verification ({}); passed over: work since it is"
              + " lost",
          jobId,
          f.getName(),
          f.getAttempt(),
          f.getReason());
    }
    if (outcome.restored().isPresent()) {
      CheckpointRef r = outcome.restored().get();
      log.info(
          "{}#{}: restored checkpoint {} of attempt {} ({} bytes) into {}",
          jobId,
          start.getAttempt(),
          r.getName(),
          r.getAttempt(),
          r.getSizeBytes(),
          into);
    } else if (start.hasResumeFrom()) {
      log.warn(
          "{}: asked to resume from {}, but no checkpoint of the job verifies; starting fresh",
          jobId,
          start.getResumeFrom().getName());
    }
    return outcome;
  }

  /** The store's success record, or none when the store cannot be read (the job runs then). */
  private static OptionalInt succeededAttempt(CheckpointStore jobs, String jobId) {
    try {
      return jobs.succeededAttempt(jobId);
    } catch (IOException e) {
      log.warn("{}: cannot read its success records ({}); starting it", jobId, e.toString());
      return OptionalInt.empty();
    }
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
