package io.tern.cli.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.tern.cli.TernCommand;
import io.tern.cli.testing.TernInProcess;
import io.tern.cli.testing.TernProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tern admin token create --zk ... > ops.token}, as the README once said: the shell creates
 * the file with the umask's mode (0644 here), and the command sets it to 0600 before it writes.
 */
class TokenFileTest {
  @TempDir Path dir;

  @Test
  void aTokenPrintedIntoAFileLeavesItReadableByItsOwnerOnly() throws Exception {
    try (TestingServer zk = new TestingServer(true)) {
      Path home = Files.createDirectories(dir.resolve("home"));
      // TernProcess sends stdout (and stderr) to NAME.log, a regular file, as `>` would.
      TernProcess create =
          TernProcess.startUnconfigured(
              dir,
              "ops.token",
              home,
              "admin",
              "token",
              "create",
              "--zk",
              zk.getConnectString(),
              "--user",
              "ops",
              "--role",
              "admin");
      assertThat(create.awaitExit(Duration.ofSeconds(60))).isTrue();

      Path file = dir.resolve("ops.token.log");
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
          .isEqualTo("rw-------");
      assertThat(create.output()).contains("tern_").contains("to mode 0600");
    }
  }

  @Test
  void yamlIsNotAnOutputOfTokenCreate() {
    // Refused before anything is minted: no scheduler listens at the address given.
    TernInProcess run =
        TernInProcess.run(
            "admin",
            "token",
            "create",
            "--scheduler",
            "127.0.0.1:" + TernProcess.freePort(),
            "--user",
            "x",
            "--role",
            "admin",
            "-o",
            "yaml");

    assertThat(run.exit()).isEqualTo(TernCommand.EXIT_BAD_INPUT);
    assertThat(run.err()).startsWith("tern admin token create: -o: json, or a FILE");
  }
}
