package io.tern.agent.job;

import static io.tern.agent.job.JobFixtures.bash;
import static io.tern.agent.job.JobFixtures.checkpointing;
import static io.tern.agent.job.JobFixtures.waitingScript;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.protobuf.Timestamp;
import io.tern.api.v1.CheckpointJob;
import io.tern.api.v1.CheckpointRef;
import io.tern.api.v1.JobStatus;
import io.tern.api.v1.JobStatus.Phase;
import io.tern.api.v1.RunningAttempt;
import io.tern.api.v1.StartJob;
import io.tern.api.v1.StopJob;
import io.tern.checkpoint.StaleAttemptException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real processes under the native job shim: environment, logs, exit codes, signals to the process
 * group, the lease and its fence. {@link ScriptJobShimSupervisorTest} runs the same cases under
 * job-shim.sh.
 */
class JobSupervisorTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir Path dir;

  /** Jobs whose success record is in a store folder that is gone (not made, as if not mounted). */
  private final Set<String> storeGone = java.util.concurrent.ConcurrentHashMap.newKeySet();

  private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor();
  private final List<JobStatus> statuses = new CopyOnWriteArrayList<>();
  private final List<Set<Integer>> gpusInUse = new CopyOnWriteArrayList<>();
  private WorkDir workDir;
  private JobSupervisor jobs;
  private CheckpointRestorer restorer = CheckpointRestorer.unavailable();

  /** The shim every case runs under. */
  JobShim shim() {
    return JobShim.NATIVE;
  }

  @BeforeEach
  void setUp() {
    workDir = new WorkDir(dir.resolve("work"));
    try {
      new LeaseFile(workDir).unbounded();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    Map<String, String> agentEnv = new HashMap<>(System.getenv());
    agentEnv.put("TERN_LEFTOVER", "from the agent's own environment");
    agentEnv.put("CUDA_VISIBLE_DEVICES", "7");
    agentEnv.put("PWD", "/");
    CheckpointRestorer delegate =
        new CheckpointRestorer() {
          @Override
          public Outcome begin(StartJob start, Path into)
              throws IOException, LaunchException.SucceededEarlier {
            return restorer.begin(start, into);
          }

          @Override
          public Optional<Path> successRecordFile(StartJob start) throws IOException {
            if (storeGone.contains(start.getJobId())) {
              return Optional.of(dir.resolve("unmounted").resolve(".succeeded-1"));
            }
            Path file = successRecord(start.getJobId(), start.getAttempt());
            Files.createDirectories(file.getParent()); // as the store does: the shim makes none
            return Optional.of(file);
          }

          @Override
          public void fetchWorkdir(String digest, Path archive) throws IOException {
            restorer.fetchWorkdir(digest, archive);
          }

          @Override
          public java.util.OptionalInt succeededBefore(StartJob start) {
            return restorer.succeededBefore(start);
          }
        };
    JobLauncher launcher = new JobLauncher(workDir, 4, delegate, agentEnv, shim());
    jobs =
        new JobSupervisor(
            launcher,
            loop,
            Clock.systemUTC(),
            Duration.ofSeconds(10),
            new JobSupervisor.Listener() {
              @Override
              public void status(JobStatus status) {
                statuses.add(status);
              }

              @Override
              public void gpusInUse(Set<Integer> indices) {
                gpusInUse.add(indices);
              }
            });
  }

  @AfterEach
  void tearDown() throws Exception {
    on(() -> jobs.stopAll("test over")).get(30, TimeUnit.SECONDS);
    loop.shutdownNow();
    // Outside every job's group: a case that fails must not leave them running.
    strays.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
  }

  /** Processes cases started outside their job's group, killed after each case. */
  private final List<Long> strays = new CopyOnWriteArrayList<>();

  /** The pid written to {@code file} (once it is there), registered as a stray. */
  private long strayPid(Path file) throws IOException {
    await().atMost(WAIT).until(() -> Files.exists(file) && Files.size(file) > 0);
    long pid = Long.parseLong(Files.readString(file).strip());
    strays.add(pid);
    return pid;
  }

  @Test
  void theJobSeesItsEnvironment() throws IOException {
    StartJob.Builder start =
        bash(
            "job-env",
            3,
            "echo JOB=$TERN_JOB_ID; echo ATTEMPT=$TERN_ATTEMPT; echo CKPT=$TERN_CHECKPOINT_DIR;"
                + " echo RESUME=${TERN_RESUME_DIR-unset}; echo CUDA=$CUDA_VISIBLE_DEVICES;"
                + " echo ORDER=$CUDA_DEVICE_ORDER; echo MINE=$MY_VAR;"
                + " echo LEFTOVER=${TERN_LEFTOVER-unset}; echo PWD=$PWD;"
                + " echo INDEX=${TERN_ARRAY_INDEX-unset};"
                + " echo CKPT_FILES=$(ls -A $TERN_CHECKPOINT_DIR | wc -l)",
            1,
            3);
    start.getSpecBuilder().putEnv("MY_VAR", "hello");
    startJob(start.build());

    JobStatus exited = awaitPhase("job-env", Phase.PHASE_EXITED);
    assertThat(exited.getExitCode()).isZero();
    AttemptId id = new AttemptId("job-env", 3);
    assertThat(log(id))
        .contains("JOB=job-env\n")
        .contains("ATTEMPT=3\n")
        .contains("CKPT=" + workDir.checkpoints(id) + "\n")
        .contains("RESUME=unset\n")
        .contains("CUDA=1,3\n")
        .contains("ORDER=PCI_BUS_ID\n")
        .contains("MINE=hello\n")
        .contains("LEFTOVER=unset\n")
        .contains("INDEX=unset\n")
        .contains("PWD=" + workDir.run(id) + "\n")
        .contains("CKPT_FILES=0\n");
    assertThat(workDir.checkpoints(id)).isDirectory();
  }

  @Test
  void aProgramThatIsNotAShellSeesItsWorkingDirectoryAsPwdAndRunsWithItsArguments()
      throws IOException {
    // The agent's own PWD names another directory; no shell between the shim and env resets it.
    StartJob start =
        StartJob.newBuilder()
            .setJobId("job-env-exec")
            .setAttempt(1)
            .setSpec(
                io.tern.api.v1.JobSpec.newBuilder()
                    .setName("job-env-exec")
                    .setTeam("test")
                    .addAllCommand(List.of("env", "-u", "HOME", "--", "printenv", "PWD")))
            .build();
    startJob(start);

    assertThat(awaitPhase("job-env-exec", Phase.PHASE_EXITED).getExitCode()).isZero();
    assertThat(log(new AttemptId("job-env-exec", 1)))
        .isEqualTo(workDir.run(new AttemptId("job-env-exec", 1)) + "\n");
  }

  @Test
  void aProgramWhoseInterpreterIsMissingExitsWith127AndSaysSo() throws IOException {
    Path script = Files.writeString(dir.resolve("needs-interpreter"), "#!/no/such/interpreter\n");
    Files.setPosixFilePermissions(
        script, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
    startJob(
        StartJob.newBuilder()
            .setJobId("job-noexec")
            .setAttempt(1)
            .setSpec(
                io.tern.api.v1.JobSpec.newBuilder()
                    .setName("job-noexec")
                    .setTeam("test")
                    .addCommand(script.toString()))
            .build());

    assertThat(awaitPhase("job-noexec", Phase.PHASE_EXITED).getExitCode()).isEqualTo(127);
    assertThat(log(new AttemptId("job-noexec", 1))).contains(script.toString());
  }

  @Test
  void aJobThatClosesTheShimsPipeAndRunsOnIsWaitedFor() throws IOException {
    // Closing every descriptor above stderr closes the shim's exit pipe: its EOF comes while the
    // job still runs, and the shim polls for the exit instead.
    startJob(
        bash(
                "job-closes",
                1,
                "for fd in /proc/$$/fd/*; do n=${fd##*/}; if ((n > 2)); then eval \"exec $n>&-\";"
                    + " fi; done; sleep 1; echo still here; exit 7")
            .build());

    JobStatus exited = awaitPhase("job-closes", Phase.PHASE_EXITED);
    assertThat(exited.getExitCode()).isEqualTo(7);
    assertThat(log(new AttemptId("job-closes", 1))).contains("still here\n");
  }

  @Test
  void aPythonJobImportsTheCheckpointHelperTheAgentInstalled() throws IOException {
    StartJob.Builder start =
        bash(
            "job-python",
            1,
            "echo PYTHONPATH=$PYTHONPATH;"
                + " python3 -c 'import tern.checkpoint as c; print(\"HELPER=\" + c.__file__)'");
    start.getSpecBuilder().putEnv("PYTHONPATH", "/opt/mine");
    startJob(start.build());

    JobStatus exited = awaitPhase("job-python", Phase.PHASE_EXITED);
    String log = log(new AttemptId("job-python", 1));
    assertThat(exited.getExitCode()).as(log).isZero();
    assertThat(log)
        .contains("PYTHONPATH=/opt/mine:" + workDir.python() + "\n")
        .contains("HELPER=" + workDir.python().resolve("tern").resolve("checkpoint.py") + "\n");
  }

  @Test
  void anArraysTaskSeesItsIndex() throws IOException {
    StartJob.Builder start =
        bash("job-000007-0", 1, "echo INDEX=$TERN_ARRAY_INDEX ARRAY=$TERN_ARRAY_ID");
    start
        .getSpecBuilder()
        .setArray(
            io.tern.api.v1.ArraySpec.newBuilder()
                .setIndices("0-9")
                .setTaskIndex(0)
                .setArrayId("job-000007"));
    startJob(start.build());

    awaitPhase("job-000007-0", Phase.PHASE_EXITED);
    assertThat(log(new AttemptId("job-000007-0", 1))).contains("INDEX=0 ARRAY=job-000007\n");
  }

  @Test
  void aCpuOnlyJobSeesNoGpu() throws IOException {
    startJob(bash("cpu-only", 1, "echo CUDA=[${CUDA_VISIBLE_DEVICES-unset}]").build());
    awaitPhase("cpu-only", Phase.PHASE_EXITED);
    assertThat(log(new AttemptId("cpu-only", 1))).contains("CUDA=[]");
  }

  @Test
  void exitCodesAndBothStreamsAreCaptured() throws IOException {
    startJob(bash("job-exit", 1, "echo to-stdout; echo to-stderr >&2; exit 7", 2).build());

    assertThat(awaitPhase("job-exit", Phase.PHASE_STARTED).getMessage()).startsWith("pid ");
    JobStatus exited = awaitPhase("job-exit", Phase.PHASE_EXITED);
    assertThat(exited.getExitCode()).isEqualTo(7);
    assertThat(exited.getMessage()).isEqualTo("exited with code 7");
    assertThat(log(new AttemptId("job-exit", 1))).contains("to-stdout").contains("to-stderr");
    assertThat(gpusInUse).contains(Set.of(2)).last().isEqualTo(Set.of());

    JobLogs logs = new JobLogs(workDir);
    JobLogs.LogChunk head = logs.read("job-exit", 1, 0, 3);
    assertThat(new String(head.data(), StandardCharsets.UTF_8)).isEqualTo("to-");
    assertThat(head.atEnd()).isFalse();
    JobLogs.LogChunk rest = logs.read("job-exit", 1, head.nextOffset(), 1 << 16);
    assertThat(new String(rest.data(), StandardCharsets.UTF_8)).startsWith("stdout\n");
    assertThat(rest.atEnd()).isTrue();
    assertThat(logs.read("job-exit", 1, rest.nextOffset(), 10).data()).isEmpty();
  }

  @Test
  void aJobDiesOfASignalWith128PlusIt() {
    startJob(bash("job-signal", 1, "kill -KILL $$").build());
    assertThat(awaitPhase("job-signal", Phase.PHASE_EXITED).getExitCode()).isEqualTo(128 + 9);
  }

  @Test
  void theJobLeadsItsOwnProcessGroupInItsShimsSession() throws IOException {
    startJob(bash("job-group", 1, waitingScript("true")).build());
    awaitLog(new AttemptId("job-group", 1), "ready");
    long pid = pidOf("job-group");
    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    assertThat(Long.parseLong(fields[2])).as("pgid").isEqualTo(pid);
    long shim = Long.parseLong(fields[1]);
    assertThat(Long.parseLong(fields[3])).as("session: the shim's").isEqualTo(shim);
    assertThat(shim).isNotEqualTo(ProcessHandle.current().pid());
    assertThat(new ProcessGroup(pid).members()).hasSize(2).contains(pid);
    assertThat(Files.readString(Path.of("/proc/" + shim + "/cmdline")))
        .as("the shim's command line")
        .contains(shim() == JobShim.NATIVE ? workDir.nativeShim() + "\0" : workDir.shim() + "\0");
  }

  @Test
  void aJobDiesWithItsShimKilledWithMinus9() throws IOException {
    startJob(bash("job-orphan", 1, waitingScript("true")).build());
    awaitLog(new AttemptId("job-orphan", 1), "ready");
    long pid = pidOf("job-orphan");
    long shim = ProcessHandle.of(pid).flatMap(ProcessHandle::parent).orElseThrow().pid();

    ProcessHandle.of(shim).orElseThrow().destroyForcibly(); // SIGKILL: nobody enforces a lease now

    await()
        .atMost(WAIT)
        .until(() -> !ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
  }

  @Test
  void theShimFencesAJobWhenTheLeaseRunsOutWithoutTheAgent() throws IOException {
    startJob(
        checkpointing(
                "job-fence",
                1,
                waitingScript("trap 'echo checkpoint written; exit 0' USR1"),
                "SIGUSR1",
                30_000)
            .build());
    awaitLog(new AttemptId("job-fence", 1), "ready");

    // The agent (this test) does nothing: the lease in the file simply runs out.
    long now = System.nanoTime();
    new LeaseFile(workDir).write(now, now + Duration.ofSeconds(5).toNanos());

    JobStatus fenced = awaitPhase("job-fence", Phase.PHASE_CHECKPOINTED);
    assertThat(fenced.getMessage()).startsWith("fenced:");
    assertThat(Files.readString(workDir.log(new AttemptId("job-fence", 1))))
        .contains("checkpoint written");
    assertThat(AttemptRecord.of(workDir, new AttemptId("job-fence", 1)).readExit())
        .contains(new AttemptRecord.Exit(0, true));
  }

  /**
   * A job that notes each fence signal (SIGUSR1, as its checkpoint signal) and runs on: only
   * SIGKILL ends it.
   */
  private static final String NOTES_THE_FENCE =
      "trap 'echo fence signal' USR1; echo ready; while :; do sleep 1000 & wait $!; done";

  @Test
  void anEmptyFenceRecordLeftByAFailedWriteStillLetsTheShimFenceAndKill() throws IOException {
    AttemptId id = new AttemptId("job-empty-fence", 1);
    startJob(checkpointing(id.jobId(), 1, NOTES_THE_FENCE, "SIGUSR1", 30_000).build());
    awaitLog(id, "ready");
    // What a writer that ran out of disk space leaves: the file is created, its kill time is not.
    Files.createFile(AttemptRecord.of(workDir, id).dir().resolve("fenced"));

    assertFencedAndKilled(id, expireTheLease(Duration.ofSeconds(1)));
  }

  @Test
  void aShimThatCannotRecordTheFenceStillFencesAndKills() throws IOException {
    // The file cannot be created (a directory, as root too) or is unreadable (a dangling link).
    AttemptId dirId = new AttemptId("job-fence-dir", 1);
    AttemptId linkId = new AttemptId("job-fence-link", 1);
    startJob(checkpointing(dirId.jobId(), 1, NOTES_THE_FENCE, "SIGUSR1", 30_000).build());
    startJob(checkpointing(linkId.jobId(), 1, NOTES_THE_FENCE, "SIGUSR1", 30_000).build());
    awaitLog(dirId, "ready");
    awaitLog(linkId, "ready");
    Files.createDirectory(AttemptRecord.of(workDir, dirId).dir().resolve("fenced"));
    Files.createSymbolicLink(
        AttemptRecord.of(workDir, linkId).dir().resolve("fenced"), dir.resolve("none/fenced"));

    Instant killAt = expireTheLease(Duration.ofSeconds(1));
    for (AttemptId id : List.of(dirId, linkId)) {
      assertFencedAndKilled(id, killAt);
    }
  }

  @Test
  void aShimFindingTheAgentsFenceSignalsNoMoreAndKillsAtTheAgentsTime() throws IOException {
    AttemptId id = new AttemptId("job-agent-fence", 1);
    startJob(checkpointing(id.jobId(), 1, NOTES_THE_FENCE, "SIGUSR1", 30_000).build());
    awaitLog(id, "ready");
    long fencedAt = System.nanoTime();
    run(() -> jobs.fence("no leader acknowledged this agent", Duration.ofSeconds(1)));
    // The lease in the file runs out too (the shim sees the agent's record first), kill time later.
    new LeaseFile(workDir).write(fencedAt, fencedAt + Duration.ofSeconds(30).toNanos());

    JobStatus stopped = awaitPhase(id.jobId(), Phase.PHASE_STOPPED);
    assertThat(stopped.getMessage()).startsWith("fenced:");
    assertThat(log(id).lines().filter("fence signal"::equals)).as("signalled once").hasSize(1);
    assertThat(AttemptRecord.of(workDir, id).readExit())
        .contains(new AttemptRecord.Exit(128 + 9, true));
  }

  /**
   * A worker the job moved into a session of its own (out of the job's process group): the native
   * shim, a child subreaper, signals and kills it with the group; job-shim.sh reaches the group
   * only.
   */
  @Test
  void aWorkerInItsOwnSessionIsFencedWithTheJobAndGoneWhenItEnds() throws IOException {
    assumeTrue(shim() == JobShim.NATIVE, "the script shim reaches the job's group only");
    AttemptId id = new AttemptId("job-escapes", 1);
    Path workerPid = dir.resolve("worker.pid");
    startJob(
        checkpointing(
                id.jobId(),
                1,
                "setsid bash -c 'trap \"echo worker fenced; exit 0\" USR1; echo $$ > "
                    + workerPid
                    + "; while :; do sleep 0.1; done' & trap '' USR1; echo ready; wait",
                "SIGUSR1",
                30_000)
            .build());
    awaitLog(id, "ready");
    long worker = strayPid(workerPid);
    assertThat(ProcessHandle.of(worker)).as("the worker runs").isPresent();

    expireTheLease(Duration.ofSeconds(2));

    awaitLog(id, "worker fenced");
    await()
        .atMost(WAIT)
        .until(() -> ProcessHandle.of(worker).map(ProcessHandle::isAlive).orElse(false) == false);
    // The job's wait returned with its worker: an exit 0 after the fence signal is a checkpoint.
    assertThat(awaitPhase(id.jobId(), Phase.PHASE_CHECKPOINTED).getMessage()).startsWith("fenced:");
  }

  @Test
  void processesLeftInTheirOwnSessionByAnExitedJobAreKilled() throws IOException {
    // By the native shim; under job-shim.sh by the agent, which finds them by their environment.
    AttemptId id = new AttemptId("job-leaves-session", 1);
    Path leftPid = dir.resolve("left.pid");
    startJob(
        bash(id.jobId(), 1, "setsid sleep 1000 & echo $! > " + leftPid + "; sleep 0.2; exit 0")
            .build());

    assertThat(awaitPhase(id.jobId(), Phase.PHASE_EXITED).getExitCode()).isZero();
    long left = strayPid(leftPid);
    await()
        .atMost(WAIT)
        .until(() -> ProcessHandle.of(left).map(ProcessHandle::isAlive).orElse(false) == false);
  }

  /**
   * The agent (this test) does nothing more: the lease in the file runs out now, its kill time
   * {@code killIn} later (returned on the wall clock, which the exit record's mtime is on).
   */
  private Instant expireTheLease(Duration killIn) throws IOException {
    long now = System.nanoTime();
    Instant wallNow = Instant.now();
    new LeaseFile(workDir).write(now, now + killIn.toNanos());
    return wallNow.plus(killIn);
  }

  private void assertFencedAndKilled(AttemptId id, Instant killAt) throws IOException {
    awaitLog(id, "fence signal");
    JobStatus stopped = awaitPhase(id.jobId(), Phase.PHASE_STOPPED);
    assertThat(stopped.getMessage()).startsWith("fenced:").endsWith("(exit 137)");
    // Written once the job was gone; the lease file rounds its times down to 10 ms.
    Path exit = AttemptRecord.of(workDir, id).dir().resolve("exit");
    assertThat(Files.getLastModifiedTime(exit).toInstant())
        .as("killed at KILL_AT, not before")
        .isAfter(killAt.minusMillis(50));
    assertThat(log(id).lines().filter("fence signal"::equals)).as("signalled once").hasSize(1);
    assertThat(AttemptRecord.of(workDir, id).readExit())
        .contains(new AttemptRecord.Exit(128 + 9, true));
  }

  @Test
  void aJobThatEndedBeforeALateFenceIsReportedAsItEnded() {
    startJob(checkpointing("job-done", 1, "sleep 0.3; exit 0", "SIGUSR1", 30_000).build());
    AttemptId id = new AttemptId("job-done", 1);
    awaitPhase("job-done", Phase.PHASE_STARTED);
    // An agent stopped past its lease wakes up: it fences what it believes still runs before it
    // has handled the exit that happened meanwhile (both on its loop, in that order).
    run(
        () -> {
          await().atMost(WAIT).until(() -> AttemptRecord.of(workDir, id).readExit().isPresent());
          jobs.fence("no leader acknowledged this agent", Duration.ofSeconds(5));
        });

    JobStatus ended = awaitPhase("job-done", Phase.PHASE_EXITED);
    assertThat(ended.getExitCode()).isZero();
    assertThat(AttemptRecord.of(workDir, id).readExit()).contains(new AttemptRecord.Exit(0, false));
    assertThat(statuses)
        .filteredOn(s -> s.getJobId().equals("job-done"))
        .extracting(JobStatus::getPhase)
        .containsExactly(Phase.PHASE_STARTED, Phase.PHASE_EXITED);
  }

  @Test
  void aSupervisorThatRefusesStartsReportsStoppedAndStartsNothing() {
    run(() -> jobs.refuseStarts("fenced", false));
    startJob(bash("job-fenced", 1, "echo ran").build());
    assertThat(awaitPhase("job-fenced", Phase.PHASE_STOPPED).getMessage())
        .isEqualTo("not started: fenced");
    run(jobs::acceptStarts);
    startJob(bash("job-accepted", 1, "echo ran").build());
    awaitPhase("job-accepted", Phase.PHASE_EXITED);

    run(() -> jobs.refuseStarts("the agent is shutting down", true));
    run(jobs::acceptStarts); // a shutdown is for good
    startJob(bash("job-refused", 1, "echo ran").build());
    JobStatus refused = awaitPhase("job-refused", Phase.PHASE_REFUSED);
    assertThat(refused.getMessage()).isEqualTo("not started: the agent is shutting down");
    assertThat(workDir.log(new AttemptId("job-refused", 1))).doesNotExist();
  }

  @Test
  void stopTerminatesTheWholeGroup() {
    startJob(bash("job-stop", 1, waitingScript("true"), 0).build());
    awaitLog(new AttemptId("job-stop", 1), "ready");
    ProcessGroup group = new ProcessGroup(pidOf("job-stop"));
    assertThat(group.members()).hasSize(2);

    run(() -> jobs.stop(stop("job-stop", 1, "cancelled")));

    JobStatus stopped = awaitPhase("job-stop", Phase.PHASE_STOPPED);
    assertThat(stopped.getMessage()).isEqualTo("cancelled");
    assertThat(stopped.getExitCode()).isEqualTo(128 + 15);
    await().atMost(WAIT).until(() -> group.members().isEmpty());
    assertThat(on(jobs::running)).isEmpty();
  }

  @Test
  void aStopBeforeTheShimRecordedTheJobReachesItOnceRecorded() {
    // Start and stop in one turn of the loop: the shim cannot have recorded the job's group yet.
    run(
        () -> {
          jobs.start(bash("job-early-stop", 1, "sleep 1000").build());
          jobs.stop(stop("job-early-stop", 1, "cancelled"));
        });

    JobStatus stopped = awaitPhase("job-early-stop", Phase.PHASE_STOPPED);
    assertThat(stopped.getMessage()).isEqualTo("cancelled");
    assertThat(stopped.getExitCode()).isEqualTo(128 + 15);
    assertThat(statuses)
        .filteredOn(s -> s.getJobId().equals("job-early-stop"))
        .extracting(JobStatus::getPhase)
        .containsExactly(Phase.PHASE_STARTED, Phase.PHASE_STOPPED);
  }

  @Test
  void aJobIgnoringSigtermIsKilledAfterItsGrace() {
    startJob(
        checkpointing("job-stubborn", 1, waitingScript("trap '' TERM"), "SIGUSR1", 300).build());
    awaitLog(new AttemptId("job-stubborn", 1), "ready");
    ProcessGroup group = new ProcessGroup(pidOf("job-stubborn"));

    run(() -> jobs.stop(stop("job-stubborn", 1, "cancelled")));

    JobStatus stopped = awaitPhase("job-stubborn", Phase.PHASE_STOPPED);
    assertThat(stopped.getMessage()).startsWith("cancelled (SIGKILL after 300 ms)");
    assertThat(stopped.getExitCode()).isEqualTo(128 + 9);
    await().atMost(WAIT).until(() -> group.members().isEmpty());
  }

  @Test
  void processesLeftBehindByAnExitedJobAreKilled() throws IOException {
    startJob(bash("job-orphan", 1, "sleep 1000 & echo $! > child.pid; exit 0").build());
    awaitPhase("job-orphan", Phase.PHASE_EXITED);
    long child =
        Long.parseLong(
            Files.readString(workDir.run(new AttemptId("job-orphan", 1)).resolve("child.pid"))
                .strip());
    await()
        .atMost(WAIT)
        .until(() -> !ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false));
  }

  @Test
  void aStopForAnAttemptNotRunningHereDoesNothing() {
    startJob(bash("job-x", 2, waitingScript("true")).build());
    awaitLog(new AttemptId("job-x", 2), "ready");

    run(() -> jobs.stop(stop("job-x", 1, "wrong attempt")));
    run(() -> jobs.stop(stop("job-y", 2, "unknown job")));
    run(() -> jobs.stop(stop("../etc", 2, "bad id")));
    startJob(bash("marker", 1, "exit 0").build());
    awaitPhase("marker", Phase.PHASE_EXITED);

    assertThat(statuses)
        .extracting(JobStatus::getJobId, JobStatus::getPhase)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("job-x", Phase.PHASE_STARTED),
            org.assertj.core.groups.Tuple.tuple("marker", Phase.PHASE_STARTED),
            org.assertj.core.groups.Tuple.tuple("marker", Phase.PHASE_EXITED));
    assertThat(on(jobs::running)).extracting(RunningAttempt::getJobId).containsExactly("job-x");
  }

  @Test
  void checkpointSignalsTheGroupAndACleanExitIsCheckpointed() {
    String traps =
        "trap 'mkdir -p $TERN_CHECKPOINT_DIR/step-9 && touch $TERN_CHECKPOINT_DIR/step-9.done;"
            + " exit 0' USR2";
    startJob(checkpointing("job-ckpt", 1, waitingScript(traps), "SIGUSR2", 10_000).build());
    AttemptId id = new AttemptId("job-ckpt", 1);
    awaitLog(id, "ready");

    run(() -> jobs.checkpoint(checkpoint("job-ckpt", 1, Instant.now().plusSeconds(30))));

    JobStatus done = awaitPhase("job-ckpt", Phase.PHASE_CHECKPOINTED);
    assertThat(done.getMessage()).isEqualTo("spot reclaim");
    assertThat(workDir.checkpoints(id).resolve("step-9.done")).exists();
  }

  /** A job whose work runs in a worker it moved into a session of its own; the worker's pid. */
  private long startJobWithASessionWorker(AttemptId id, String workerOnUsr1) throws IOException {
    Path workerPid = dir.resolve(id.jobId() + ".worker");
    startJob(
        checkpointing(
                id.jobId(),
                1,
                "setsid bash -c 'trap \""
                    + workerOnUsr1
                    + "\" USR1; echo $$ > "
                    + workerPid
                    + "; while :; do sleep 0.1; done' & trap '' USR1; echo ready; wait",
                "SIGUSR1",
                10_000)
            .build());
    awaitLog(id, "ready");
    return strayPid(workerPid);
  }

  @Test
  void aCheckpointRequestReachesAWorkerThatLeftTheJobsGroup() throws IOException {
    AttemptId id = new AttemptId("job-ckpt-worker", 1);
    startJobWithASessionWorker(id, "echo worker checkpointed; exit 0");

    run(() -> jobs.checkpoint(checkpoint(id.jobId(), 1, Instant.now().plusSeconds(30))));

    awaitLog(id, "worker checkpointed");
    awaitPhase(id.jobId(), Phase.PHASE_CHECKPOINTED);
  }

  @Test
  void aWorkerThatLeftTheJobsGroupDiesWhenItsShimIsKilled() throws IOException {
    AttemptId id = new AttemptId("job-shim-killed", 1);
    long worker = startJobWithASessionWorker(id, "true");
    long shim =
        ProcessHandle.of(pidOf(id.jobId())).flatMap(ProcessHandle::parent).orElseThrow().pid();

    ProcessHandle.of(shim).orElseThrow().destroyForcibly();

    awaitPhase(id.jobId(), Phase.PHASE_EXITED);
    await()
        .atMost(WAIT)
        .until(() -> ProcessHandle.of(worker).map(ProcessHandle::isAlive).orElse(false) == false);
  }

  @Test
  void noExitByTheCheckpointDeadlineIsKilledAndStopped() {
    startJob(
        checkpointing("job-slow", 1, waitingScript("trap '' USR1"), "SIGUSR1", 10_000).build());
    awaitLog(new AttemptId("job-slow", 1), "ready");
    ProcessGroup group = new ProcessGroup(pidOf("job-slow"));

    run(() -> jobs.checkpoint(checkpoint("job-slow", 1, Instant.now().plusMillis(300))));

    JobStatus stopped = awaitPhase("job-slow", Phase.PHASE_STOPPED);
    assertThat(stopped.getMessage()).contains("no exit by the checkpoint deadline");
    await().atMost(WAIT).until(() -> group.members().isEmpty());
  }

  /**
   * A store whose folder is gone by the job's end (a volume no longer mounted) is not re-created by
   * the shim under its mount point: the success is not recorded, which the shim says, and the exit
   * is reported as it was.
   */
  @Test
  void theShimMakesNoFolderForTheSuccessRecordOfAStoreThatIsGone() throws Exception {
    storeGone.add("job-gone");
    startJob(bash("job-gone", 1, "exit 0").build());

    assertThat(awaitPhase("job-gone", Phase.PHASE_EXITED).getExitCode()).isZero();
    assertThat(dir.resolve("unmounted")).doesNotExist();
    assertThat(log(new AttemptId("job-gone", 1)))
        .contains("cannot record the job's success in " + dir.resolve("unmounted"));
  }

  @Test
  void anExitZeroByItselfRecordsTheJobsSuccessInTheStoreButOneAfterASignalDoesNot() {
    startJob(bash("job-ok", 2, "exit 0").build());
    startJob(bash("job-bad", 1, "exit 4").build());
    startJob(
        checkpointing("job-ck", 1, waitingScript("trap 'exit 0' USR1"), "USR1", 10_000).build());
    startJob(bash("job-stopped", 1, waitingScript("trap 'exit 0' TERM")).build());
    awaitLog(new AttemptId("job-ck", 1), "ready");
    awaitLog(new AttemptId("job-stopped", 1), "ready");
    run(() -> jobs.checkpoint(checkpoint("job-ck", 1, Instant.now().plusSeconds(30))));
    run(() -> jobs.stop(stop("job-stopped", 1, "test")));

    assertThat(awaitPhase("job-ok", Phase.PHASE_EXITED).getExitCode()).isZero();
    assertThat(awaitPhase("job-bad", Phase.PHASE_EXITED).getExitCode()).isEqualTo(4);
    assertThat(awaitPhase("job-ck", Phase.PHASE_CHECKPOINTED).getExitCode()).isZero();
    assertThat(awaitPhase("job-stopped", Phase.PHASE_STOPPED).getExitCode()).isZero();
    assertThat(successRecord("job-ok", 2)).as("written by the shim").exists();
    assertThat(successRecord("job-bad", 1)).doesNotExist();
    assertThat(successRecord("job-ck", 1)).as("exit 0 after a checkpoint signal").doesNotExist();
    assertThat(successRecord("job-stopped", 1)).as("exit 0 after SIGTERM").doesNotExist();
  }

  @Test
  void aStartWhoseJobSucceededEarlierRunsNothingAndSaysWhichAttemptDidIt() {
    restorer =
        (begun, into) -> {
          throw new LaunchException.SucceededEarlier(2, "attempt 2 exited 0 (recorded)");
        };
    startJob(bash("job-done", 3, "echo ran").build());

    JobStatus status = awaitPhase("job-done", Phase.PHASE_SUCCEEDED_EARLIER);
    assertThat(status.getAttempt()).isEqualTo(3);
    assertThat(status.getSucceededAttempt()).isEqualTo(2);
    assertThat(status.getMessage()).contains("attempt 2 exited 0");
    assertThat(statuses).noneMatch(s -> s.getPhase() == Phase.PHASE_STARTED);
    assertThat(workDir.log(new AttemptId("job-done", 3))).doesNotExist();
    assertThat(on(jobs::running)).isEmpty();
  }

  @Test
  void aFailingExitAfterACheckpointRequestIsAnExit() {
    startJob(
        checkpointing("job-fail", 1, waitingScript("trap 'exit 3' USR1"), "USR1", 10_000).build());
    awaitLog(new AttemptId("job-fail", 1), "ready");
    run(() -> jobs.checkpoint(checkpoint("job-fail", 1, Instant.now().plusSeconds(30))));
    JobStatus exited = awaitPhase("job-fail", Phase.PHASE_EXITED);
    assertThat(exited.getExitCode()).isEqualTo(3);
    assertThat(exited.getMessage()).contains("after a checkpoint request");
  }

  @Test
  void aJobWithoutCheckpointPolicyIsStoppedInstead() {
    startJob(bash("job-nockpt", 1, waitingScript("trap 'exit 0' USR1")).build());
    awaitLog(new AttemptId("job-nockpt", 1), "ready");
    run(() -> jobs.checkpoint(checkpoint("job-nockpt", 1, Instant.now().plusSeconds(30))));
    assertThat(awaitPhase("job-nockpt", Phase.PHASE_STOPPED).getMessage())
        .contains("no checkpoint policy");
  }

  @Test
  void anAttemptTheNodeCannotPrepareIsANodeFaultNotAStartFailure() throws Exception {
    // Where the attempt's folder would go is a file: its directories cannot be made (as a full
    // disk would refuse them), whoever runs the test.
    Files.createDirectories(workDir.jobs());
    Files.writeString(workDir.jobs().resolve("job-nodisk"), "not a directory");
    startJob(bash("job-nodisk", 1, "true").build());

    JobStatus fault = awaitPhase("job-nodisk", Phase.PHASE_NODE_FAULT);
    assertThat(fault.getMessage()).startsWith("cannot prepare ").contains("job-nodisk");
  }

  @Test
  void aCheckpointTheNodesDiskHasNoRoomForIsANodeFaultAFailingStoreAStoreFault() {
    restorer =
        (start, into) -> {
          if (start.getJobId().equals("job-stale")) {
            throw new StaleAttemptException("job-stale has a newer attempt 3");
          }
          throw new IOException("No space left on device");
        };
    // More than any disk here holds, and a few bytes.
    StartJob.Builder huge = bash("job-huge", 2, "true");
    huge.getResumeFromBuilder().setName("ckpt-7").setAttempt(1).setSizeBytes(Long.MAX_VALUE / 4);
    StartJob.Builder small = bash("job-small", 2, "true");
    small.getResumeFromBuilder().setName("ckpt-3").setAttempt(1).setSizeBytes(4096);
    StartJob.Builder stale = bash("job-stale", 2, "true");
    stale.getResumeFromBuilder().setName("ckpt-3").setAttempt(1).setSizeBytes(4096);
    startJob(huge.build());
    startJob(small.build());
    startJob(stale.build());

    assertThat(awaitPhase("job-huge", Phase.PHASE_NODE_FAULT).getMessage())
        .startsWith("cannot restore checkpoint ckpt-7 (" + Long.MAX_VALUE / 4 + " bytes) into ")
        .contains("bytes free on this node (No space left on device)");
    // The store's disk is full, not this node's: the job waits for the store, no retry counted.
    assertThat(awaitPhase("job-small", Phase.PHASE_STORE_FAULT).getMessage())
        .isEqualTo("the checkpoint store failed: No space left on device");
    assertThat(awaitPhase("job-stale", Phase.PHASE_START_FAILED).getMessage())
        .isEqualTo("job-stale has a newer attempt 3");
  }

  /**
   * An earlier attempt, cut off past its lease, finishes while this one is restored: the last look
   * before the job starts finds its success, and nothing runs.
   */
  @Test
  void anEarlierAttemptThatSucceedsWhileThisOneIsPreparedIsFoundBeforeTheJobStarts()
      throws Exception {
    Path ran = dir.resolve("ran");
    restorer =
        new CheckpointRestorer() {
          @Override
          public Outcome begin(StartJob start, Path into) {
            return Outcome.fresh(start); // no success recorded yet when the attempt began
          }

          @Override
          public java.util.OptionalInt succeededBefore(StartJob start) {
            return java.util.OptionalInt.of(1); // recorded meanwhile
          }
        };
    startJob(bash("job-rerun", 2, "touch " + ran).build());

    assertThat(awaitPhase("job-rerun", Phase.PHASE_SUCCEEDED_EARLIER).getSucceededAttempt())
        .isEqualTo(1);
    assertThat(ran).as("the job's command never ran").doesNotExist();
  }

  /**
   * The job's code cannot be fetched because the store's folder is gone (a volume not mounted): the
   * job waits for the store, no retry counted. Code the store does not hold is a failed start; code
   * this node's disk has no room for is a node fault.
   */
  @Test
  void codeFromAStoreThatIsGoneIsAStoreFaultCodeItDoesNotHoldAFailedStart() {
    restorer =
        new CheckpointRestorer() {
          @Override
          public Outcome begin(StartJob start, Path into) {
            return Outcome.fresh(start);
          }

          @Override
          public void fetchWorkdir(String digest, Path archive) throws IOException {
            if (digest.startsWith("a")) {
              throw new io.tern.checkpoint.StoreUnreachableException(
                  "/mnt/ckpt: the checkpoint store is gone");
            }
            if (digest.startsWith("c")) {
              // This node's disk, where the archive is copied and unpacked, is full.
              throw new java.nio.file.FileSystemException(
                  archive.toString(), null, "No space left on device");
            }
            throw new java.nio.file.NoSuchFileException("/mnt/ckpt/workdirs/sha256-" + digest);
          }
        };
    StartJob.Builder gone = bash("job-gone", 1, "true");
    gone.getSpecBuilder().setWorkdirDigest("a".repeat(64));
    StartJob.Builder missing = bash("job-missing", 1, "true");
    missing.getSpecBuilder().setWorkdirDigest("b".repeat(64));
    StartJob.Builder full = bash("job-full-disk", 1, "true");
    full.getSpecBuilder().setWorkdirDigest("c".repeat(64));
    startJob(gone.build());
    startJob(missing.build());
    startJob(full.build());

    assertThat(awaitPhase("job-gone", Phase.PHASE_STORE_FAULT).getMessage())
        .isEqualTo(
            "the checkpoint store failed: cannot fetch the job's code: /mnt/ckpt: the checkpoint"
                + " store is gone");
    assertThat(awaitPhase("job-missing", Phase.PHASE_START_FAILED).getMessage())
        .startsWith("cannot unpack the job's code (workdir sha256-bbbb");
    // Not the job's fault: it goes to another node, no retry counted, and this one rests.
    assertThat(awaitPhase("job-full-disk", Phase.PHASE_NODE_FAULT).getMessage())
        .startsWith("cannot unpack the job's code (workdir sha256-cccc")
        .endsWith("No space left on device");
  }

  /**
   * A work dir that outlived its cluster (or that another cluster's agents share) holds earlier
   * attempts of the same job ids: a settled one is set aside, an unsettled one still refuses.
   */
  @Test
  void aSettledEarlierAttemptOfTheSameIdIsSetAsideAndAnUnsettledOneRefuses() throws Exception {
    AttemptId settled = new AttemptId("job-earlier", 1);
    Files.createDirectories(workDir.checkpoints(settled).resolve("step-9"));
    Files.writeString(workDir.log(settled), "the earlier attempt's output\n");
    AttemptId unsettled = new AttemptId("job-unsettled", 1);
    Files.createDirectories(workDir.checkpoints(unsettled).resolve("step-9"));
    AttemptRecord.of(workDir, unsettled)
        .started(new AttemptRecord.Started(unsettled, 1, "other", false, "TERM", 1000));

    startJob(bash("job-earlier", 1, "echo fresh").build());
    startJob(bash("job-unsettled", 1, "true").build());

    awaitPhase("job-earlier", Phase.PHASE_EXITED);
    assertThat(Files.readString(workDir.log(settled))).isEqualTo("fresh\n");
    Path aside = workDir.attempt(settled).resolveSibling("earlier-attempt-1");
    assertThat(Files.readString(aside.resolve("output.log")))
        .isEqualTo("the earlier attempt's output\n");
    assertThat(aside.resolve("checkpoints/step-9")).isDirectory();
    assertThat(awaitPhase("job-unsettled", Phase.PHASE_NODE_FAULT).getMessage())
        .contains("is not empty");
  }

  @Test
  void startFailuresSayWhy() {
    StartJob.Builder noExec = bash("no-exec", 1, "");
    noExec.getSpecBuilder().clearCommand().addCommand("tern-no-such-program");
    startJob(noExec.build());
    startJob(bash("bad-gpu", 1, "true", 4).build());
    startJob(bash("twice-gpu", 1, "true", 1, 1).build());
    StartJob.Builder badDir = bash("bad-dir", 1, "true");
    badDir.getSpecBuilder().setWorkdir(dir.resolve("missing").toString());
    startJob(badDir.build());
    StartJob.Builder reserved = bash("reserved-env", 1, "true");
    reserved.getSpecBuilder().putEnv("TERN_ATTEMPT", "99");
    startJob(reserved.build());
    startJob(bash("../escape", 1, "true").build());
    startJob(checkpointing("bad-signal", 1, "true", "SIGFOO", 1000).build());

    assertThat(awaitPhase("no-exec", Phase.PHASE_START_FAILED).getMessage())
        .isEqualTo("exec failed: no such file: tern-no-such-program (not on PATH)");
    assertThat(awaitPhase("bad-gpu", Phase.PHASE_START_FAILED).getMessage())
        .isEqualTo("no GPU 4 on this node (it has 4)");
    assertThat(awaitPhase("twice-gpu", Phase.PHASE_START_FAILED).getMessage())
        .isEqualTo("GPU 1 placed twice");
    assertThat(awaitPhase("bad-dir", Phase.PHASE_START_FAILED).getMessage())
        .contains("no such directory");
    assertThat(awaitPhase("reserved-env", Phase.PHASE_START_FAILED).getMessage())
        .contains("TERN_ATTEMPT");
    assertThat(awaitPhase("../escape", Phase.PHASE_START_FAILED).getMessage())
        .contains("job id '../escape'");
    assertThat(awaitPhase("bad-signal", Phase.PHASE_START_FAILED).getMessage())
        .contains("'SIGFOO' is not a signal");
    assertThat(on(jobs::running)).isEmpty();
  }

  @Test
  void anotherClustersStartOfARunningIdIsRefusedAndEveryReportNamesItsCluster() {
    startJob(bash("job-same", 1, waitingScript("true")).setClusterId("first").build());
    awaitLog(new AttemptId("job-same", 1), "ready");
    startJob(bash("job-same", 1, waitingScript("true")).setClusterId("second").build());

    JobStatus refused = awaitPhase("job-same", Phase.PHASE_START_FAILED);
    assertThat(refused.getClusterId()).isEqualTo("second");
    assertThat(refused.getMessage())
        .isEqualTo(
            "not started: this node still runs an attempt of the same id for another cluster"
                + " (first)");
    assertThat(statuses)
        .filteredOn(s -> s.getPhase() == Phase.PHASE_STARTED)
        .singleElement()
        .satisfies(s -> assertThat(s.getClusterId()).isEqualTo("first"));
    assertThat(on(jobs::running))
        .singleElement()
        .satisfies(r -> assertThat(r.getClusterId()).isEqualTo("first"));
  }

  @Test
  void aJobRunsOnceAtATime() {
    startJob(bash("job-once", 1, waitingScript("true")).build());
    awaitLog(new AttemptId("job-once", 1), "ready");
    startJob(bash("job-once", 1, waitingScript("true")).build());
    startJob(bash("job-once", 2, waitingScript("true")).build());

    assertThat(awaitPhase("job-once", Phase.PHASE_START_FAILED).getMessage())
        .isEqualTo("attempt 1 still runs here");
    assertThat(statuses).filteredOn(s -> s.getPhase() == Phase.PHASE_STARTED).hasSize(1);
    assertThat(on(jobs::running))
        .singleElement()
        .satisfies(r -> assertThat(r.getAttempt()).isEqualTo(1));
  }

  @Test
  void resumingRestoresIntoTheResumeDir() throws IOException {
    restorer =
        (begun, into) -> {
          Files.writeString(into.resolve("restored.txt"), begun.getResumeFrom().getName());
          return new CheckpointRestorer.Outcome(
              Optional.of(begun.getResumeFrom()), Optional.of(begun.getResumeFrom()), List.of());
        };
    StartJob start =
        bash("job-resume", 2, "cat $TERN_RESUME_DIR/restored.txt")
            .setResumeFrom(CheckpointRef.newBuilder().setName("step-42").setAttempt(1))
            .build();
    startJob(start);
    JobStatus started = awaitPhase("job-resume", Phase.PHASE_STARTED);
    assertThat(started.getRestore().getRestored().getName()).isEqualTo("step-42");
    assertThat(started.getMessage()).contains("resumed from step-42 of attempt 1");
    JobStatus exited = awaitPhase("job-resume", Phase.PHASE_EXITED);
    assertThat(exited.getRestore().getRestored().getName())
        .as("repeated in case the STARTED status was lost")
        .isEqualTo("step-42");
    assertThat(log(new AttemptId("job-resume", 2))).contains("step-42");
  }

  @Test
  void resumingWithoutACheckpointStoreFailsTheStart() {
    startJob(
        bash("job-noresume", 2, "true")
            .setResumeFrom(CheckpointRef.newBuilder().setName("step-42").setAttempt(1))
            .build());
    assertThat(awaitPhase("job-noresume", Phase.PHASE_START_FAILED).getMessage())
        .contains("cannot restore checkpoint 'step-42'");
  }

  @Test
  void stopAllStopsEveryJob() throws Exception {
    startJob(bash("all-1", 1, waitingScript("true")).build());
    startJob(bash("all-2", 1, waitingScript("true")).build());
    awaitLog(new AttemptId("all-1", 1), "ready");
    awaitLog(new AttemptId("all-2", 1), "ready");

    on(() -> jobs.stopAll("agent exit")).get(30, TimeUnit.SECONDS);

    assertThat(statuses)
        .filteredOn(s -> s.getPhase() == Phase.PHASE_STOPPED)
        .extracting(JobStatus::getJobId)
        .containsExactlyInAnyOrder("all-1", "all-2");
    assertThat(on(jobs::running)).isEmpty();
  }

  private Path successRecord(String jobId, int attempt) {
    return dir.resolve("store").resolve(jobId).resolve(".succeeded-" + attempt);
  }

  private void startJob(StartJob start) {
    run(() -> jobs.start(start));
  }

  private static StopJob stop(String jobId, int attempt, String reason) {
    return StopJob.newBuilder().setJobId(jobId).setAttempt(attempt).setReason(reason).build();
  }

  private static CheckpointJob checkpoint(String jobId, int attempt, Instant deadline) {
    return CheckpointJob.newBuilder()
        .setJobId(jobId)
        .setAttempt(attempt)
        .setReason("spot reclaim")
        .setDeadline(
            Timestamp.newBuilder()
                .setSeconds(deadline.getEpochSecond())
                .setNanos(deadline.getNano()))
        .build();
  }

  private JobStatus awaitPhase(String jobId, Phase phase) {
    return await()
        .atMost(WAIT)
        .until(
            () ->
                statuses.stream()
                    .filter(s -> s.getJobId().equals(jobId) && s.getPhase() == phase)
                    .findFirst()
                    .orElse(null),
            s -> s != null);
  }

  private long pidOf(String jobId) {
    String message = awaitPhase(jobId, Phase.PHASE_STARTED).getMessage();
    return Long.parseLong(message.substring("pid ".length(), message.indexOf(',')));
  }

  private void awaitLog(AttemptId id, String text) {
    await().atMost(WAIT).until(() -> Files.exists(workDir.log(id)) && log(id).contains(text));
  }

  private String log(AttemptId id) throws IOException {
    return Files.readString(workDir.log(id));
  }

  private void run(Runnable task) {
    on(
        () -> {
          task.run();
          return null;
        });
  }

  private <T> T on(Supplier<T> task) {
    return CompletableFuture.supplyAsync(task, loop).join();
  }
}
