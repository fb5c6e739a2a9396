package io.tern.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./tern}'s freshness check, run for real by {@code sh} in a copy of the checkout's layout
 * whose {@code mvnw} only records that it was asked to build: a source newer than either jar makes
 * the launcher build before it runs anything.
 */
class LauncherFreshnessTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  @TempDir Path root;

  @Test
  void aSourceNewerThanTheClientJarAloneIsBuiltBeforeAClientVerbRuns() throws Exception {
    layout();
    touch("cli/target/tern.jar", 30);
    touch("cli/target/tern-client.jar", 10);
    touch("cli/src/main/java/Changed.java", 20);

    Result run = launch("status", "job-000001");

    assertThat(Files.exists(root.resolve("built"))).as("mvnw was asked to build").isTrue();
    assertThat(run.exit()).isEqualTo(1);
    assertThat(run.output()).contains("tern: building the distribution");
  }

  @Test
  void aSourceNewerThanTheServerJarAloneIsBuiltBeforeAServerVerbRuns() throws Exception {
    layout();
    touch("cli/target/tern.jar", 10);
    touch("cli/target/tern-client.jar", 30);
    touch("cli/src/main/java/Changed.java", 20);

    launch("zk", "--help");

    assertThat(Files.exists(root.resolve("built"))).as("mvnw was asked to build").isTrue();
  }

  @Test
  void sourcesOlderThanBothJarsBuildNothing() throws Exception {
    layout();
    touch("cli/target/tern.jar", 30);
    touch("cli/target/tern-client.jar", 30);
    touch("cli/src/main/java/Changed.java", 20);

    launch("status", "job-000001");

    assertThat(Files.exists(root.resolve("built"))).as("mvnw was asked to build").isFalse();
  }

  @Test
  void aTestNewerThanTheJarsBuildsNothing() throws Exception {
    layout();
    touch("cli/target/tern.jar", 30);
    touch("cli/target/tern-client.jar", 30);
    touch("cli/src/test/java/ChangedTest.java", 40);
    touch("scheduler/core/src/test/resources/fixture.yaml", 40);

    launch("status", "job-000001");

    assertThat(Files.exists(root.resolve("built"))).as("mvnw was asked to build").isFalse();
  }

  @Test
  void aMainResourceNewerThanTheJarsIsBuilt() throws Exception {
    layout();
    touch("cli/target/tern.jar", 30);
    touch("cli/target/tern-client.jar", 30);
    touch("scheduler/core/src/main/resources/defaults.yaml", 40);

    launch("zk", "--help");

    assertThat(Files.exists(root.resolve("built"))).as("mvnw was asked to build").isTrue();
  }

  @Test
  void aNativeSourceNewerThanTheJarsIsBuilt() throws Exception {
    layout();
    touch("cli/target/tern.jar", 30);
    touch("cli/target/tern-client.jar", 30);
    touch("agent/src/main/c/job_shim.c", 40);

    launch("agent", "--help");

    assertThat(Files.exists(root.resolve("built"))).as("mvnw was asked to build").isTrue();
  }

  /** The launcher and what it sources, and an {@code mvnw} that records the call and fails. */
  private void layout() throws IOException {
    Files.createDirectories(root.resolve(".mvn"));
    Files.copy(Path.of("../tern"), root.resolve("tern"));
    Files.copy(Path.of("../.mvn/jdk.sh"), root.resolve(".mvn/jdk.sh"));
    Path mvnw = root.resolve("mvnw");
    Files.writeString(mvnw, "#!/bin/sh\ntouch \"" + root.resolve("built") + "\"\nexit 1\n");
    Files.setPosixFilePermissions(mvnw, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.setPosixFilePermissions(
        root.resolve("tern"), PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  /** Creates {@code path} (empty) with a modification time {@code minutes} after {@link #T0}. */
  private void touch(String path, int minutes) throws IOException {
    Path file = root.resolve(path);
    Files.createDirectories(file.getParent());
    if (!Files.exists(file)) {
      Files.createFile(file);
    }
    Files.setLastModifiedTime(file, FileTime.from(T0.plusSeconds(60L * minutes)));
  }

  record Result(int exit, String output) {}

  private Result launch(String... args) throws Exception {
    String[] argv = new String[args.length + 2];
    argv[0] = "sh";
    argv[1] = root.resolve("tern").toString();
    System.arraycopy(args, 0, argv, 2, args.length);
    ProcessBuilder builder = new ProcessBuilder(argv).redirectErrorStream(true);
    builder.environment().remove("TERN_NO_BUILD");
    Process process = builder.start();
    process.getOutputStream().close();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Result(process.exitValue(), output);
  }
}
