package io.tern.checkpoint.workdir;

import io.tern.checkpoint.Sha256;
import io.tern.checkpoint.StoreUnreachableException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/** Archives as files under a shared file system's store root ({@link WorkdirStore#key}). */
public final class FsWorkdirStore implements WorkdirStore {
  /** The store's root, checked to be the store now. */
  @FunctionalInterface
  public interface Root {
    /**
     * @throws StoreUnreachableException when the store is gone (a volume not mounted)
     */
    Path require() throws StoreUnreachableException;
  }

  private final Root root;

  /**
   * @param root the checkpoint store's root directory, unreachable while it is not a directory
   */
  public FsWorkdirStore(Path root) {
    this(
        () -> {
          StoreUnreachableException.requireDirectory(root);
          return root;
        });
  }

  private FsWorkdirStore(Root root) {
    this.root = root;
  }

  /** Archives under the root {@code root} gives, checked before every call. */
  public static FsWorkdirStore checked(Root root) {
    return new FsWorkdirStore(root);
  }

  private static Path file(Path root, String digest) {
    return root.resolve(WorkdirStore.key(digest));
  }

  @Override
  public boolean keep(String digest) throws IOException {
    Path r = root.require();
    try {
      Files.setLastModifiedTime(file(r, digest), FileTime.from(Instant.now()));
      return true;
    } catch (NoSuchFileException e) {
      return false;
    }
  }

  @Override
  public Map<String, Instant> lastUsed() throws IOException {
    Path r = root.require();
    Map<String, Instant> out = new TreeMap<>();
    Path dir = file(r, "0".repeat(64)).getParent();
    if (!Files.isDirectory(dir)) {
      return out;
    }
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "sha256-*.zip")) {
      for (Path f : files) {
        String digest = WorkdirStore.digestOf(f.getFileName().toString());
        if (digest != null && Files.isRegularFile(f, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
          try {
            out.put(digest, Files.getLastModifiedTime(f).toInstant());
          } catch (NoSuchFileException e) {
            // deleted meanwhile
          }
        }
      }
    }
    return out;
  }

  @Override
  public boolean deleteUnusedSince(String digest, Instant before) throws IOException {
    Path file = file(root.require(), digest);
    try {
      if (!Files.getLastModifiedTime(file).toInstant().isBefore(before)) {
        return false;
      }
    } catch (NoSuchFileException e) {
      return false;
    }
    return Files.deleteIfExists(file);
  }

  @Override
  public boolean put(String digest, Path archive) throws IOException {
    Path file = file(root.require(), digest);
    if (keep(digest)) {
      return false;
    }
    Files.createDirectories(file.getParent());
    Path tmp = Files.createTempFile(file.getParent(), ".upload-", ".tmp");
    try {
      Files.copy(archive, tmp, StandardCopyOption.REPLACE_EXISTING);
      try (var channel = java.nio.channels.FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        channel.force(true);
      }
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
      removeStaleUploads(file.getParent());
      return true;
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** How old an upload's temporary file must be to be taken for one a killed process left. */
  static final java.time.Duration STALE_UPLOAD = java.time.Duration.ofDays(1);

  /** Deletes the temporary files of uploads older than {@link #STALE_UPLOAD}; best effort. */
  private static void removeStaleUploads(Path dir) {
    Instant before = Instant.now().minus(STALE_UPLOAD);
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, ".upload-*.tmp")) {
      for (Path f : files) {
        try {
          if (Files.getLastModifiedTime(f).toInstant().isBefore(before)) {
            Files.deleteIfExists(f);
          }
        } catch (IOException e) {
          // another put removed it, or it cannot be: the next put tries again
        }
      }
    } catch (IOException e) {
      // the next put tries again
    }
  }

  @Override
  public void fetch(String digest, Path target) throws IOException {
    Path file = file(root.require(), digest);
    Sha256.Digest copied;
    try (InputStream in = Files.newInputStream(file);
        OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE_NEW)) {
      copied = Sha256.copy(in, out, Long.MAX_VALUE - 1);
    }
    FetchCheck.require(digest, copied.sha256(), target);
  }
}
