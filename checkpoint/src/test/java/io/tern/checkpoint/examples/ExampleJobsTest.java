package io.tern.checkpoint.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tern.checkpoint.AttemptFence;
import io.tern.checkpoint.CheckpointDirectoryScanner;
import io.tern.checkpoint.CheckpointDirectoryScanner.CompletedCheckpoint;
import io.tern.checkpoint.CheckpointStore;
import io.tern.checkpoint.CheckpointStoreSettings;
import io.tern.checkpoint.CommittedCheckpoint;
import io.tern.checkpoint.RestoreResult;
import io.tern.checkpoint.fs.FsCheckpointStore;
import io.tern.testing.TestClock;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Runs the example jobs of examples/jobs as real processes, the way the agent will: interrupt one
 * with SIGUSR1 sent to its process group, commit its checkpoints to the filesystem store, restore
 * the latest into a resume directory, and run it again from there. The resumed run must print the
 * same final line as a run that was never interrupted.
 */
class ExampleJobsTest {

  private static final Path JOBS = Path.of("..", "examples", "jobs").toAbsolutePath().normalize();
  private static final int TOTAL = 60;
  private static final Duration DEADLINE = Duration.ofSeconds(60);

  @TempDir Path tmp;

  private static List<String> command(String job) {
    return switch (job) {
      case "counter.sh" -> List.of("bash", JOBS.resolve(job).toString(), String.valueOf(TOTAL));
      case "train.py", "torch_state_dict.py" ->
          List.of("python3", JOBS.resolve(job).toString(), String.valueOf(TOTAL));
      default -> throw new IllegalArgumentException(job);
    };
  }

  @ParameterizedTest
  @ValueSource(strings = {"counter.sh", "train.py", "torch_state_dict.py"})
  void anInterruptedAndResumedRunEndsLikeAnUninterruptedOne(String job) throws Exception {
    assumeOnPath(job.endsWith(".py") ? "python3" : "bash");
    assumeOnPath("setsid");

    JobRun straight = JobRun.start(command(job), env(tmp.resolve("straight"), null, "0.005"));
    straight.awaitExit(0);
    String expected = straight.finalLine();
    assertThat(expected).startsWith("final: steps=" + TOTAL + " ");

    Path checkpoints = Files.createDirectories(tmp.resolve("checkpoints"));
    JobRun first = JobRun.start(command(job), env(checkpoints, null, "0.05"));
    await().atMost(DEADLINE).until(() -> first.lines().stream().anyMatch(l -> isStep(l, 10)));
    first.signalGroup("USR1");
    first.awaitExit(0);
    assertThat(first.lines()).noneMatch(l -> l.startsWith("final:"));
    assertThat(first.lines()).anyMatch(l -> l.startsWith("checkpointed on signal"));

    List<CompletedCheckpoint> ready =
        new CheckpointDirectoryScanner(checkpoints).scan(Set.of()).ready();
    assertThat(ready).extracting(CompletedCheckpoint::name).contains("step-000008");
    try (CheckpointStore store =
        new FsCheckpointStore(
            Files.createDirectories(tmp.resolve("store")),
            CheckpointStoreSettings.of(2, new TestClock(Instant.parse("2026-11-23T06:00:00Z"))))) {
      CommittedCheckpoint last = null;
      for (CompletedCheckpoint c : ready) {
        last =
            store.commit(
                "job-1", new AttemptFence(1, 0), c.directory(), c.name(), OptionalLong.empty());
      }
      Path resume = tmp.resolve("resume");
      RestoreResult restored = store.restoreLatest("job-1", resume);
      assertThat(restored.restored()).contains(last);
      assertThat(restored.skipped()).isEmpty();
      int stoppedAt = Integer.parseInt(last.name().substring("step-".length()));
      assertThat(stoppedAt).isBetween(10, TOTAL - 1);

      JobRun resumed =
          JobRun.start(command(job), env(tmp.resolve("checkpoints-2"), resume, "0.005"));
      resumed.awaitExit(0);
      assertThat(resumed.lines()).contains("resumed: step=" + stoppedAt);
      assertThat(resumed.lines()).noneMatch(l -> isStep(l, stoppedAt));
      assertThat(resumed.finalLine()).isEqualTo(expected);
    }
  }

  /** "step 10" (bash) or "step 10 loss ..." (python). */
  private static boolean isStep(String line, int step) {
    return line.equals("step " + step) || line.startsWith("step " + step + " ");
  }

  private static Map<String, String> env(Path checkpointDir, Path resumeDir, String stepSeconds) {
    Map<String, String> env = new HashMap<>();
    env.put("TERN_CHECKPOINT_DIR", checkpointDir.toString());
    if (resumeDir != null) {
      env.put("TERN_RESUME_DIR", resumeDir.toString());
    }
    env.put("STEP_SECONDS", stepSeconds);
    env.put("CHECKPOINT_EVERY", "8");
    return env;
  }

  private static void assumeOnPath(String program) {
    boolean found =
        java.util.Arrays.stream(System.getenv().getOrDefault("PATH", "").split(":"))
            .anyMatch(dir -> Files.isExecutable(Path.of(dir, program)));
    Assumptions.assumeTrue(found, program + " is not on PATH");
  }

  /** A job process in its own process group, its output collected line by line. */
  private static final class JobRun {
    private final Process process;
    private final List<String> lines = Collections.synchronizedList(new ArrayList<>());
    private final Thread reader;

    private JobRun(Process process) {
      this.process = process;
      this.reader =
          Thread.ofVirtual()
              .start(
                  () -> {
                    try (BufferedReader r =
                        new BufferedReader(
                            new InputStreamReader(
                                process.getInputStream(), StandardCharsets.UTF_8))) {
                      for (String line; (line = r.readLine()) != null; ) {
                        lines.add(line);
                      }
                    } catch (IOException e) {
                      throw new UncheckedIOException(e);
                    }
                  });
    }

    static JobRun start(List<String> command, Map<String, String> env) throws IOException {
      List<String> argv = new ArrayList<>();
      argv.add("setsid"); // its own process group, like the agent starts jobs
      argv.addAll(command);
      ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true);
      pb.environment().putAll(env);
      return new JobRun(pb.start());
    }

    List<String> lines() {
      synchronized (lines) {
        return List.copyOf(lines);
      }
    }

    void signalGroup(String signal) throws Exception {
      Process kill =
          new ProcessBuilder("kill", "-" + signal, "--", "-" + process.pid())
              .redirectErrorStream(true)
              .start();
      assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
      assertThat(kill.exitValue()).as("kill exit status").isZero();
    }

    void awaitExit(int expected) throws Exception {
      boolean exited = process.waitFor(DEADLINE.toSeconds(), TimeUnit.SECONDS);
      if (!exited) {
        process.destroyForcibly();
      }
      assertThat(exited).as("job exited before the deadline; output: %s", lines()).isTrue();
      reader.join(Duration.ofSeconds(10));
      assertThat(process.exitValue()).as("exit status; output: %s", lines()).isEqualTo(expected);
    }

    String finalLine() {
      List<String> all = lines();
      assertThat(all).isNotEmpty();
      return all.get(all.size() - 1);
    }
  }
}
