package io.tern.cli.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.tern.cli.testing.ClusterCli;
import io.tern.cli.testing.FaultCluster;
import io.tern.cli.testing.TernInProcess;
import io.tern.cli.testing.TernProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Code travels with the job, against real processes ({@code tern zk}, a {@code tern scheduler} and
 * two {@code tern agent}s sharing one checkpoint store): {@code cd project && tern submit --
 * python3 probe.py} runs the script from that directory on the node, without what {@code
 * .ternignore} and {@code .gitignore} leave behind; an unchanged resubmit uploads nothing; the
 * tasks of a grid spec share one upload of its relative {@code workdir:} and get their parameters;
 * a job requeued onto the other node has its code there too; a directory over the limit is refused
 * with exit 2 naming {@code workdir}, and so is a file whose name no node would unpack.
 */
class WorkdirEndToEndTest {
  private static final Duration WAIT = Duration.ofSeconds(120);

  /**
   * Runs from the job's working directory: imports a module beside it, reads a data file by a
   * relative path, lists what it was given, and writes all that to $OUT/RUN-ATTEMPT. With
   * HOLD_FIRST=1 its first attempt then waits to be requeued.
   */
  private static final String PROBE =
      """
      import os, sys, time
      sys.path.insert(0, "lib")
      import helper
      files = []
      for root, dirs, names in os.walk("."):
          files += [os.path.relpath(os.path.join(root, n), ".") for n in names]
      run = os.environ.get("TERN_ARRAY_INDEX", "job")
      attempt = os.environ["TERN_ATTEMPT"]
      with open(os.path.join(os.environ["OUT"], run + "-" + attempt + ".tmp"), "w") as out:
          out.write(helper.greeting() + "\\n")
          out.write(open("data/config.txt").read())
          out.write(" ".join(sorted(files)) + "\\n")
          out.write(os.environ.get("TERN_PARAM_LR", "-") + " " + os.environ.get("TERN_PARAM_BS", "-") + "\\n")
      os.rename(out.name, out.name[:-4])
      if os.environ.get("HOLD_FIRST") == "1" and attempt == "1":
          time.sleep(600)
      """;

  @TempDir static Path dir;
  private static FaultCluster cluster;
  private static ClusterCli cli;

  @BeforeAll
  static void startCluster() throws Exception {
    cluster = new FaultCluster(dir, true);
    cli = new ClusterCli(cluster.address(), WAIT);
    cluster.startAgent("gpu-1", 4);
    cluster.startAgent("gpu-2", 4);
    await("two READY nodes")
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(500))
        .until(() -> cli.tern("nodes").out().split("READY", -1).length == 3);
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static Path project(String name) throws IOException {
    Path p = Files.createDirectories(dir.resolve(name));
    Files.writeString(p.resolve("probe.py"), PROBE);
    Files.createDirectories(p.resolve("lib"));
    Files.writeString(p.resolve("lib/helper.py"), "def greeting():\n    return 'hello from lib'\n");
    Files.createDirectories(p.resolve("data"));
    Files.writeString(p.resolve("data/config.txt"), "lr=0.1\n");
    Files.writeString(p.resolve(".ternignore"), "secrets/\n*.ckpt\n");
    Files.writeString(p.resolve(".gitignore"), "*.log\n");
    Files.createDirectories(p.resolve("secrets"));
    Files.writeString(p.resolve("secrets/token"), "s3cr3t\n");
    Files.writeString(p.resolve("model.ckpt"), "weights\n");
    Files.writeString(p.resolve("train.log"), "noise\n");
    return p;
  }

  private static Path out(String name) throws IOException {
    return Files.createDirectories(dir.resolve(name));
  }

  /** {@code dir} as a relative path from this JVM's directory, as {@code --workdir} ships it. */
  private static String relative(Path dir) {
    return Path.of("").toAbsolutePath().relativize(dir).toString();
  }

