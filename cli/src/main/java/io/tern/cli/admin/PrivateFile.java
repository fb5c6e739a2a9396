package io.tern.cli.admin;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.Set;

/**
 * Files only their owner may read (mode 0600), for secrets such as bearer tokens. The mode is set
 * before the secret is written, so the secret is never readable by others, not even for a moment.
 */
public final class PrivateFile {
  static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

  private PrivateFile() {}

  /** Writes {@code text} to {@code file} at mode 0600, replacing what was there. */
  public static void write(Path file, String text) throws IOException {
    if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
      Files.setPosixFilePermissions(file, OWNER_ONLY);
    } else {
      Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
    }
    Files.writeString(
        file,
        text,
        StandardCharsets.UTF_8,
        StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING);
  }

  /**
   * When this process's standard output is a regular file (the shell's {@code > ops.token}), sets
   * it to mode 0600 and returns it; the shell made it with the umask's mode (often 0644). Linux
   * only ({@code /proc/self/fd/1}); elsewhere, or for a terminal or pipe, nothing.
   */
  public static Optional<Path> tightenRedirectedStdout() {
    Path fd = Path.of("/proc/self/fd/1");
    try {
      Path target = Files.readSymbolicLink(fd);
      if (!target.isAbsolute() || !Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)) {
        return Optional.empty();
      }
      Files.setPosixFilePermissions(target, OWNER_ONLY);
      return Optional.of(target);
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      return Optional.empty();
    }
  }
}
