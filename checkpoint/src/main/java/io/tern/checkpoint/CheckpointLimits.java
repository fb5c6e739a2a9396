package io.tern.checkpoint;

/**
 * Upper bounds a store enforces on commit and on restore, so that a runaway or hostile job cannot
 * fill the store or make a restore read an unbounded manifest.
 *
 * @param maxFiles files per checkpoint
 * @param maxFileBytes bytes per file
 * @param maxTotalBytes bytes per checkpoint
 * @param maxManifestBytes bytes of one manifest
 */
public record CheckpointLimits(
    int maxFiles, long maxFileBytes, long maxTotalBytes, int maxManifestBytes) {

  private static final long TIB = 1L << 40;

  /** 100,000 files, 1 TiB per file, 4 TiB per checkpoint, 64 MiB manifests. */
  public static final CheckpointLimits DEFAULT =
      new CheckpointLimits(100_000, TIB, 4 * TIB, 64 << 20);

  public CheckpointLimits {
    if (maxFiles < 1 || maxFileBytes < 0 || maxTotalBytes < 0 || maxManifestBytes < 1024) {
      throw new IllegalArgumentException("limits must be positive (manifest at least 1 KiB)");
    }
  }
}
