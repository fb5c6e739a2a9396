package io.tern.agent.job;

import io.tern.checkpoint.FileTrees;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes the folders of attempts that ended here long enough ago ({@code WORK_DIR/jobs/JOB_ID/
 * attempt-N}: the output log {@code tern logs} reads, the checkpoints the job wrote, its run
 * folder; and {@code earlier-attempt-N[-K]}, another cluster's attempt set aside), so that a node's
 * work dir does not grow with every job it ever ran.
 *
 * <p>An attempt's folder goes only when nothing may still need it: the attempt does not run here,
 * it is settled with a leader (no {@link AttemptRecord#unsettled() record} left to report), and
 * neither the folder nor its log has changed for {@code keep}. Settling deletes the attempt's
 * records, so the folder's own time is when the leader acknowledged how it ended. Its checkpoints
 * were committed to the store (or given up) while the job exited, long before. A job's folder goes
 * with its last attempt's.
 *
 * <p>Links are removed, never followed; a folder the job made read-only is made writable to empty
 * it. What cannot be removed is left and logged.
 */
public final class FinishedAttempts {
  private static final Logger log = LoggerFactory.getLogger(FinishedAttempts.class);

  private final WorkDir workDir;
  private final Duration keep;

  public FinishedAttempts(WorkDir workDir, Duration keep) {
    if (keep.isNegative() || keep.isZero()) {
      throw new IllegalArgumentException("keep must be positive, got " + keep);
    }
    this.workDir = workDir;
    this.keep = keep;
  }

  /**
   * Removes the folders of the attempts that ended {@code keep} before {@code now}, leaving those
   * in {@code running}.
   *
   * @return how many attempt folders it removed
   */
  public int sweep(Set<AttemptId> running, Instant now) {
    Path jobs = workDir.jobs();
    if (!Files.isDirectory(jobs, LinkOption.NOFOLLOW_LINKS)) {
      return 0;
    }
    Instant before = now.minus(keep);
    int removed = 0;
    try (DirectoryStream<Path> jobDirs = Files.newDirectoryStream(jobs)) {
      for (Path jobDir : jobDirs) {
        if (!Files.isDirectory(jobDir, LinkOption.NOFOLLOW_LINKS)) {
          continue;
        }
        removed += sweepJob(jobDir, running, before);
      }
    } catch (IOException e) {
      log.warn("cannot list {}: {}", jobs, e.toString());
    }
    if (removed > 0) {
      log.info(
          "removed {} finished attempt folder(s) older than {}",
          removed,
          io.tern.scheduler.spec.Durations.format(keep));
    }
    return removed;
  }

  private int sweepJob(Path jobDir, Set<AttemptId> running, Instant before) {
    String jobId = jobDir.getFileName().toString();
    int removed = 0;
    boolean empty = true;
    try (DirectoryStream<Path> attempts = Files.newDirectoryStream(jobDir)) {
      for (Path dir : attempts) {
        if (removable(jobId, dir, running, before)) {
          if (removeTree(dir)) {
            removed++;
            continue;
          }
        }
        empty = false;
      }
    } catch (IOException e) {
      log.warn("cannot list {}: {}", jobDir, e.toString());
      return removed;
    }
    if (empty) {
      try {
        Files.deleteIfExists(jobDir);
      } catch (IOException e) {
        // A new attempt of the job may have just made its folder: it stays.
        log.debug("{} stays: {}", jobDir, e.toString());
      }
    }
    return removed;
  }

  private static boolean removable(String jobId, Path dir, Set<AttemptId> running, Instant before)
      throws IOException {
    String name = dir.getFileName().toString();
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS) || changedSince(dir, before)) {
      return false;
    }
    // Another cluster's attempt of the same id, settled, that a start set aside (JobLauncher).
    if (!name.startsWith("earlier-attempt-")) {
      if (!name.startsWith("attempt-")) {
        return false;
      }
      AttemptId id;
      try {
        id = new AttemptId(jobId, Integer.parseInt(name.substring("attempt-".length())));
      } catch (IllegalArgumentException e) {
        return false; // not a folder an agent made
      }
      if (running.contains(id) || new AttemptRecord(dir).unsettled()) {
        return false;
      }
    }
    Path logFile = dir.resolve("output.log");
    return !Files.exists(logFile, LinkOption.NOFOLLOW_LINKS) || !changedSince(logFile, before);
  }

  private static boolean changedSince(Path path, Instant before) throws IOException {
    try {
      return Files.getLastModifiedTime(path, LinkOption.NOFOLLOW_LINKS).toInstant().isAfter(before);
    } catch (NoSuchFileException e) {
      return false;
    }
  }

  /** Removes {@code dir} and all under it, links as links; false when some of it stays. */
  private static boolean removeTree(Path dir) {
    try {
      FileTrees.remove(dir);
      return true;
    } catch (IOException e) {
      log.warn("cannot remove the finished attempt folder {}: {}", dir, e.toString());
      return false;
    }
  }
}
