package io.tern.checkpoint;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * How a store reads the files of a local checkpoint directory during a commit. The default opens
 * the file without following a final symbolic link, so a file swapped for a link after the scan is
 * not read through it. Tests substitute one that fails part-way to simulate a crash mid-commit.
 */
@FunctionalInterface
public interface SourceOpener {

  SourceOpener DEFAULT = file -> Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS);

  InputStream open(Path file) throws IOException;
}
