package io.tern.checkpoint.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Runs the unit tests of python/tern/checkpoint.py (python/tests, Python's unittest) as part of the
 * build: a real python3 process, whose failures fail this test.
 */
class PythonCheckpointHelperTest {
  private static final Path PYTHON = Path.of("..", "python").toAbsolutePath().normalize();

  @Test
  void theHelpersOwnTestsPass() throws IOException, InterruptedException {
    Assumptions.assumeTrue(onPath("python3"), "python3 is not on PATH");
    Process p =
        new ProcessBuilder(
                "python3", "-m", "unittest", "discover", "-s", PYTHON.resolve("tests").toString())
            .redirectErrorStream(true)
            .start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();

    assertThat(p.exitValue()).as(out).isZero();
    assertThat(out).as(out).containsPattern("Ran [1-9][0-9]* tests").contains("\nOK");
  }

  private static boolean onPath(String program) {
    return java.util.Arrays.stream(System.getenv().getOrDefault("PATH", "").split(":"))
        .anyMatch(dir -> Files.isExecutable(Path.of(dir, program)));
  }
}
