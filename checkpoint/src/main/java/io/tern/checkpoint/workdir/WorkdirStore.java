package io.tern.checkpoint.workdir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;

/**
 * Packed working directories (the code a job takes with it) kept in a checkpoint store under {@code
 * workdirs/sha256-DIGEST.zip}, named by the SHA-256 of their bytes: the scheduler puts what {@code
 * tern submit} uploads, agents fetch it before a job starts. Content-addressed, so an archive is
 * written once and never changes; a put of an archive the store holds writes nothing.
 *
 * <p>An archive no job uses any more is deleted by the scheduler's leader ({@code tern scheduler
 * --keep-checkpoints}) once it has gone unused that long: every submit that names an archive marks
 * it used ({@link #keep}), as does each leader, every round, for the archives of the jobs it still
 * runs or keeps, so that one cluster sharing the store never deletes another's code.
 *
 * <p>Safe for concurrent use by many threads and processes: a put publishes atomically (a rename,
 * or a single object write), so a reader sees a whole archive or none.
 */
public interface WorkdirStore {
  /** The object or file name of an archive, relative to the store's root. */
  static String key(String digest) {
    return "workdirs/sha256-" + digest + ".zip";
  }

  /** The digest an archive's file or object name ({@code sha256-DIGEST.zip}) holds, or null. */
  static String digestOf(String name) {
    if (name.length() != 7 + 64 + 4 || !name.startsWith("sha256-") || !name.endsWith(".zip")) {
      return null;
    }
    String digest = name.substring(7, 7 + 64);
    return digest.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))
        ? digest
        : null;
  }

  /**
   * Whether the store holds the archive, marking it used now when it does: a {@link
   * #deleteUnusedSince} that looked at it before then keeps it. The scheduler asks this for every
   * submit that names the archive.
   */
  boolean keep(String digest) throws IOException;

  /**
   * Every archive the store holds, by digest, and when it was last written or {@link #keep kept}.
   */
  Map<String, Instant> lastUsed() throws IOException;

  /**
   * Deletes the archive if it was last used before {@code before}, looked at again just before the
   * delete (a {@link #keep} since the caller's {@link #lastUsed} saves it).
   *
   * @return whether it was deleted
   */
  boolean deleteUnusedSince(String digest, Instant before) throws IOException;

  /**
   * Stores {@code archive}, whose SHA-256 the caller has checked to be {@code digest}.
   *
   * @return false when the store held it already (nothing written; it is {@link #keep kept})
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
