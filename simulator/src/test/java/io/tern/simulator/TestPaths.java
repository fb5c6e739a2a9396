package io.tern.simulator;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Paths of test inputs: bundled resources and the shared real traces. */
public final class TestPaths {
  private TestPaths() {}

  /** A file under src/test/resources. */
  public static Path resource(String name) {
    try {
      return Path.of(TestPaths.class.getResource("/" + name).toURI());
    } catch (URISyntaxException | NullPointerException e) {
      throw new IllegalStateException("missing test resource " + name, e);
    }
  }

  /** The shared traces directory (module dir/../../shared/traces); skips the test if absent. */
  public static Path sharedTraces() {
    Path dir = Path.of("../../shared/traces");
    assumeTrue(Files.isDirectory(dir), "shared traces not present at " + dir.toAbsolutePath());
    return dir;
  }
}
