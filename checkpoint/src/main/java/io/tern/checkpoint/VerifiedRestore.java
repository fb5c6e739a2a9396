package io.tern.checkpoint;

import io.tern.checkpoint.CheckpointManifest.ManifestFile;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.UUID;

/**
 * Writes a checkpoint's files into a target directory, checking each against its manifest entry:
 * into a hidden sibling first, then one rename, so the target holds a whole verified checkpoint or
 * nothing new.
 */
final class VerifiedRestore {

  /** Opens a stored file by its manifest path; {@link NoSuchFileException} when it is absent. */
  @FunctionalInterface
  interface StoredFiles {
    InputStream open(String path) throws IOException;
  }

  private VerifiedRestore() {}

  static void requireRestorableTarget(Path targetDir) throws IOException {
    if (Files.exists(targetDir, LinkOption.NOFOLLOW_LINKS)) {
      if (!Files.isDirectory(targetDir, LinkOption.NOFOLLOW_LINKS)) {
        throw new CheckpointException(targetDir + " exists and is not a directory");
      }
      try (var entries = Files.list(targetDir)) {
        if (entries.findAny().isPresent()) {
          throw new CheckpointException(targetDir + " is not empty");
        }
      }
    }
  }

  /** Copies, verifies, then moves into place; leaves nothing behind on failure. */
  static void restore(CheckpointManifest manifest, StoredFiles files, Path targetDir)
      throws IOException {
    Path target = targetDir.toAbsolutePath().normalize();
    Path parent = target.getParent();
    Files.createDirectories(parent);
    Path temp = parent.resolve("." + target.getFileName() + ".restore-" + UUID.randomUUID());
    Files.createDirectory(temp);
    try {
      for (ManifestFile f : manifest.files()) {
        Path dest = temp.resolve(f.path()).normalize();
        if (!dest.startsWith(temp) || dest.equals(temp)) {
          throw new CorruptCheckpointException("manifest path " + f.path() + " leaves the target");
        }
        Files.createDirectories(dest.getParent());
        Sha256.Digest d;
        try (InputStream in = files.open(f.path());
            OutputStream out = Files.newOutputStream(dest)) {
          d = Sha256.copy(in, out, f.size());
        } catch (NoSuchFileException e) {
          throw new CorruptCheckpointException("file " + f.path() + " is missing");
        }
        if (d.size() != f.size()) {
          throw new CorruptCheckpointException(
              "file "
                  + f.path()
                  + " has "
                  + (d.size() > f.size() ? "more than " + f.size() : d.size())
                  + " bytes, manifest says "
                  + f.size());
        }
        if (!d.sha256().equals(f.sha256())) {
          throw new CorruptCheckpointException("file " + f.path() + " fails its SHA-256 check");
        }
      }
      try {
        Files.deleteIfExists(target);
      } catch (DirectoryNotEmptyException e) {
        throw new CheckpointException(target + " is not empty");
      }
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException | RuntimeException e) {
      AbstractCheckpointStore.deleteTree(temp);
      throw e;
    }
  }
}
