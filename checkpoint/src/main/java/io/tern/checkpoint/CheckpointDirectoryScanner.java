package io.tern.checkpoint;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Finds the checkpoints a job has finished writing under {@code TERN_CHECKPOINT_DIR}: a directory
 * {@code NAME/} with a regular file {@code NAME.done} beside it (DESIGN.md, "Checkpoint protocol").
 * Pure file logic, no state: the agent passes the names it has already committed (or given up on)
 * and commits what comes back, oldest first, so sequence numbers follow the job's own order.
 *
 * <p>A {@code NAME/} without its marker is still being written and is not reported. A marker with a
 * bad name, a marker that is not a regular file, or a marker without a real directory beside it
 * (missing, a file, or a symbolic link) is reported as rejected, once per scan.
 *
 * <p>Holds no state: any number of threads may call {@link #scan} at once.
 */
public final class CheckpointDirectoryScanner {

  /** The suffix of the file that marks a checkpoint complete. */
  public static final String DONE_SUFFIX = ".done";

  private final Path checkpointDir;

  public CheckpointDirectoryScanner(Path checkpointDir) {
    this.checkpointDir = Objects.requireNonNull(checkpointDir, "checkpointDir");
  }

  /**
   * A complete checkpoint, ready to commit.
   *
   * @param directory the {@code NAME/} directory to pass to {@link CheckpointStore#commit}
   * @param completedAt the marker's modification time: when the job finished writing it
   */
  public record CompletedCheckpoint(
      String name, Path directory, Path marker, Instant completedAt) {}

  /**
   * A marker that will never become a committable checkpoint, and why.
   *
   * @param entry the name as the job wrote it, which may hold anything but '/' and NUL: log {@link
   *     #printableEntry} instead
   */
  public record RejectedCheckpoint(String entry, String reason) {
    /** The entry quoted, cut at 200 characters, control characters escaped: safe for a log. */
    public String printableEntry() {
      return CheckpointNames.quote(entry);
    }
  }

  /**
   * @param ready complete checkpoints not yet committed, oldest first (marker time, then name)
   * @param rejected markers that cannot be committed, by name
   */
  public record ScanResult(List<CompletedCheckpoint> ready, List<RejectedCheckpoint> rejected) {
    public ScanResult {
      ready = List.copyOf(ready);
      rejected = List.copyOf(rejected);
    }
  }

  /**
   * Scans the directory once.
   *
   * @param ignore names already committed or rejected; they are not reported again
   * @return empty lists when the directory does not exist (yet)
   */
  public ScanResult scan(Set<String> ignore) throws IOException {
    List<CompletedCheckpoint> ready = new ArrayList<>();
    List<RejectedCheckpoint> rejected = new ArrayList<>();
    if (!Files.isDirectory(checkpointDir)) {
      return new ScanResult(ready, rejected);
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(checkpointDir)) {
      for (Path marker : entries) {
        String entry = marker.getFileName().toString();
        if (!entry.endsWith(DONE_SUFFIX)) {
          continue;
        }
        String name = entry.substring(0, entry.length() - DONE_SUFFIX.length());
        if (ignore.contains(name)) {
          continue;
        }
        if (!CheckpointNames.isValidName(name)) {
          rejected.add(
              new RejectedCheckpoint(name, "name is not [A-Za-z0-9._-] starting alphanumeric"));
          continue;
        }
        BasicFileAttributes markerAttrs;
        try {
          markerAttrs =
              Files.readAttributes(marker, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
          continue; // removed while scanning
        }
        if (!markerAttrs.isRegularFile()) {
          rejected.add(new RejectedCheckpoint(name, entry + " is not a regular file"));
          continue;
        }
        Path dir = checkpointDir.resolve(name);
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
          rejected.add(
              new RejectedCheckpoint(
                  name, "no directory " + name + "/ beside the marker (or it is a symbolic link)"));
          continue;
        }
        ready.add(
            new CompletedCheckpoint(name, dir, marker, markerAttrs.lastModifiedTime().toInstant()));
      }
    }
    ready.sort(
        Comparator.comparing(CompletedCheckpoint::completedAt)
            .thenComparing(CompletedCheckpoint::name));
    rejected.sort(Comparator.comparing(RejectedCheckpoint::entry));
    return new ScanResult(ready, rejected);
  }
}
