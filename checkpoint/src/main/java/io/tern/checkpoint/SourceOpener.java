package io.tern.checkpoint;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

/**
 * How a store reads the files of a local checkpoint directory during a commit. The default opens
 * the file by its real path without following a symbolic link anywhere on the way ({@link
 * NoFollowFiles}), so a file or directory swapped for a link after the scan is not read through it.
 * Tests substitute one that fails part-way to simulate a crash mid-commit.
 */
@FunctionalInterface
public interface SourceOpener {

  SourceOpener DEFAULT = NoFollowFiles::open;

  InputStream open(Path file) throws IOException;
}