  /** {@code cd cwd && tern submit --scheduler ... ARGS}, as a real process; returns it ended. */
  private static TernProcess submitFrom(Path cwd, String log, String... args) throws Exception {
    List<String> all =
        Stream.concat(Stream.of("submit", "--scheduler", cluster.address()), Stream.of(args))
            .toList();
    TernProcess submit = TernProcess.startIn(cwd, dir, log, all.toArray(String[]::new));
    assertThat(submit.awaitExit(WAIT)).as("tern submit ends").isTrue();
    return submit;
  }

  private static long storedArchives() throws IOException {
    Path workdirs = cluster.checkpoints().resolve("workdirs");
    if (!Files.isDirectory(workdirs)) {
      return 0;
    }
    try (Stream<Path> files = Files.list(workdirs)) {
      return files.filter(f -> f.getFileName().toString().endsWith(".zip")).count();
    }
  }

  @Test
  void aRelativeScriptRunsFromTheSubmitDirectoryAndAnUnchangedOneIsNotUploadedAgain()
      throws Exception {
    Path project = project("probe-project");
    Path out = out("probe-out");
    long before = storedArchives();
    String[] args = {
      "--name",
      "probe",
      "--team",
      "vision",
      "--gpus",
      "1",
      "--env",
      "OUT=" + out,
      "--",
      "python3",
      "probe.py"
    };

    TernProcess first = submitFrom(project, "submit-1", args);
    String id = first.output().lines().reduce((a, b) -> b).orElseThrow().trim();
    cli.awaitState(id, "SUCCEEDED");
    TernProcess again = submitFrom(project, "submit-2", args);
    String second = again.output().lines().reduce((a, b) -> b).orElseThrow().trim();
    cli.awaitState(second, "SUCCEEDED");

    assertThat(first.exitCode()).as(first.output()).isZero();
    assertThat(first.output()).contains("uploaded as sha256-");
    assertThat(again.exitCode()).as(again.output()).isZero();
    assertThat(again.output()).contains("already stored as sha256-").doesNotContain("uploaded");
    assertThat(storedArchives()).as("one archive for both").isEqualTo(before + 1);
    assertThat(cluster.scheduler().output().split("stored workdir sha256-", -1))
        .as("the scheduler wrote it once")
        .hasSize((int) before + 2);
    List<String> ran = Files.readAllLines(out.resolve("job-1"));
    assertThat(ran.get(0)).isEqualTo("hello from lib");
    assertThat(ran.get(1)).isEqualTo("lr=0.1");
    assertThat(List.of(ran.get(2).split(" ")))
        .contains("probe.py", "lib/helper.py", "data/config.txt", ".ternignore")
        .doesNotContain("secrets/token", "model.ckpt", "train.log");
  }

  @Test
  void aGridSpecWithARelativeWorkdirShipsItOnceForEveryTask() throws Exception {
    Path project = project("grid-project");
    Files.writeString(project.resolve("data/config.txt"), "lr=grid\n");
    Path out = out("grid-out");
    Path specs = Files.createDirectories(dir.resolve("specs"));
    Path spec = specs.resolve("grid.yaml");
    Files.writeString(
        spec,
        String.join(
            "\n",
            "name: grid",
            "team: vision",
            "command: [python3, probe.py]",
            "workdir: ../grid-project",
            "env: {OUT: " + out + "}",
            "resources: {gpus: 1}",
            "array:",
            "  grid:",
            "    lr: [0.1, 0.01]",
            "    bs: [32, 64]",
            "  parallel: 2",
            ""));
    long before = storedArchives();

    TernInProcess submit = cli.tern("submit", spec.toString());
    String id = submit.out().trim();
    for (int i = 0; i < 4; i++) {
      cli.awaitState(id + "-" + i, "SUCCEEDED");
    }

    assertThat(submit.exit()).as(submit.err()).isZero();
    assertThat(submit.err()).containsOnlyOnce("uploaded as sha256-").contains("grid-project");
    assertThat(storedArchives()).as("one upload for the four tasks").isEqualTo(before + 1);
    List<String> params = List.of("0.1 32", "0.1 64", "0.01 32", "0.01 64");
    for (int i = 0; i < 4; i++) {
      List<String> ran = Files.readAllLines(out.resolve(i + "-1"));
      assertThat(ran.get(1)).isEqualTo("lr=grid");
      assertThat(ran.get(3)).as("task " + i).isEqualTo(params.get(i));
    }
  }

