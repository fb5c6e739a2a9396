package io.tern.cli.demo;

import com.google.protobuf.Duration;
import io.tern.api.v1.CapacityPreference;
import io.tern.api.v1.CheckpointPolicy;
import io.tern.api.v1.JobSpec;
import io.tern.api.v1.Priority;
import io.tern.api.v1.Resources;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The demo's workload, built on {@code examples/jobs/counter.sh}: a deterministic job that
 * checkpoints every few steps and on SIGUSR1 and whose last line is the same however often it was
 * interrupted. Also reads what the jobs wrote (their attempt logs in the agents' work directories).
 */
final class DemoJobs {
  static final int TRAIN_STEPS = 500;
  static final double TRAIN_STEP_SECONDS = 0.1;
  static final int LOW_STEPS = 150;
  static final double LOW_STEP_SECONDS = 0.05;
  static final int CHECKPOINT_EVERY = 25;
  static final int DEADLINE_STEPS = 200;
  static final double DEADLINE_STEP_SECONDS = 0.1;

  /**
   * What the deadline job declares: at most 6 h of work, due 7 h after it is submitted. The core
   * measures it against these (its real run takes seconds): its 50 min of slack is within the
   * reserve it keeps for changeovers (15 % of its work, 54 min), so it has no time to wait for spot
   * and takes on-demand when there is none; once spot is there, the saving on 6 h of work left
   * beats a changeover, and its slack still covers a move to spot and back (40 min against a 30 min
   * margin).
   */
  static final java.time.Duration DEADLINE_MAX_RUNTIME = java.time.Duration.ofHours(6);

  static final java.time.Duration DEADLINE_IN = java.time.Duration.ofHours(7);

  private static final Pattern STEP = Pattern.compile("^step (\\d+)$", Pattern.MULTILINE);
  private static final Pattern RESUMED =
      Pattern.compile("^resumed: step=(\\d+)$", Pattern.MULTILINE);
  private static final Path COUNTER = Path.of("examples", "jobs", "counter.sh");

  private final Path counter;

  private DemoJobs(Path counter) {
    this.counter = counter;
  }

  /**
   * Finds {@code examples/jobs/counter.sh} from the current directory or the jar's, walking up: the
   * demo runs from a source checkout (`./tern demo`) or its {@code cli/} module (tests).
   */
  static DemoJobs locate() {
    for (Path start : List.of(Path.of("").toAbsolutePath(), jarDirectory())) {
      for (Path p = start; p != null; p = p.getParent()) {
        Path candidate = p.resolve(COUNTER);
        if (Files.isRegularFile(candidate)) {
          return new DemoJobs(candidate.normalize());
        }
      }
    }
    throw new IllegalStateException(
        "cannot find examples/jobs/counter.sh: run `tern demo` from a Tern source checkout");
  }

  private static Path jarDirectory() {
    String first = System.getProperty("java.class.path").split(File.pathSeparator)[0];
    return Path.of(first).toAbsolutePath().getParent();
  }

  Path counter() {
    return counter;
  }

  /** The source checkout {@code examples/jobs/counter.sh} was found in. */
  Path repoRoot() {
    return counter.toAbsolutePath().getParent().getParent().getParent();
  }

  /** The training job: spot-ok, one GPU, checkpoints every 25 steps and on SIGUSR1. */
  JobSpec training() {
    return counterJob(
            "train-counter", TRAIN_STEPS, TRAIN_STEP_SECONDS, CapacityPreference.CAPACITY_SPOT_OK)
        .setPriority(Priority.PRIORITY_NORMAL)
        .build();
  }

  /**
   * A fine-tuning job with a deadline ({@link #DEADLINE_IN} from {@code now}) and a maximum
   * runtime: spot-ok and checkpointable, so the scheduler moves it back to spot when spot returns.
   */
  JobSpec deadline(java.time.Instant now) {
    java.time.Instant due = now.plus(DEADLINE_IN);
    return counterJob(
            "finetune-deadline",
            DEADLINE_STEPS,
            DEADLINE_STEP_SECONDS,
            CapacityPreference.CAPACITY_SPOT_OK)
        .setPriority(Priority.PRIORITY_NORMAL)
        .setDeadline(
            com.google.protobuf.Timestamp.newBuilder()
                .setSeconds(due.getEpochSecond())
                .setNanos(due.getNano()))
        .setMaxRuntime(Duration.newBuilder().setSeconds(DEADLINE_MAX_RUNTIME.toSeconds()))
        .build();
  }

  /** A low-priority batch job on on-demand capacity that a high-priority one will preempt. */
  JobSpec lowPriority() {
    return counterJob(
            "batch-low", LOW_STEPS, LOW_STEP_SECONDS, CapacityPreference.CAPACITY_ON_DEMAND)
        .setPriority(Priority.PRIORITY_LOW)
        .build();
  }

  /** A high-priority job that needs the whole on-demand node (two GPUs) for a few seconds. */
  static JobSpec highPriority() {
    return JobSpec.newBuilder()
        .setName("urgent-eval")
        .setTeam("research")
        .addAllCommand(
            List.of(
                "bash", "-c", "echo \"eval on GPUs $CUDA_VISIBLE_DEVICES\"; sleep 3; echo done"))
        .setResources(Resources.newBuilder().setGpus(2).setNodes(1))
        .setPriority(Priority.PRIORITY_HIGH)
        .setCapacity(CapacityPreference.CAPACITY_ON_DEMAND)
        .build();
  }

  /** A gang: two on-demand nodes with one GPU each, placed whole or not at all. */
  static JobSpec gang() {
    return JobSpec.newBuilder()
        .setName("gang-allreduce")
        .setTeam("nlp")
        .addAllCommand(
            List.of(
                "bash",
                "-c",
                "echo \"member of $TERN_JOB_ID on GPUs $CUDA_VISIBLE_DEVICES\"; sleep 2; echo"
                    + " done"))
        .setResources(Resources.newBuilder().setGpus(1).setNodes(2))
        .setPriority(Priority.PRIORITY_NORMAL)
        .setCapacity(CapacityPreference.CAPACITY_ON_DEMAND)
        .build();
  }

  private JobSpec.Builder counterJob(
      String name, int steps, double stepSeconds, CapacityPreference capacity) {
    return JobSpec.newBuilder()
        .setName(name)
        .setTeam("research")
        .addAllCommand(List.of("bash", counter.toString(), Integer.toString(steps)))
        .putAllEnv(
            Map.of(
                "STEP_SECONDS", String.format(Locale.ROOT, "%.2f", stepSeconds),
                "CHECKPOINT_EVERY", Integer.toString(CHECKPOINT_EVERY)))
        .setResources(Resources.newBuilder().setGpus(1).setNodes(1))
        .setCapacity(capacity)
        .setCheckpoint(
            CheckpointPolicy.newBuilder()
                .setSignal("SIGUSR1")
                .setGrace(Duration.newBuilder().setSeconds(10))
                .setInterval(Duration.newBuilder().setSeconds(60)));
  }

  /** The last line of an uninterrupted run of {@code counter.sh STEPS}, computed without sleeps. */
  String uninterruptedFinalLine(int steps) throws IOException, InterruptedException {
    ProcessBuilder builder =
        new ProcessBuilder("bash", counter.toString(), Integer.toString(steps))
            .redirectErrorStream(true);
    builder.environment().keySet().removeIf(k -> k.startsWith("TERN_"));
    builder.environment().put("STEP_SECONDS", "0");
    Process run = builder.start();
    String out = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!run.waitFor(60, TimeUnit.SECONDS) || run.exitValue() != 0) {
      throw new IllegalStateException("counter.sh " + steps + " failed:\n" + out);
    }
    return lastLine(out);
  }

  static Path attemptLog(Path agentWorkDir, String jobId, int attempt) {
    return agentWorkDir
        .resolve("jobs")
        .resolve(jobId)
        .resolve("attempt-" + attempt)
        .resolve("output.log");
  }

  static String read(Path log) {
    try {
      return Files.exists(log) ? Files.readString(log) : "";
    } catch (IOException e) {
      return "";
    }
  }

  /** The last "step N" a counter job printed; 0 if none. */
  static int lastStep(String log) {
    Matcher m = STEP.matcher(log);
    int last = 0;
    while (m.find()) {
      last = Integer.parseInt(m.group(1));
    }
    return last;
  }

  /** The step a counter job resumed from; -1 if it did not resume. */
  static int resumedStep(String log) {
    Matcher m = RESUMED.matcher(log);
    return m.find() ? Integer.parseInt(m.group(1)) : -1;
  }

  static String lastLine(String text) {
    List<String> lines = text.strip().lines().toList();
    return lines.isEmpty() ? "" : lines.getLast();
  }
}
