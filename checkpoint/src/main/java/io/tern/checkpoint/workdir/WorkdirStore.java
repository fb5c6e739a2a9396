package io.tern.checkpoint.workdir;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Packed working directories (the code a job takes with it) kept in a checkpoint store under {@code
 * workdirs/sha256-DIGEST.zip}, named by the SHA-256 of their bytes: the scheduler puts what {@code
 * tern submit} uploads, agents fetch it before a job starts. Content-addressed, so an archive is
 * written once and never changes; a put of an archive the store holds writes nothing.
 *
 * <p>Safe for concurrent use by many threads and processes: a put publishes atomically (a rename,
 * or a single object write), so a reader sees a whole archive or none.
 */
public interface WorkdirStore {
  /** The object or file name of an archive, relative to the store's root. */
  static String key(String digest) {
    return "workdirs/sha256-" + digest + ".zip";
  }

  /** Whether the store holds the archive with this digest. */
  boolean has(String digest) throws IOException;

  /**
   * Stores {@code archive}, whose SHA-256 the caller has checked to be {@code digest}.
   *
   * @return false when the store held it already (nothing written)
   */
  boolean put(String digest, Path archive) throws IOException;

  /**
   * Copies the archive into {@code target} (a file that must not exist) and checks its SHA-256.
   *
   * @throws java.nio.file.NoSuchFileException when the store does not hold it
   * @throws IOException when the copy's digest is not {@code digest} (the store's copy is damaged)
   */
  void fetch(String digest, Path target) throws IOException;
}