  @Test
  void aJobRequeuedOntoTheOtherNodeStillHasItsCode() throws Exception {
    Path project = project("moving-project");
    Files.writeString(project.resolve("data/config.txt"), "lr=0.5\n");
    Path out = out("moving-out");
    TernInProcess submit =
        cli.tern(
            "submit",
            "--workdir",
            relative(project),
            "--name",
            "moving",
            "--team",
            "vision",
            "--gpus",
            "1",
            "--env",
            "OUT=" + out,
            "--env",
            "HOLD_FIRST=1",
            "--",
            "python3",
            "probe.py");
    String id = submit.out().trim();
    await("attempt 1 ran")
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(300))
        .until(() -> Files.exists(out.resolve("job-1")));
    String firstNode = cli.job(id).path("attempts").get(0).path("node_ids").get(0).asText();
    TernInProcess drain = cli.tern("nodes drain", firstNode);
    TernInProcess requeue = cli.tern("requeue", id);
    JsonNode done = cli.awaitState(id, "SUCCEEDED");
    cli.tern("nodes undrain", firstNode);

    assertThat(submit.exit()).as(submit.err()).isZero();
    assertThat(drain.exit()).as(drain.err()).isZero();
    assertThat(requeue.exit()).as(requeue.err()).isZero();
    JsonNode attempts = done.path("attempts");
    assertThat(attempts.size()).isEqualTo(2);
    assertThat(attempts.get(1).path("node_ids").get(0).asText()).isNotEqualTo(firstNode);
    List<String> second = Files.readAllLines(out.resolve("job-2"));
    assertThat(second.get(0)).isEqualTo("hello from lib");
    assertThat(second.get(1)).isEqualTo("lr=0.5");
  }

  @Test
  void aDirectoryOverTheLimitIsRefusedNamingWorkdir() throws Exception {
    Path project = project("big-project");
    Files.write(project.resolve("data/big.bin"), new byte[2 << 20]);

    TernInProcess submit =
        cli.tern(
            "submit",
            "--workdir",
            relative(project),
            "--workdir-limit",
            "1",
            "--name",
            "big",
            "--team",
            "vision",
            "--",
            "python3",
            "probe.py");
    TernInProcess both =
        cli.tern(
            "submit",
            "--workdir",
            relative(project),
            "--no-workdir",
            "--name",
            "x",
            "--team",
            "vision",
            "--",
            "true");

    assertThat(submit.exit()).isEqualTo(2);
    assertThat(submit.err())
        .contains("workdir: " + project)
        .contains("more than 1.0 MiB")
        .contains("data/big.bin (2.0 MiB)")
        .contains("--workdir-limit");
    assertThat(submit.out()).isEmpty();
    assertThat(both.exit()).isEqualTo(2);
    assertThat(both.err()).contains("--workdir: cannot go with --no-workdir");
  }

  @Test
  void aNameNoNodeWouldUnpackIsRefusedAtTheSubmitNamingTheFile() throws Exception {
    Path project = project("awkward-names");
    Files.writeString(project.resolve("back\\slash"), "x\n");

    TernInProcess submit = submitTrue(project);
    Files.delete(project.resolve("back\\slash"));
    Files.writeString(project.resolve("new\nline"), "x\n");
    TernInProcess newline = submitTrue(project);

    assertThat(submit.exit()).as(submit.err()).isEqualTo(2);
    assertThat(submit.out()).isEmpty();
    assertThat(submit.err())
        .contains("workdir: " + project)
        .contains("back\\slash: it holds a backslash")
        .contains(".ternignore")
        .doesNotContain("uploaded");
    assertThat(newline.exit()).as(newline.err()).isEqualTo(2);
    assertThat(newline.err()).contains("new\\nline: it holds a control character (\\x0a)");
  }

  /** {@code tern submit --workdir PROJECT ... -- true}. */
  private static TernInProcess submitTrue(Path project) {
    return cli.tern(
        "submit",
        "--workdir",
        relative(project),
        "--name",
        "awkward",
        "--team",
        "vision",
        "--",
        "true");
  }
}
