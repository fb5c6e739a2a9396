package io.tern.checkpoint;

import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;

/**
 * What a committed checkpoint contains: every file with its size and SHA-256, and who wrote it
 * when. Stored as {@code manifest.json} beside the files and written last; see {@link
 * ManifestCodec} for the JSON form. Instances are always consistent: valid paths, no duplicates, no
 * path that is also a directory of another, {@code totalBytes} the sum of the sizes.
 *
 * @param formatVersion {@link #FORMAT_VERSION}
 * @param epoch the leader epoch the attempt was placed under; 0 when not known
 * @param sequence job-wide commit order, from 1
 * @param createdAt when the store published it
 * @param files sorted by path
 */
public record CheckpointManifest(
    int formatVersion,
    String jobId,
    String name,
    int attempt,
    long epoch,
    OptionalLong step,
    long sequence,
    Instant createdAt,
    long totalBytes,
    List<ManifestFile> files) {

  public static final int FORMAT_VERSION = 1;

  /** One file of a checkpoint; {@code path} is relative, {@code /}-separated. */
  public record ManifestFile(String path, long size, String sha256) {
    public ManifestFile {
      String problem = CheckpointNames.relativePathProblem(path);
      if (problem != null) {
        throw new IllegalArgumentException(problem);
      }
      if (size < 0) {
        throw new IllegalArgumentException("negative size for " + path);
      }
      if (!Sha256.isHex(sha256)) {
        throw new IllegalArgumentException(
            "sha256 of " + path + " is not 64 lower-case hex digits");
      }
    }
  }

  public CheckpointManifest {
    if (formatVersion != FORMAT_VERSION) {
      throw new IllegalArgumentException("unsupported formatVersion " + formatVersion);
    }
    if (!CheckpointNames.isValidName(jobId) || !CheckpointNames.isValidName(name)) {
      throw new IllegalArgumentException("invalid job id or checkpoint name");
    }
    if (attempt < 0 || epoch < 0 || sequence < 1) {
      throw new IllegalArgumentException("attempt and epoch must be >= 0 and sequence >= 1");
    }
    Objects.requireNonNull(step, "step");
    if (step.isPresent() && step.getAsLong() < 0) {
      throw new IllegalArgumentException("negative step");
    }
    Objects.requireNonNull(createdAt, "createdAt");
    files = files.stream().sorted((a, b) -> a.path().compareTo(b.path())).toList();
    Set<String> paths = new HashSet<>();
    long sum = 0;
    for (ManifestFile f : files) {
      if (!paths.add(f.path())) {
        throw new IllegalArgumentException("duplicate path " + f.path());
      }
      sum = Math.addExact(sum, f.size());
    }
    for (String path : paths) {
      for (int slash = path.indexOf('/'); slash >= 0; slash = path.indexOf('/', slash + 1)) {
        if (paths.contains(path.substring(0, slash))) {
          throw new IllegalArgumentException(
              path.substring(0, slash) + " is a file and a directory");
        }
      }
    }
    if (sum != totalBytes) {
      throw new IllegalArgumentException("totalBytes " + totalBytes + " != sum of sizes " + sum);
    }
  }
}
