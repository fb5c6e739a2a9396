package io.tern.checkpoint.workdir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The check both stores make on what they fetched. */
final class FetchCheck {
  private FetchCheck() {}

  /** Deletes {@code copy} and throws when its digest is not the one asked for. */
  static void require(String digest, String actual, Path copy) throws IOException {
    if (!digest.equals(actual)) {
      Files.deleteIfExists(copy);
      throw new IOException(
          "the stored workdir sha256-" + digest + " is damaged (its bytes hash to " + actual + ")");
    }
  }
}
