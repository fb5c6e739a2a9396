package io.tern.checkpoint;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;

/** Removing what jobs wrote: a folder and all under it, whatever modes the job left there. */
public final class FileTrees {
  private FileTrees() {}

  /**
   * Removes {@code dir} and all under it; a symbolic link is removed as a link, never followed. A
   * folder the job made read-only is made writable first. Nothing there is fine.
   */
  public static void remove(Path dir) throws IOException {
    if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    Files.walkFileTree(
        dir,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs)
              throws IOException {
            Set<PosixFilePermission> mode = Files.getPosixFilePermissions(d);
            if (!mode.contains(PosixFilePermission.OWNER_WRITE)
                || !mode.contains(PosixFilePermission.OWNER_EXECUTE)) {
              mode.add(PosixFilePermission.OWNER_WRITE);
              mode.add(PosixFilePermission.OWNER_EXECUTE);
              mode.add(PosixFilePermission.OWNER_READ);
              Files.setPosixFilePermissions(d, mode); // the job made it read-only
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            Files.deleteIfExists(file);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
            if (e != null) {
              throw e;
            }
            Files.deleteIfExists(d);
            return FileVisitResult.CONTINUE;
          }
        });
  }
}
