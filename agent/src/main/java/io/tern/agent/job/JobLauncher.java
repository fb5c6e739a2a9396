package io.tern.agent.job;

import io.tern.api.v1.JobSpec;
import io.tern.api.v1.StartJob;
import io.tern.checkpoint.CheckpointException;
import io.tern.checkpoint.CheckpointStoreFullException;
import io.tern.checkpoint.StoreUnreachableException;
import io.tern.scheduler.spec.workdir.WorkdirArchive;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a {@link StartJob} into a running process: checks the command, GPUs and directories,
 * prepares the attempt's directories ({@link WorkDir}), records the attempt ({@link
 * AttemptRecord#started}), and starts {@code job-shim ATTEMPT_DIR LEASE SIGNAL SUCCESS_FILE - --
 * COMMAND ARGS...} (the native shim) or {@code setsid bash job-shim.sh ATTEMPT_DIR LEASE SIGNAL
 * SUCCESS_FILE SETPRIV -- COMMAND ARGS...} ({@link JobShim}) with stdin from /dev/null and
 * stdout+stderr appended to the attempt's log. {@link #launch} returns once the shim runs; {@link
 * #awaitJobGroup} waits, off the agent's loop, for the shim to record the job's process group, so
 * that the agent starts several jobs at once rather than one shim start-up after the other.
 *
 * <p>The shim (a resource, installed as {@link WorkDir#shim}) is the agent's child and the job's
 * parent. It starts the job in its own process group, records the group in {@code job.pid}, and
 * outlives the agent: it fences the job when the agent's {@link LeaseFile lease} runs out (the
 * agent killed, stopped, or cut off from the leader) and records the job's exit code for whichever
 * agent comes next. Its own session ({@code setsid}) keeps signals meant for the agent's terminal
 * or group away from both. A process group and records are used rather than a cgroup, which an
 * unprivileged agent usually cannot create; the shim's lease covers what a cgroup would not (a
 * paused agent).
 *
 * <p>The environment is the agent's, minus anything named {@code TERN_*} or {@code
 * CUDA_VISIBLE_DEVICES}, plus the spec's {@code env}, plus {@code TERN_JOB_ID}, {@code
 * TERN_ATTEMPT}, {@code TERN_ARRAY_INDEX}, {@code TERN_ARRAY_ID} and a grid's {@code TERN_PARAM_*}
 * (for an array's task), {@code TERN_CHECKPOINT_DIR}, {@code TERN_RESUME_DIR} (only when resuming),
 * {@code CUDA_VISIBLE_DEVICES} (the placed indices, comma-separated; empty for a CPU-only job,
 * which hides every GPU), {@code CUDA_DEVICE_ORDER=PCI_BUS_ID} (so CUDA numbers GPUs as NVML does)
 * and {@code PWD} (the job's working directory). Every start goes through {@link
 * CheckpointRestorer#begin} (which records the attempt in the checkpoint store); a resume that
 * finds no checkpoint that verifies leaves {@code TERN_RESUME_DIR} unset: the job starts fresh.
 *
 * <p>A spec with a {@code workdir_digest} (code shipped by {@code tern submit}) has its packed
 * working directory fetched from the checkpoint store and unpacked into the attempt's {@code run/}
 * folder, where the job starts; every attempt, on any node, gets the same files.
 *
 * <p>Confined to the agent's loop thread.
 */
public final class JobLauncher {
  private static final Logger log = LoggerFactory.getLogger(JobLauncher.class);

  private final WorkDir workDir;
  private final int gpuCount;
  private final CheckpointRestorer restorer;
  private final Map<String, String> agentEnvironment;
  private final Optional<Path> setsid;
  private final Optional<Path> bash;
  private final LeaseFile leaseFile;
  private final JobShim shimChoice;

  /** The shim attempts run under, decided when the shims are installed (null before). */
  private JobShim shim;

  /** The script shim's SETPRIV argument, found when the shim is installed. */
  private String setpriv = "-";

  /**
   * @param gpuCount GPUs on this node; placed indices must be below it
   * @param agentEnvironment the environment jobs inherit (normally {@link System#getenv()})
   */
  public JobLauncher(
      WorkDir workDir,
      int gpuCount,
      CheckpointRestorer restorer,
      Map<String, String> agentEnvironment) {
    this(workDir, gpuCount, restorer, agentEnvironment, JobShim.AUTO);
  }

  /**
   * @param shimChoice which shim runs attempts; {@link JobShim#NATIVE} fails every start where the
   *     native shim is not available
   */
  public JobLauncher(
      WorkDir workDir,
      int gpuCount,
      CheckpointRestorer restorer,
      Map<String, String> agentEnvironment,
      JobShim shimChoice) {
    this.workDir = workDir;
    this.shimChoice = shimChoice;
    this.gpuCount = gpuCount;
    this.restorer = restorer;
    this.agentEnvironment = Map.copyOf(agentEnvironment);
    this.setsid = findOnPath("setsid", agentEnvironment.get("PATH"));
    this.bash = findOnPath("bash", agentEnvironment.get("PATH"));
    this.leaseFile = new LeaseFile(workDir);
  }

  /** The modules of the {@code tern} Python package installed for jobs. */
  private static final List<String> PYTHON_HELPER = List.of("__init__.py", "checkpoint.py");

  /** How long a shim may take to record its job's process group. */
  static final java.time.Duration SHIM_START = java.time.Duration.ofSeconds(10);

  /**
   * Starts the attempt.
   *
   * @param record what to record before it starts (the attempt, epoch, fence signal and grace)
   */
  public Launched launch(StartJob start, AttemptRecord.Started record) throws LaunchException {
    AttemptId id = attemptId(start);
    JobSpec spec = start.getSpec();
    if (spec.getCommandCount() == 0) {
      throw new LaunchException("the spec has no command");
    }
    String cuda = gpus(start.getGpuIndicesList());
    Path checkpoints = workDir.checkpoints(id);
    Path log = workDir.log(id);
    Map<String, String> env = environment(spec);
    env.put("TERN_JOB_ID", id.jobId());
    env.put("TERN_ATTEMPT", Integer.toString(id.attempt()));
    if (spec.getArray().hasTaskIndex()) {
      env.put("TERN_ARRAY_INDEX", Integer.toString(spec.getArray().getTaskIndex()));
      env.put("TERN_ARRAY_ID", spec.getArray().getArrayId());
      env.putAll(
          io.tern.scheduler.spec.ArrayGrid.environment(
              spec.getArray(), spec.getArray().getTaskIndex()));
    }
    env.put("TERN_CHECKPOINT_DIR", checkpoints.toString());
    env.put("CUDA_VISIBLE_DEVICES", cuda);
    env.put("CUDA_DEVICE_ORDER", "PCI_BUS_ID");
    // tern.checkpoint is importable; a PYTHONPATH of the job's or the agent's own comes first.
    String pythonPath = env.get("PYTHONPATH");
    env.put(
        "PYTHONPATH",
        pythonPath == null || pythonPath.isEmpty()
            ? workDir.python().toString()
            : pythonPath + ":" + workDir.python());
    CheckpointRestorer.Outcome restore;
    try {
      setAsideSettled(id);
      prepareEmpty(checkpoints);
      Files.createDirectories(log.getParent());
      Path resume = workDir.resume(id);
      prepareEmpty(resume);
      try {
        restore = restorer.begin(start, resume);
      } catch (IOException e) {
        throw restoreFailure(start, resume, e);
      }
      if (restore.restored().isPresent()) {
        env.put("TERN_RESUME_DIR", resume.toString());
      }
    } catch (IOException e) {
      throw new LaunchException.NodeFault("cannot prepare " + workDir.attempt(id) + ": " + e);
    }
    Path directory = workingDirectory(id, spec);
    // What a shell would set: a program that is not one sees its working directory, not the
    // agent's.
    env.put("PWD", directory.toAbsolutePath().toString());
    String program = resolve(spec.getCommand(0), directory, env.get("PATH"));
    AttemptRecord attempt = AttemptRecord.of(workDir, id);
    try {
      installShim();
    } catch (IOException e) {
      throw new LaunchException.NodeFault("cannot install the job shim: " + e.getMessage());
    }
    List<String> shimCommand =
        shim == JobShim.NATIVE
            ? List.of(workDir.nativeShim().toString())
            : List.of(
                setsid
                    .orElseThrow(
                        () ->
                            new LaunchException(
                                "setsid not found on the agent's PATH (util-linux)"))
                    .toString(),
                bash.orElseThrow(
                        () ->
                            new LaunchException(
                                "bash not found on the agent's PATH (it runs the job shim)"))
                    .toString(),
                workDir.shim().toString());
    // The last look before the job starts: an earlier attempt, cut off past its lease, may have
    // finished (and recorded its success) while this one was restored and prepared.
    java.util.OptionalInt earlier = restorer.succeededBefore(start);
    if (earlier.isPresent()) {
      throw new LaunchException.SucceededEarlier(
          earlier.getAsInt(),
          new io.tern.checkpoint.JobSucceededEarlierException(id.jobId(), earlier.getAsInt())
              .getMessage());
    }
    try {
      attempt.started(record);
    } catch (IOException e) {
      throw new LaunchException.NodeFault("cannot record " + workDir.attempt(id) + ": " + e);
    }

    List<String> argv =
        Stream.of(
                shimCommand.stream(),
                Stream.of(
                    workDir.attempt(id).toString(),
                    workDir.lease().toString(),
                    record.fenceSignal(),
                    successRecord(start),
                    shim == JobShim.NATIVE ? "-" : setpriv,
                    "--",
                    program),
                spec.getCommandList().stream().skip(1))
            .flatMap(s -> s)
            .toList();
    ProcessBuilder builder =
        new ProcessBuilder(argv)
            .directory(directory.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .redirectErrorStream(true);
    builder.environment().clear();
    builder.environment().putAll(env);
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new LaunchException("exec failed: " + e.getMessage());
    }
    return new Launched(id, process, attempt, log, checkpoints, restore, workDir);
  }

  /** Room a restore needs on the node's disk beyond the checkpoint's own size. */
  private static final long RESTORE_MARGIN_BYTES = 1 << 20;

  /**
   * A start the checkpoint store failed (recording the attempt, or restoring its checkpoint): a
   * node fault when this node's disk has no room for the checkpoint (the job goes elsewhere, no
   * retry counted, as for an attempt the node cannot prepare); a store fault when the store itself
   * failed (full, unwritable, unreachable: the job waits for it, no retry counted); else a failed
   * start with the store's reason (it holds a newer attempt, or refuses the checkpoint).
   */
  private static LaunchException restoreFailure(StartJob start, Path resume, IOException e) {
    if (start.hasResumeFrom()) {
      long size = start.getResumeFrom().getSizeBytes();
      long free;
      try {
        free = Files.getFileStore(resume).getUsableSpace();
      } catch (IOException unreadable) {
        free = -1;
      }
      if (free >= 0 && free < size + RESTORE_MARGIN_BYTES) {
        return new LaunchException.NodeFault(
            "cannot restore checkpoint "
                + start.getResumeFrom().getName()
                + " ("
                + size
                + " bytes) into "
                + resume
                + ": "
                + free
                + " bytes free on this node ("
                + e.getMessage()
                + ")");
      }
    }
    if (!(e instanceof CheckpointException) || e instanceof CheckpointStoreFullException) {
      return new LaunchException.StoreFault("the checkpoint store failed: " + e.getMessage());
    }
    return new LaunchException(e.getMessage());
  }

  /** Where the shim records the job's exit 0 in the checkpoint store ("-": the agent does). */
  private String successRecord(StartJob start) {
    try {
      return restorer.successRecordFile(start).map(Path::toString).orElse("-");
    } catch (IOException e) {
      return "-";
    }
  }

  /**
   * The job's process group, once the shim of {@code launched} has recorded it; waits up to {@link
   * #SHIM_START}. Blocks, so any thread but the agent's loop calls it: launches overlap.
   */
  public static ProcessGroup awaitJobGroup(Launched launched) throws LaunchException {
    return new ProcessGroup(
        awaitJobPid(launched.record(), launched.process()), launched.workDir(), launched.id());
  }

  private static long awaitJobPid(AttemptRecord attempt, Process shim) throws LaunchException {
    long deadline = System.nanoTime() + SHIM_START.toNanos();
    while (System.nanoTime() < deadline) {
      var pid = attempt.readPid();
      if (pid.isPresent()) {
        return pid.get().pid();
      }
      if (!shim.isAlive() && attempt.readPid().isEmpty()) {
        throw new LaunchException(
            "the job shim exited with " + shim.exitValue() + " before it ran");
      }
      java.util.concurrent.locks.LockSupport.parkNanos(2_000_000);
    }
    shim.destroyForcibly();
    throw new LaunchException("the job shim did not start the job within " + SHIM_START);
  }

  /**
   * Installs, once per agent, the job shim and the {@code tern} Python package from the agent's own
   * classpath, so they match this agent's version whatever an earlier one left.
   */
  private void installShim() throws IOException {
    if (shim != null) {
      return;
    }
    JobShim chosen = shimChoice == JobShim.BASH ? JobShim.BASH : installNative();
    if (chosen == JobShim.BASH) {
      setpriv = pdeathsigSetpriv(agentEnvironment.get("PATH"));
      install("job-shim.sh", workDir.shim());
    }
    for (String module : PYTHON_HELPER) {
      install(
          "/io/tern/agent/python/tern/" + module, workDir.python().resolve("tern").resolve(module));
    }
    shim = chosen;
  }

  /** The resource the build compiles the native shim to, for this machine's architecture. */
  static String nativeShimResource() {
    return "job-shim-linux-" + System.getProperty("os.arch");
  }

  /** Whether this agent's jar holds a native shim for this machine's architecture. */
  public static boolean nativeShimBuilt() {
    return JobLauncher.class.getResource(nativeShimResource()) != null;
  }

  /**
   * Installs the native shim and checks that it runs here: {@link JobShim#NATIVE} when it does;
   * {@link JobShim#BASH} (for {@link JobShim#AUTO}) or an IOException (for {@link JobShim#NATIVE})
   * when it was not built for this architecture or does not run.
   */
  private JobShim installNative() throws IOException {
    String why;
    if (!nativeShimBuilt()) {
      why = "not built for " + System.getProperty("os.arch");
    } else {
      install(nativeShimResource(), workDir.nativeShim());
      Files.setPosixFilePermissions(
          workDir.nativeShim(),
          java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
      why = probeNative(workDir.nativeShim());
      if (why == null) {
        log.info("jobs run under the native job shim {}", workDir.nativeShim());
        return JobShim.NATIVE;
      }
    }
    if (shimChoice == JobShim.NATIVE) {
      throw new IOException("the native job shim is " + why);
    }
    log.info("jobs run under job-shim.sh: the native job shim is {}", why);
    return JobShim.BASH;
  }

  /** Null when {@code shim --version} answers as the native shim does, else why not. */
  private static String probeNative(Path shim) {
    try {
      Process probe =
          new ProcessBuilder(shim.toString(), "--version").redirectErrorStream(true).start();
      String answer = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      int code = probe.waitFor();
      return code == 0 && answer.startsWith("tern-job-shim ")
          ? null
          : "not runnable here (exit " + code + ": " + answer.strip() + ")";
    } catch (IOException e) {
      return "not runnable here (" + e.getMessage() + ")";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "not probed (interrupted)";
    }
  }

  /**
   * The setpriv that gives the shim's job SIGKILL as its parent-death signal, or "-" where there is
   * none that takes {@code --pdeathsig}: tried once per agent rather than by every shim.
   */
  private static String pdeathsigSetpriv(String path) {
    Optional<Path> found = findOnPath("setpriv", path);
    if (found.isEmpty()) {
      return "-";
    }
    try {
      Process probe =
          new ProcessBuilder(found.get().toString(), "--pdeathsig", "KILL", "true")
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      return probe.waitFor() == 0 ? found.get().toString() : "-";
    } catch (IOException e) {
      return "-";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "-";
    }
  }

  private static void install(String resource, Path target) throws IOException {
    byte[] content;
    try (var in = JobLauncher.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IOException(resource + " missing from the agent's classpath");
      }
      content = in.readAllBytes();
    }
    Files.createDirectories(target.getParent());
    Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
    Files.write(tmp, content);
    Files.move(
        tmp,
        target,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE,
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }

  /**
   * Whether the shim attempts run under kills, when its job ends, the processes the job moved out
   * of its group (the native shim, a subreaper, does; job-shim.sh reaches the group only).
   */
  boolean shimKillsWhatLeftTheGroup() {
    return shim == JobShim.NATIVE;
  }

  /** The lease file the shims read. */
  public LeaseFile leaseFile() {
    return leaseFile;
  }

  /** The attempt's id, or a LaunchException for a job id that cannot be a directory name. */
  static AttemptId attemptId(StartJob start) throws LaunchException {
    try {
      return new AttemptId(start.getJobId(), start.getAttempt());
    } catch (IllegalArgumentException e) {
      throw new LaunchException(e.getMessage());
    }
  }

  private String gpus(List<Integer> indices) throws LaunchException {
    Set<Integer> seen = new HashSet<>();
    for (int index : indices) {
      if (index < 0 || index >= gpuCount) {
        throw new LaunchException("no GPU " + index + " on this node (it has " + gpuCount + ")");
      }
      if (!seen.add(index)) {
        throw new LaunchException("GPU " + index + " placed twice");
      }
    }
    return indices.stream().map(String::valueOf).collect(Collectors.joining(","));
  }

  private Map<String, String> environment(JobSpec spec) throws LaunchException {
    Map<String, String> env = new java.util.HashMap<>();
    agentEnvironment.forEach(
        (name, value) -> {
          if (!name.startsWith("TERN_") && !name.equals("CUDA_VISIBLE_DEVICES")) {
            env.put(name, value);
          }
        });
    for (var entry : spec.getEnvMap().entrySet()) {
      if (entry.getKey().startsWith("TERN_")) {
        throw new LaunchException(
            "env " + entry.getKey() + ": names starting with TERN_ are reserved");
      }
      env.put(entry.getKey(), entry.getValue());
    }
    return env;
  }

  private Path workingDirectory(AttemptId id, JobSpec spec) throws LaunchException {
    if (spec.getWorkdir().isEmpty()) {
      Path run = workDir.run(id);
      try {
        Files.createDirectories(run);
      } catch (IOException e) {
        throw onThisDisk("cannot create " + run + ": " + e, e);
      }
      if (!spec.getWorkdirDigest().isEmpty()) {
        unpackCode(id, spec.getWorkdirDigest(), run);
      }
      return run;
    }
    Path dir = Path.of(spec.getWorkdir());
    if (!Files.isDirectory(dir)) {
      throw new LaunchException("workdir " + dir + ": no such directory on this node");
    }
    return dir;
  }

  /**
   * Fetches the job's packed working directory from the store and unpacks it into {@code run}
   * (refusing any entry that would land outside it, links, and sizes over {@link
   * WorkdirArchive.Limits#DEFAULT}); the archive is deleted afterwards.
   */
  private void unpackCode(AttemptId id, String digest, Path run) throws LaunchException {
    Path archive = workDir.attempt(id).resolve("workdir.zip");
    try {
      Files.deleteIfExists(archive);
      restorer.fetchWorkdir(digest, archive);
      WorkdirArchive.unpack(archive, run, WorkdirArchive.Limits.DEFAULT);
    } catch (StoreUnreachableException e) {
      // Not the job's fault, nor this node's: it waits for the store, no retry counted.
      throw new LaunchException.StoreFault(
          "the checkpoint store failed: cannot fetch the job's code: " + e.getMessage());
    } catch (IOException e) {
      throw onThisDisk(
          "cannot unpack the job's code (workdir sha256-" + digest + "): " + e.getMessage(), e);
    } finally {
      try {
        Files.deleteIfExists(archive);
      } catch (IOException e) {
        // the attempt's folder is removed with the attempt
      }
    }
  }

  /**
   * A failure to write the attempt's files on this node: a node fault when its disk has no room
   * (the job goes elsewhere, no retry counted, and the node rests), else a failed start.
   */
  private static LaunchException onThisDisk(String message, IOException e) {
    return CheckpointStoreFullException.isFull(e)
        ? new LaunchException.NodeFault(message)
        : new LaunchException(message);
  }

  /**
   * The program to exec: checked here, because after setsid has run a failure is only a log line.
   */
  private static String resolve(String program, Path directory, String path)
      throws LaunchException {
    if (program.contains("/")) {
      Path file = directory.resolve(program);
      if (!Files.isRegularFile(file) || !Files.isExecutable(file)) {
        throw new LaunchException("exec failed: no such executable file: " + program);
      }
      return program;
    }
    return findOnPath(program, path)
        .map(Path::toString)
        .orElseThrow(
            () -> new LaunchException("exec failed: no such file: " + program + " (not on PATH)"));
  }

  private static Optional<Path> findOnPath(String program, String path) {
    if (path == null) {
      return Optional.empty();
    }
    for (String dir : path.split(File.pathSeparator)) {
      if (dir.isEmpty()) {
        continue;
      }
      Path candidate = Path.of(dir, program);
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return Optional.of(candidate.toAbsolutePath());
      }
    }
    return Optional.empty();
  }

  /**
   * Moves what a settled attempt of the same id left (it ended and its leader acknowledged it, so
   * nothing of it runs or waits to be reported) out of this attempt's way, kept beside it as {@code
   * earlier-attempt-N[-K]}. Job ids start again at job-000001 in every cluster, so a work dir that
   * outlived a cluster, or that two clusters' agents share, holds earlier attempts of the same ids.
   * An unsettled one is left alone: the start then refuses a folder that is not empty, rather than
   * run an attempt twice.
   */
  private void setAsideSettled(AttemptId id) throws IOException {
    Path dir = workDir.attempt(id);
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)
        || AttemptRecord.of(workDir, id).unsettled()) {
      return;
    }
    Path aside = dir.resolveSibling("earlier-" + dir.getFileName());
    for (int k = 2; Files.exists(aside, LinkOption.NOFOLLOW_LINKS); k++) {
      aside = dir.resolveSibling("earlier-" + dir.getFileName() + "-" + k);
    }
    Files.move(dir, aside, StandardCopyOption.ATOMIC_MOVE);
    log.warn(
        "{}: {} held an earlier, settled attempt of the same id; kept it as {}", id, dir, aside);
  }

  /** Creates {@code dir}, or accepts it when it exists and is empty. */
  private static void prepareEmpty(Path dir) throws IOException {
    Files.createDirectories(dir);
    try (Stream<Path> entries = Files.list(dir)) {
      if (entries.findAny().isPresent()) {
        throw new IOException(dir + " is not empty (left from an earlier run of this attempt)");
      }
    }
  }

  /**
   * An attempt whose shim runs; its job's process group follows from {@link #awaitJobGroup}.
   *
   * @param process the shim
   * @param record the attempt's record on the node
   * @param restore what its start restored ({@link CheckpointRestorer.Outcome#isEmpty} for a fresh
   *     start with nothing to say)
   * @param workDir the agent's work dir, where its shims are
   */
  public record Launched(
      AttemptId id,
      Process process,
      AttemptRecord record,
      Path log,
      Path checkpointDir,
      CheckpointRestorer.Outcome restore,
      WorkDir workDir) {

    /** What the restore did, in words; empty for a fresh start with nothing to say. */
    public String resumeNote() {
      return restore.describe();
    }
  }
}
