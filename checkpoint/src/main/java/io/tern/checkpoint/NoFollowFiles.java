package io.tern.checkpoint;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.util.Set;

/**
 * Opens a file by its real path without following a symbolic link anywhere on the way: each
 * directory is opened relative to the one before it ({@code openat} with {@code O_NOFOLLOW}, via
 * {@link SecureDirectoryStream}), and so is the file. A job that swaps a file or any directory of
 * its checkpoint for a link while the agent copies it makes the copy fail instead of reading
 * through the link. Where the platform offers no {@link SecureDirectoryStream}, only the final
 * component is opened without following links.
 */
final class NoFollowFiles {
  private static final Set<OpenOption> READ_NO_FOLLOW =
      Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);

  private NoFollowFiles() {}

  /**
   * Opens {@code file} for reading.
   *
   * @param file an absolute real path ({@link Path#toRealPath}): any link on it is refused
   */
  static InputStream open(Path file) throws IOException {
    if (!file.isAbsolute() || file.getNameCount() == 0) {
      throw new IOException(file + " is not an absolute path to a file");
    }
    DirectoryStream<Path> top = Files.newDirectoryStream(file.getRoot());
    if (!(top instanceof SecureDirectoryStream<Path> current)) {
      top.close();
      return Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS);
    }
    try {
      for (int i = 0; i < file.getNameCount() - 1; i++) {
        SecureDirectoryStream<Path> next =
            current.newDirectoryStream(file.getName(i), LinkOption.NOFOLLOW_LINKS);
        current.close();
        current = next;
      }
      SeekableByteChannel channel = current.newByteChannel(file.getFileName(), READ_NO_FOLLOW);
      return Channels.newInputStream(channel);
    } finally {
      current.close();
    }
  }
}
