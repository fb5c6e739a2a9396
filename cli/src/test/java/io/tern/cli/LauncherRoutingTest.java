package io.tern.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which jar {@code ./tern} and {@code deploy/bin/tern} run a call on, run for real by {@code sh}
 * with a {@code java} that only prints its arguments: client verbs go to the client jar, with or
 * without client options before them, and every other verb to the full jar.
 */
class LauncherRoutingTest {
  @TempDir Path root;

  @Test
  void clientOptionsBeforeAClientVerbStillSendItToTheClientJar() throws Exception {
    for (Path launcher : launchers()) {
      assertThat(launch(launcher, "--scheduler", "h:1", "list"))
          .as(launcher.toString())
          .contains("tern-client.jar --scheduler h:1 list");
      assertThat(launch(launcher, "--scheduler=h:1", "-o", "json", "--wait", "0", "status", "j"))
          .as(launcher.toString())
          .contains("tern-client.jar --scheduler=h:1 -o json --wait 0 status j");
      assertThat(launch(launcher, "-ojson", "--tls-ca", "ca.pem", "--token-file", "t", "logs"))
          .as(launcher.toString())
          .contains("tern-client.jar -ojson --tls-ca ca.pem --token-file t logs");
      assertThat(launch(launcher, "--version")).as(launcher.toString()).contains("tern-client.jar");
    }
  }

  @Test
  void submitStatusListAndTheVersionStartFromTheirOwnCacheAndTheRestFromTheWholeOne()
      throws Exception {
    for (Path launcher : launchers()) {
      assertThat(launch(launcher, "status", "j"))
          .as(launcher.toString())
          .contains("tern-client.aot");
      // The checkout keeps its caches in cli/target, an installation beside the launcher.
      Path caches =
          launcher.startsWith(root.resolve("dist"))
              ? launcher.getParent()
              : launcher.getParent().resolve("cli/target");
      for (String verb : List.of("submit", "status", "list", "version")) {
        Files.createFile(caches.resolve("tern-client-" + verb + ".aot"));
      }

      assertThat(launch(launcher, "--scheduler", "h:1", "status", "j"))
          .as(launcher.toString())
          .contains("tern-client-status.aot -Xlog")
          .doesNotContain("tern-client.aot");
      assertThat(launch(launcher, "submit", "x.yaml")).contains("tern-client-submit.aot -Xlog");
      assertThat(launch(launcher, "list")).contains("tern-client-list.aot -Xlog");
      assertThat(launch(launcher, "-V")).contains("tern-client-version.aot -Xlog");
      assertThat(launch(launcher, "cancel", "j"))
          .as(launcher.toString())
          .contains("-XX:AOTCache=")
          .contains("tern-client.aot -Xlog");
    }
  }

  @Test
  void otherVerbsAndAnOptionsValueThatNamesAVerbGoToTheFullJar() throws Exception {
    for (Path launcher : launchers()) {
      assertThat(launch(launcher, "zk", "--help"))
          .as(launcher.toString())
          .doesNotContain("tern-client.jar")
          .contains("zk --help");
      // "list" here is --scheduler's value, not the verb.
      assertThat(launch(launcher, "--scheduler", "list", "zk"))
          .as(launcher.toString())
          .doesNotContain("tern-client.jar");
      assertThat(launch(launcher, "--help")).as(launcher.toString()).doesNotContain("tern-client");
    }
  }

  @Test
  void agentsAndZooKeeperCompileWithC1OnlyAndTheSchedulerKeepsC2() throws Exception {
    // As io.tern.cli.bench.LocalTernCluster.LIGHT_JVM starts them for `tern bench e2e`.
    String light = "-XX:TieredStopAtLevel=1";
    for (Path launcher : launchers()) {
      assertThat(launch(launcher, "agent", "--node-id", "n1"))
          .as(launcher.toString())
          .contains(light + " ")
          .contains(".jar agent --node-id n1");
      assertThat(launch(launcher, "zk", "--port", "2181")).as(launcher.toString()).contains(light);
      assertThat(launch(launcher, "scheduler", "--zk", "h:2181"))
          .as(launcher.toString())
          .doesNotContain("TieredStopAtLevel");
      assertThat(launch(launcher, "demo")).as(launcher.toString()).doesNotContain(light);
    }
  }

  @Test
  void aDeletedWorkingDirectoryIsSaidInsteadOfTheJvmsStackTrace() throws Exception {
    for (Path launcher : launchers()) {
      Path gone = root.resolve("gone");
      Process process =
          prepared(
                  List.of(
                      "sh",
                      "-c",
                      "mkdir \"$1\" && cd \"$1\" && rmdir \"$1\" && exec sh \"$2\" list",
                      "sh",
                      gone.toString(),
                      launcher.toString()))
              .start();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(process.exitValue()).as(output).isEqualTo(2);
      assertThat(output)
          .as(launcher.toString())
          .contains("tern: the current directory no longer exists: cd to one that does")
          .doesNotContain("java ");
    }
  }

  /** Both launchers, each in a layout of its own, with a JDK whose {@code java} echoes. */
  private List<Path> launchers() throws IOException {
    Path jdk = root.resolve("jdk");
    Files.createDirectories(jdk.resolve("bin"));
    Files.writeString(jdk.resolve("release"), "JAVA_VERSION=\"25\"\n");
    executable(jdk.resolve("bin/java"), "#!/bin/sh\necho \"java $*\"\n");
    executable(jdk.resolve("bin/javac"), "#!/bin/sh\nexit 0\n");

    Path checkout = root.resolve("checkout");
    Files.createDirectories(checkout.resolve(".mvn"));
    Files.createDirectories(checkout.resolve("cli/target"));
    Files.copy(Path.of("../.mvn/jdk.sh"), checkout.resolve(".mvn/jdk.sh"));
    Files.copy(Path.of("../tern"), checkout.resolve("tern"));
    Files.createFile(checkout.resolve("cli/target/tern.jar"));
    Files.createFile(checkout.resolve("cli/target/tern-client.jar"));
    Files.createFile(checkout.resolve("cli/target/tern-client.aot"));

    Path dist = root.resolve("dist");
    Files.createDirectories(dist);
    Files.copy(Path.of("../deploy/bin/tern"), dist.resolve("tern"));
    Files.createFile(dist.resolve("tern.jar"));
    Files.createFile(dist.resolve("tern-client.jar"));
    Files.createFile(dist.resolve("tern-client.aot"));
    return List.of(checkout.resolve("tern"), dist.resolve("tern"));
  }

  private static void executable(Path file, String text) throws IOException {
    Files.writeString(file, text);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  /** What {@code launcher} ran for {@code args}: the echoing {@code java}'s line. */
  private String launch(Path launcher, String... args) throws Exception {
    List<String> argv = new java.util.ArrayList<>(List.of("sh", launcher.toString()));
    argv.addAll(List.of(args));
    Process process = prepared(argv).start();
    process.getOutputStream().close();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(output).isZero();
    return output;
  }

  /** {@code argv} with the launchers' environment: no build, the echoing JDK, the test's dist. */
  private ProcessBuilder prepared(List<String> argv) {
    ProcessBuilder builder = new ProcessBuilder(argv).redirectErrorStream(true);
    builder.environment().put("TERN_NO_BUILD", "1");
    builder.environment().put("JAVA_HOME", root.resolve("jdk").toString());
    builder.environment().put("TERN_DIST", root.resolve("dist").toString());
    builder.environment().remove("TERN_JAVA_OPTS");
    builder.environment().remove("TERN_JAR");
    return builder;
  }
}
