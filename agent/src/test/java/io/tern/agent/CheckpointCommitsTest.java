package io.tern.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.Timestamp;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.tern.agent.checkpoint.CheckpointCommitter;
import io.tern.agent.gpu.GpuProbeSpec;
import io.tern.agent.gpu.SimulatedGpuProbe;
import io.tern.agent.job.CheckpointRestorer;
import io.tern.agent.job.JobFixtures;
import io.tern.agent.link.ChannelFactory;
import io.tern.api.v1.AgentMessage;
import io.tern.api.v1.AgentMessage.KindCase;
import io.tern.api.v1.CheckpointCommitFailed;
import io.tern.api.v1.CheckpointCommitted;
import io.tern.api.v1.CheckpointJob;
import io.tern.api.v1.CheckpointPolicy;
import io.tern.api.v1.CheckpointRef;
import io.tern.api.v1.JobSpec;
import io.tern.api.v1.JobStatus;
import io.tern.api.v1.JobStatus.Phase;
import io.tern.api.v1.SchedulerMessage;
import io.tern.api.v1.StartJob;
import io.tern.checkpoint.AttemptFence;
import io.tern.checkpoint.CheckpointStore;
import io.tern.checkpoint.CheckpointStoreSettings;
import io.tern.checkpoint.CommittedCheckpoint;
import io.tern.checkpoint.StoreIdentity;
import io.tern.checkpoint.config.CheckpointStoreLocation;
import io.tern.checkpoint.fs.FsCheckpointStore;
import io.tern.checkpoint.fs.FsStoreRoot;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Checkpoint commits and restores through a real filesystem store, with real job processes and an
 * in-process scheduler: periodic commits, the final commit before CHECKPOINTED, restores into
 * TERN_RESUME_DIR, falling back past a corrupt checkpoint, and resuming with nothing to restore.
 */
class CheckpointCommitsTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final Path COUNTER = Path.of("../examples/jobs/counter.sh").toAbsolutePath();

  /** Writes checkpoint {@code ck} and runs on. */
  private static final String ONE_CHECKPOINT_THEN_SLEEP =
      """
      cd "$TERN_CHECKPOINT_DIR"
      mkdir ck && printf 'state' > ck/state && : > ck.done
      sleep 1000
      """;

  @TempDir Path dir;
  private final List<AutoCloseable> closeables = new ArrayList<>();
  private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor();
  private CheckpointStore store;
  private FakeScheduler scheduler;

  @BeforeEach
  void setUp() throws IOException {
    store =
        new FsCheckpointStore(
            Files.createDirectories(dir.resolve("store")),
            CheckpointStoreSettings.of(3, Clock.systemUTC()));
    scheduler = FakeScheduler.leader("ckpt-" + UUID.randomUUID(), 1, 200);
    closeables.add(scheduler);
  }

  @AfterEach
  void tearDown() throws Exception {
    for (AutoCloseable c : closeables.reversed()) {
      c.close();
    }
    loop.shutdownNow();
    store.close();
  }

  /** Waits until the attempt's checkpoint folder holds exactly {@code names}. */
  private static void awaitFolderHolds(Path folder, String... names) {
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              try (var listed = Files.list(folder)) {
                assertThat(listed.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder(names);
              }
            });
  }

  @Test
  void checkpointsAreCommittedWhileTheJobRunsAndAnnounced() throws IOException {
    Path go = Files.createDirectories(dir.resolve("go"));
    startAgent("node-1");
    String script =
        """
        cd "$TERN_CHECKPOINT_DIR"
        printf '%s' "$TERN_CHECKPOINT_DIR" > GO/dir
        mkdir ckpt-1 && printf 'hello' > ckpt-1/state && : > ckpt-1.done
        while [ ! -e GO/2 ]; do sleep 0.05; done
        mkdir -p ckpt-2/sub && printf 'world!' > ckpt-2/sub/a && printf 'xy' > ckpt-2/b
        : > ckpt-2.done
        sleep 1000
        """
            .replace("GO", go.toString());
    scheduler.command(start(JobFixtures.bash("job-p", 1, script).build()));
    await().atMost(WAIT).until(() -> committed("job-p").size() == 1);
    Files.createFile(go.resolve("2"));

    await().atMost(WAIT).until(() -> committed("job-p").size() == 2);
    List<CheckpointCommitted> commits = committed("job-p");
    assertThat(statuses("job-p")).as("still running").containsExactly(Phase.PHASE_STARTED);
    assertThat(commits)
        .extracting(c -> c.getCheckpoint().getName(), c -> c.getCheckpoint().getSizeBytes())
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("ckpt-1", 5L),
            org.assertj.core.groups.Tuple.tuple("ckpt-2", 8L));
    for (CheckpointCommitted c : commits) {
      assertThat(c.getJobId()).isEqualTo("job-p");
      assertThat(c.getCheckpoint().getAttempt()).isEqualTo(1);
      assertThat(c.getCheckpoint().getManifestSha256()).hasSize(64);
      assertThat(c.getCheckpoint().getCommittedAt().getSeconds()).isPositive();
      assertThat(c.getSaveMillis()).isBetween(0L, 10_000L);
    }
    assertThat(store.list("job-p"))
        .extracting(CommittedCheckpoint::name, CommittedCheckpoint::manifestSha256)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                "ckpt-2", commits.get(1).getCheckpoint().getManifestSha256()),
            org.assertj.core.groups.Tuple.tuple(
                "ckpt-1", commits.get(0).getCheckpoint().getManifestSha256()));
    // The attempt's folder keeps only the last committed one: the store has the others.
    awaitFolderHolds(Path.of(Files.readString(go.resolve("dir"))), "ckpt-2", "ckpt-2.done");
  }

  @Test
  void aJobThatReusesOneNameHasEachRewriteCommittedAndKeepsItsFolder() throws Exception {
    Path go = Files.createDirectories(dir.resolve("go"));
    startAgent("node-1");
    String script =
        """
        cd "$TERN_CHECKPOINT_DIR"
        printf '%s' "$TERN_CHECKPOINT_DIR" > GO/dir
        for i in 1 2 3; do
          while [ ! -e GO/$i ]; do sleep 0.05; done
          rm -f latest.done && rm -rf latest
          mkdir latest && printf 'step %d' $i > latest/state && : > latest.done
        done
        sleep 1000
        """
            .replace("GO", go.toString());
    scheduler.command(start(JobFixtures.bash("job-latest", 1, script).build()));
    for (int i = 1; i <= 3; i++) {
      Files.createFile(go.resolve(String.valueOf(i)));
      int commits = i;
      await().atMost(WAIT).until(() -> committed("job-latest").size() == commits);
    }

    assertThat(committed("job-latest"))
        .extracting(c -> c.getCheckpoint().getName())
        .containsExactly("latest", "latest.2", "latest.3");
    assertThat(store.list("job-latest").getFirst().name()).isEqualTo("latest.3");
    Path local = Path.of(Files.readString(go.resolve("dir")));
    assertThat(Files.readString(local.resolve("latest/state")))
        .as("its newest checkpoint stays where it wrote it")
        .isEqualTo("step 3");
  }

  @Test
  void aCheckpointRewrittenWhileItIsCommittedIsNotKept() throws Exception {
    startAgent("node-1");
    // Rewrites latest/ again and again, a, then 30 MB of one digit, then b, all from the same
    // step: a copy straddles a rewrite, and would mix two steps (it did, before such copies were
    // dropped: every one restored torn).
    String script =
        """
        cd "$TERN_CHECKPOINT_DIR"
        i=0
        while true; do
          i=$((i+1)); rm -f latest.done; mkdir -p latest
          printf '%d' $i > latest/a
          head -c 30000000 /dev/zero | tr '\\0' "$((i % 10))" > latest/big
          printf '%d' $i > latest/b
          : > latest.done
          sleep 0.05
        done
        """;
    scheduler.command(start(JobFixtures.bash("job-torn", 1, script).build()));
    Thread.sleep(5_000);

    Path restored = dir.resolve("restored");
    if (store.restoreLatest("job-torn", restored).restored().isEmpty()) {
      return; // every copy straddled a rewrite, and none was kept
    }
    String a = Files.readString(restored.resolve("a"));
    assertThat(Files.readString(restored.resolve("b"))).as("one step's a and b").isEqualTo(a);
    byte[] big = Files.readAllBytes(restored.resolve("big"));
    assertThat(big).hasSize(30_000_000);
    byte digit = (byte) ('0' + Integer.parseInt(a) % 10);
    assertThat(big[0]).isEqualTo(digit);
    assertThat(big[big.length - 1]).isEqualTo(digit);
  }

  @Test
  void checkpointsFinishedBetweenTwoScansCommitOnlyTheNewest() throws Exception {
    startAgent("node-1");
    // Three checkpoints finished before the committer looks: it passes over the two older ones, as
    // it does when it falls behind, instead of committing stale work first.
    String script =
        """
        cd "$TERN_CHECKPOINT_DIR"
        for i in 1 2 3; do mkdir ck-$i && printf 'state %d' $i > ck-$i/state; done
        : > ck-1.done; : > ck-2.done; : > ck-3.done
        sleep 1000
        """;
    scheduler.command(start(JobFixtures.bash("job-behind", 1, script).build()));

    await()
        .atMost(WAIT)
        .until(
            () -> committed("job-behind"),
            c -> !c.isEmpty() && c.getLast().getCheckpoint().getName().equals("ck-3"));
    // Nearly always ck-3 alone; a scan that falls between two of the markers commits one older
    // checkpoint first. Committing all three, oldest first, is what a committer that falls behind
    // must not do.
    assertThat(committed("job-behind")).hasSizeLessThan(3);
    assertThat(store.list("job-behind"))
        .extracting(CommittedCheckpoint::name)
        .hasSizeLessThan(3)
        .startsWith("ck-3");
  }

  @Test
  void aSlowCommitOfOneJobDoesNotHoldUpTheOthers() throws Exception {
    CheckpointStore fs = store;
    GatedCheckpointStore gated = new GatedCheckpointStore(fs, "job-slow");
    store = gated;
    try {
      startAgent("node-1");
      scheduler.command(start(JobFixtures.bash("job-slow", 1, ONE_CHECKPOINT_THEN_SLEEP).build()));
      await().atMost(WAIT).until(gated::aCommitWaits);

      scheduler.command(start(JobFixtures.bash("job-fast", 1, ONE_CHECKPOINT_THEN_SLEEP).build()));
      await().atMost(WAIT).until(() -> committed("job-fast").size() == 1);
      assertThat(committed("job-slow")).as("still at the gate").isEmpty();

      gated.open();
      await().atMost(WAIT).until(() -> committed("job-slow").size() == 1);
    } finally {
      gated.open();
      store = fs;
    }
  }

  @Test
  void aCheckpointCommandCommitsTheFinalCheckpointBeforeCheckpointedAndTheResumeEndsAlike()
      throws Exception {
    String expected = uninterruptedFinalLine(60);
    startAgent("node-1");
    scheduler.command(start(counter("job-c", 1, 60, null)));
    Path log1 = dir.resolve("work/node-1/jobs/job-c/attempt-1/output.log");
    await().atMost(WAIT).until(() -> read(log1).contains("step 5\n"));

    Instant deadline = Instant.now().plusSeconds(10);
    scheduler.command(
        SchedulerMessage.newBuilder()
            .setCheckpointJob(
                CheckpointJob.newBuilder()
                    .setJobId("job-c")
                    .setAttempt(1)
                    .setDeadline(timestamp(deadline))
                    .setReason("spot reclaim of node-1")));
    awaitStatus("job-c", Phase.PHASE_CHECKPOINTED);

    List<AgentMessage> sequence =
        scheduler.received.stream()
            .filter(m -> m.hasCheckpointCommitted() || m.hasJobStatus())
            .toList();
    assertThat(sequence)
        .extracting(
            m -> m.hasCheckpointCommitted() ? "committed" : m.getJobStatus().getPhase().name())
        .as("the final checkpoint is announced before CHECKPOINTED")
        .containsExactly("PHASE_STARTED", "committed", "PHASE_CHECKPOINTED");
    CheckpointCommitted last = committed("job-c").getLast();
    assertThat(last.getCheckpoint().getName()).matches("step-0000\\d\\d");
    assertThat(last.getSaveMillis()).as("from the signal to .done").isBetween(0L, 5_000L);
    assertThat(read(log1)).contains("checkpointed on signal at step");

    // Attempt 2, elsewhere, resumes from it and ends exactly as an uninterrupted run.
    startAgent("node-2");
    scheduler.command(start(counter("job-c", 2, 60, last.getCheckpoint())));
    JobStatus started = awaitStatus("job-c", Phase.PHASE_STARTED, 2);
    assertThat(started.getMessage())
        .contains("resumed from " + last.getCheckpoint().getName() + " of attempt 1");
    awaitStatus("job-c", Phase.PHASE_EXITED, 2);
    String log2 = read(dir.resolve("work/node-2/jobs/job-c/attempt-2/output.log"));
    assertThat(log2).contains("resumed: step=");
    assertThat(log2.strip().lines().toList().getLast()).isEqualTo(expected);
  }

  @Test
  void aResumeRestoresTheLatestCheckpointIntoTheResumeDir() throws Exception {
    commit("job-r", "step-a", "old");
    CommittedCheckpoint newest = commit("job-r", "step-b", "new");
    startAgent("node-1");

    scheduler.command(
        start(
            JobFixtures.bash("job-r", 2, "ls \"$TERN_RESUME_DIR\"; cat \"$TERN_RESUME_DIR/state\"")
                .setResumeFrom(ref(newest))
                .build()));

    JobStatus started = awaitStatus("job-r", Phase.PHASE_STARTED, 2);
    assertThat(started.getMessage()).contains("resumed from step-b of attempt 1");
    awaitStatus("job-r", Phase.PHASE_EXITED, 2);
    assertThat(read(dir.resolve("work/node-1/jobs/job-r/attempt-2/output.log")))
        .isEqualTo("state\nnew");
  }

  @Test
  void aCorruptNewestCheckpointFallsBackToThePreviousAndSaysSo() throws Exception {
    commit("job-x", "step-a", "old");
    CommittedCheckpoint newest = commit("job-x", "step-b", "new");
    Path stored = dir.resolve("store/job-x/a1-step-b/data/state");
    assertThat(stored).exists();
    Files.writeString(stored, "bad"); // same size, other bytes

    startAgent("node-1");
    scheduler.command(
        start(
            JobFixtures.bash("job-x", 2, "cat \"$TERN_RESUME_DIR/state\"")
                .setResumeFrom(ref(newest))
                .build()));

    JobStatus started = awaitStatus("job-x", Phase.PHASE_STARTED, 2);
    assertThat(started.getMessage())
        .contains("resumed from step-a of attempt 1 (asked for step-b of attempt 1)")
        .contains("passed over step-b of attempt 1: ")
        .contains("SHA-256");
    assertThat(started.getRestore().getRequested().getName()).isEqualTo("step-b");
    assertThat(started.getRestore().getRestored().getName()).isEqualTo("step-a");
    assertThat(started.getRestore().getFailedVerificationList())
        .singleElement()
        .satisfies(f -> assertThat(f.getName()).isEqualTo("step-b"));
    awaitStatus("job-x", Phase.PHASE_EXITED, 2);
    assertThat(read(dir.resolve("work/node-1/jobs/job-x/attempt-2/output.log"))).isEqualTo("old");
  }

  @Test
  void aResumeWithNothingRestorableStartsFreshAndSaysSo() throws Exception {
    startAgent("node-1");
    scheduler.command(
        start(
            JobFixtures.bash("job-f", 2, "echo \"resume=${TERN_RESUME_DIR:-unset}\"")
                .setResumeFrom(CheckpointRef.newBuilder().setName("step-9").setAttempt(1))
                .build()));

    JobStatus started = awaitStatus("job-f", Phase.PHASE_STARTED, 2);
    assertThat(started.getMessage())
        .contains("none: started fresh (asked for step-9 of attempt 1)");
    assertThat(started.getRestore().hasRestored()).isFalse();
    assertThat(started.getRestore().getRequested().getName()).isEqualTo("step-9");
    awaitStatus("job-f", Phase.PHASE_EXITED, 2);
    assertThat(read(dir.resolve("work/node-1/jobs/job-f/attempt-2/output.log")))
        .isEqualTo("resume=unset\n");
  }

  /**
   * A full store: each failed commit is reported (since when, why, how often); when the job writes
   * a newer checkpoint the committer gives up the older one rather than retry it forever; once
   * there is room the newest commits and the episode ends.
   */
  @Test
  void aJobKeepsToTheStoreOfTheClusterThatStartedIt() throws Exception {
    CommittedCheckpoint strangers = commit("job-c", "step-a", "another cluster's");
    startAgent("node-1");
    String script =
        """
        echo "resume=${TERN_RESUME_DIR:-unset}"
        cd "$TERN_CHECKPOINT_DIR" && mkdir mine && printf 'own' > mine/state && : > mine.done
        """;
    scheduler.command(
        start(
            JobFixtures.bash("job-c", 2, script)
                .setClusterId("cluster-2")
                .setResumeFrom(ref(strangers))
                .build()));

    JobStatus started = awaitStatus("job-c", Phase.PHASE_STARTED, 2);
    assertThat(started.getRestore().hasRestored())
        .as("the store holds job-c of no cluster, not of cluster-2")
        .isFalse();
    awaitStatus("job-c", Phase.PHASE_EXITED, 2);
    assertThat(read(dir.resolve("work/node-1/jobs/job-c/attempt-2/output.log")))
        .isEqualTo("resume=unset\n");
    CheckpointStore cluster = store.forCluster("cluster-2");
    assertThat(cluster.list("job-c"))
        .singleElement()
        .satisfies(c -> assertThat(c.name()).isEqualTo("mine"));
    assertThat(cluster.succeededAttempt("job-c")).hasValue(2);
    assertThat(store.list("job-c")).containsExactly(strangers);
    assertThat(store.succeededAttempt("job-c")).isEmpty();
  }

  @Test
  void theLastCheckpointOfAnEndedAttemptWaitsForAStoreThatWasFullForAMoment() throws Exception {
    Path root = useSmallStore();
    startAgent("node-1");
    scheduler.command(start(counter("job-r", 1, 100_000, null)));
    Path log1 = dir.resolve("work/node-1/jobs/job-r/attempt-1/output.log");
    await().atMost(WAIT).until(() -> read(log1).contains("step 5\n"));
    Path filler = Files.write(root.resolve("someone-elses-file"), new byte[16_384]);

    // A requeue: the job writes its checkpoint and exits; the store has no room for it yet.
    scheduler.command(
        SchedulerMessage.newBuilder()
            .setCheckpointJob(
                CheckpointJob.newBuilder()
                    .setJobId("job-r")
                    .setAttempt(1)
                    .setDeadline(timestamp(Instant.now().plusSeconds(10)))
                    .setReason("requeued by alice")));
    await().atMost(WAIT).until(() -> !failures("job-r").isEmpty());
    assertThat(statuses("job-r"))
        .as("not ended before its checkpoint")
        .doesNotContain(Phase.PHASE_CHECKPOINTED);
    Files.delete(filler);

    JobStatus checkpointed = awaitStatus("job-r", Phase.PHASE_CHECKPOINTED);
    String last = failures("job-r").getFirst().getCheckpoint();
    assertThat(committed("job-r"))
        .extracting(c -> c.getCheckpoint().getName())
        .as("committed once the store had room, before the end was reported")
        .contains(last);
    assertThat(store.list("job-r").getFirst().name()).isEqualTo(last);
    assertThat(checkpointed.getAttempt()).isEqualTo(1);
  }

  @Test
  void aFullStoreIsReportedAndTheCommitterMovesOnToTheNewestAndRecovers() throws Exception {
    Path root = useSmallStore();
    Path go = Files.createDirectories(dir.resolve("go"));
    startAgent("node-1");
    String script =
        """
        cd "$TERN_CHECKPOINT_DIR"
        printf '%s' "$TERN_CHECKPOINT_DIR" > GO/dir
        for i in 1 2 3; do
          while [ ! -e GO/$i ]; do sleep 0.05; done
          mkdir ck-$i && printf 'state %d' $i > ck-$i/state && : > ck-$i.done
        done
        sleep 1000
        """
            .replace("GO", go.toString());
    scheduler.command(start(JobFixtures.bash("job-full", 1, script).build()));
    Files.createFile(go.resolve("1"));
    await().atMost(WAIT).until(() -> committed("job-full").size() == 1);

    Path filler = Files.write(root.resolve("someone-elses-file"), new byte[16_384]);
    Files.createFile(go.resolve("2"));
    CheckpointCommitFailed first =
        await().atMost(WAIT).until(() -> failures("job-full"), f -> !f.isEmpty()).getFirst();
    assertThat(first.getCheckpoint()).isEqualTo("ck-2");
    assertThat(first.getAttempt()).isEqualTo(1);
    assertThat(first.getFenced()).isFalse();
    assertThat(first.getError()).contains("checkpoint store is full").contains("Disk quota");

    Files.createFile(go.resolve("3"));
    List<CheckpointCommitFailed> later =
        await()
            .atMost(WAIT)
            .until(
                () -> failures("job-full"),
                f -> f.stream().anyMatch(x -> x.getCheckpoint().equals("ck-3")));
    CheckpointCommitFailed moved =
        later.stream().filter(x -> x.getCheckpoint().equals("ck-3")).findFirst().orElseThrow();
    assertThat(moved.getFailingSince()).isEqualTo(first.getFailingSince());
    assertThat(moved.getFailures()).isGreaterThan(first.getFailures());

    Files.delete(filler);
    await().atMost(WAIT).until(() -> committed("job-full").size() == 2);
    assertThat(committed("job-full"))
        .extracting(c -> c.getCheckpoint().getName())
        .as("ck-2 was given up for the newer ck-3")
        .containsExactly("ck-1", "ck-3");
    assertThat(store.list("job-full"))
        .first()
        .satisfies(c -> assertThat(c.name()).isEqualTo("ck-3"));
    // ck-2, given up while the store was full, leaves the attempt's folder with ck-1.
    awaitFolderHolds(Path.of(Files.readString(go.resolve("dir"))), "ck-3", "ck-3.done");
  }

  @ParameterizedTest(name = "checkpoint policy in the spec: {0}")
  @ValueSource(booleans = {true, false})
  void aRestartedAgentCommitsTheCheckpointItsPredecessorsOrphanWroteBeforeReportingItsEnd(
      boolean policy) throws Exception {
    StartJob orphan = counter("job-o", 1, 100_000, null);
    if (!policy) {
      // The job checkpoints on SIGTERM all the same (counter.sh traps it).
      orphan = orphan.toBuilder().setSpec(orphan.getSpec().toBuilder().clearCheckpoint()).build();
    }
    Path log1 = leaveAnOrphan(orphan);

    startAgent("node-1"); // same node, same work dir, with the store: SIGTERM, then the commit

    // With a checkpoint policy its exit 0 on SIGTERM is a checkpoint; without one, a stop.
    Phase ended = policy ? Phase.PHASE_CHECKPOINTED : Phase.PHASE_STOPPED;
    JobStatus stopped = awaitStatus("job-o", ended);
    assertThat(stopped.getMessage()).contains("still running from the agent before");
    List<String> sequence =
        scheduler.received.stream()
            .filter(m -> m.hasCheckpointCommitted() || m.hasJobStatus())
            .map(m -> m.hasCheckpointCommitted() ? "committed" : m.getJobStatus().getPhase().name())
            .toList();
    assertThat(sequence)
        .as("the checkpoint the job wrote on SIGTERM is committed before the stop is reported")
        .containsExactly("PHASE_STARTED", "committed", ended.name());
    CheckpointCommitted committed = committed("job-o").getFirst();
    assertThat(committed.getCheckpoint().getAttempt()).isEqualTo(1);
    assertThat(read(log1)).contains("checkpoint: " + committed.getCheckpoint().getName());
    assertThat(store.list("job-o"))
        .extracting(CommittedCheckpoint::name)
        .containsExactly(committed.getCheckpoint().getName());
  }

  /**
   * The agent signals a checkpoint (a requeue) and dies as with -9; the job writes its checkpoint
   * and exits 0 while no agent runs. The restarted agent reports a checkpoint, not the job's
   * success, and commits the checkpoint first.
   */
  @Test
  void anExitAfterTheSignalOfAnAgentThatDiedIsACheckpointNotASuccess() throws Exception {
    ScheduledExecutorService firstLoop = Executors.newSingleThreadScheduledExecutor();
    startStorelessAgent(firstLoop);
    String script =
        """
        cd "$TERN_CHECKPOINT_DIR"
        asked=0
        trap 'asked=1' USR1
        echo ready
        while [ $asked = 0 ]; do sleep 0.05; done
        for i in $(seq 40); do sleep 0.05; done
        mkdir ck && printf 'state' > ck/state && : > ck.done
        """;
    StartJob.Builder job = JobFixtures.bash("job-s", 1, script);
    job.getSpecBuilder()
        .setCheckpoint(
            CheckpointPolicy.newBuilder()
                .setSignal("SIGUSR1")
                .setGrace(com.google.protobuf.Duration.newBuilder().setSeconds(10)));
    scheduler.command(start(job.build()));
    Path attempt = dir.resolve("work/node-1/jobs/job-s/attempt-1");
    await().atMost(WAIT).until(() -> read(attempt.resolve("output.log")).contains("ready"));
    scheduler.command(
        SchedulerMessage.newBuilder()
            .setCheckpointJob(
                CheckpointJob.newBuilder()
                    .setJobId("job-s")
                    .setAttempt(1)
                    .setDeadline(timestamp(Instant.now().plusSeconds(10)))
                    .setReason("requeued by alice")));
    await().atMost(WAIT).until(() -> Files.exists(attempt.resolve("signalled")));
    firstLoop.shutdownNow(); // the agent dies; the job checkpoints 2 s later and exits 0
    await().atMost(WAIT).until(() -> Files.exists(attempt.resolve("exit")));

    startAgent("node-1");

    JobStatus ended = awaitStatus("job-s", Phase.PHASE_CHECKPOINTED);
    assertThat(ended.getMessage()).isEqualTo("checkpointed as asked, while no agent ran");
    assertThat(statuses("job-s")).doesNotContain(Phase.PHASE_EXITED);
    assertThat(committed("job-s"))
        .extracting(c -> c.getCheckpoint().getName())
        .containsExactly("ck");
  }

  /**
   * Starts {@code orphan} under an agent that then dies as with -9 (its loop stops; the job and its
   * shim live on) and commits nothing (it has no store); returns the job's log.
   */
  private Path leaveAnOrphan(StartJob orphan) throws Exception {
    ScheduledExecutorService firstLoop = Executors.newSingleThreadScheduledExecutor();
    startStorelessAgent(firstLoop);
    scheduler.command(start(orphan));
    Path log1 = dir.resolve("work/node-1/jobs/" + orphan.getJobId() + "/attempt-1/output.log");
    await().atMost(WAIT).until(() -> read(log1).contains("step 5\n"));
    firstLoop.shutdownNow(); // its job and shim live on
    return log1;
  }

  /**
   * Starts node-1's agent on {@code loop}, which commits nothing (it has no store), and waits until
   * it has registered; the test kills it as with -9 by shutting {@code loop} down.
   */
  private void startStorelessAgent(ScheduledExecutorService loop) {
    int before = scheduler.ofKind(KindCase.REGISTER).size();
    new NodeAgent(
            config("node-1"),
            new SimulatedGpuProbe(new GpuProbeSpec.Simulated(1, "L4", 24), "node-1"),
            address -> InProcessChannelBuilder.forName(address).directExecutor().build(),
            loop,
            Clock.systemUTC(),
            CheckpointRestorer.unavailable())
        .start();
    await().atMost(WAIT).until(() -> scheduler.ofKind(KindCase.REGISTER).size() > before);
  }

  @Test
  void aRestartedAgentRetriesTheLeftoverCommitAStoreRefusesForAMoment() throws Exception {
    Path log1 = leaveAnOrphan(counter("job-f", 1, 100_000, null));
    CheckpointStore fs = store;
    FullCheckpointStore full = new FullCheckpointStore(fs, "job-f");
    store = full;
    try {
      // The restart registers only once its leftovers are committed (or given up): not here.
      var restart = java.util.concurrent.CompletableFuture.runAsync(() -> startAgent("node-1"));
      await().atMost(WAIT).until(() -> full.refused() >= 2);
      full.free();
      restart.get(WAIT.toSeconds(), TimeUnit.SECONDS);

      JobStatus checkpointed = awaitStatus("job-f", Phase.PHASE_CHECKPOINTED);
      assertThat(checkpointed.getAttempt()).isEqualTo(1);
      CheckpointCommitted committed = committed("job-f").getFirst();
      assertThat(read(log1)).contains("checkpoint: " + committed.getCheckpoint().getName());
      assertThat(fs.list("job-f"))
          .extracting(CommittedCheckpoint::name)
          .containsExactly(committed.getCheckpoint().getName());
    } finally {
      store = fs;
    }
  }

  /**
   * An agent restarted while another store's volume is mounted where the cluster's should be
   * commits its leftover job's SIGTERM checkpoint into neither the other store nor anywhere else:
   * it waits for the store its leader last named, commits there once it is back, and only then
   * reports the attempt's end.
   */
  @Test
  void aRestartedAgentCommitsItsLeftoverCheckpointOnlyToTheStoreItsLeaderLastNamed()
      throws Exception {
    Path folder = dir.resolve("identified");
    StoreIdentity ours =
        CheckpointStoreLocation.parse(folder.toString()).initialise(Clock.systemUTC());
    Path log1 = leaveAnOrphan(counter("job-u", 1, 100_000, null));
    // The leader named the store to the agent before it died, and another store's volume is
    // mounted in its place when it restarts.
    Files.write(dir.resolve("work/node-1/checkpoint-store.json"), ours.encode());
    Path away = Files.move(folder, dir.resolve("unmounted"));
    CheckpointStoreLocation.parse(folder.toString()).initialise(Clock.systemUTC());
    CheckpointStore fs = store;
    store =
        CheckpointStoreLocation.parse(folder.toString())
            .open(CheckpointStoreSettings.of(3, Clock.systemUTC()));
    closeables.add(store);
    scheduler.checkpointStore = ours;
    try {
      var restart = java.util.concurrent.CompletableFuture.runAsync(() -> startAgent("node-1"));
      await().atMost(WAIT).until(() -> read(log1).contains("checkpoint: "));
      Thread.sleep(2_000); // the commit is tried, and refused, meanwhile
      try (var files = Files.list(folder)) {
        assertThat(files)
            .as("nothing in the other store")
            .containsExactly(folder.resolve(FsStoreRoot.MARKER));
      }

      Files.delete(folder.resolve(FsStoreRoot.MARKER));
      Files.delete(folder);
      Files.move(away, folder); // the cluster's store is back
      restart.get(WAIT.toSeconds(), TimeUnit.SECONDS);
      JobStatus checkpointed = awaitStatus("job-u", Phase.PHASE_CHECKPOINTED);
      assertThat(checkpointed.getAttempt()).isEqualTo(1);
      CheckpointCommitted committed = committed("job-u").getFirst();
      assertThat(read(log1)).contains("checkpoint: " + committed.getCheckpoint().getName());
      assertThat(store.list("job-u"))
          .extracting(CommittedCheckpoint::name)
          .containsExactly(committed.getCheckpoint().getName());
    } finally {
      store = fs;
    }
  }

  @Test
  void endsWaitingForAFullStoreHoldUpNoOtherJobsCommits() throws Exception {
    CheckpointStore fs = store;
    FullCheckpointStore full = new FullCheckpointStore(fs, "stuck-");
    store = full;
    try {
      startAgent("node-1");
      String script =
          """
          cd "$TERN_CHECKPOINT_DIR"
          mkdir ck && printf 'state' > ck/state && : > ck.done
          """;
      // More ended attempts waiting for the store than the committer has threads.
      for (int i = 0; i < 2 * CheckpointCommitter.COMMIT_THREADS; i++) {
        scheduler.command(start(JobFixtures.bash("stuck-" + i, 1, script).build()));
      }
      await().atMost(WAIT).until(() -> full.refused() >= 2 * CheckpointCommitter.COMMIT_THREADS);

      scheduler.command(start(JobFixtures.bash("free", 1, script + "sleep 1000\n").build()));
      await().atMost(Duration.ofSeconds(10)).until(() -> committed("free").size() == 1);
      assertThat(statuses("stuck-0"))
          .as("still waiting for the store")
          .containsExactly(Phase.PHASE_STARTED);

      full.free();
      for (int i = 0; i < 2 * CheckpointCommitter.COMMIT_THREADS; i++) {
        awaitStatus("stuck-" + i, Phase.PHASE_EXITED);
        assertThat(committed("stuck-" + i)).hasSize(1);
      }
    } finally {
      full.free();
      store = fs;
    }
  }

  @Test
  void aCommitBackingOffAfterManyFailuresIsTriedAgainOnceAnotherJobsCommitWorks() throws Exception {
    CheckpointStore fs = store;
    FullCheckpointStore full = new FullCheckpointStore(fs, "stuck-");
    store = full;
    try {
      startAgent("node-1");
      scheduler.command(start(JobFixtures.bash("stuck-a", 1, ONE_CHECKPOINT_THEN_SLEEP).build()));
      // Eight failures in a row: the next try waits 2^7 polls (12.8 s).
      await().atMost(WAIT).until(() -> failures("stuck-a").size() >= 8);
      assertThat(failures("stuck-a").getLast().getFailures()).isEqualTo(8);

      full.free();
      scheduler.command(start(JobFixtures.bash("free", 1, ONE_CHECKPOINT_THEN_SLEEP).build()));
      await().atMost(Duration.ofSeconds(5)).until(() -> committed("free").size() == 1);
      await()
          .atMost(Duration.ofSeconds(3))
          .alias("the store works again: the back-off ends")
          .until(() -> committed("stuck-a").size() == 1);
    } finally {
      full.free();
      store = fs;
    }
  }

  @Test
  void aNewerCheckpointIsTriedAtOnceThoughTheFailedOneBacksOff() throws Exception {
    CheckpointStore fs = store;
    Path go = Files.createDirectories(dir.resolve("go"));
    FullCheckpointStore full = new FullCheckpointStore(fs, "stuck-");
    store = full;
    try {
      startAgent("node-1");
      String script =
          """
          cd "$TERN_CHECKPOINT_DIR"
          mkdir ck-1 && printf 'state 1' > ck-1/state && : > ck-1.done
          while [ ! -e GO/2 ]; do sleep 0.05; done
          mkdir ck-2 && printf 'state 2' > ck-2/state && : > ck-2.done
          sleep 1000
          """
              .replace("GO", go.toString());
      scheduler.command(start(JobFixtures.bash("stuck-b", 1, script).build()));
      await().atMost(WAIT).until(() -> failures("stuck-b").size() >= 8);

      int before = full.refused();
      Files.createFile(go.resolve("2"));
      await()
          .atMost(Duration.ofSeconds(3))
          .alias("ck-2 holds more work: tried within a poll, not after the back-off of ck-1")
          .until(() -> failures("stuck-b").getLast().getCheckpoint().equals("ck-2"));
      assertThat(full.refused()).isEqualTo(before + 1);
    } finally {
      full.free();
      store = fs;
    }
  }

  /** Replaces the store with one of 16 KiB; returns its root (a file there takes its room). */
  private Path useSmallStore() throws IOException {
    store.close();
    Path root = Files.createDirectories(dir.resolve("small-store"));
    store =
        new FsCheckpointStore(
            root, CheckpointStoreSettings.of(3, Clock.systemUTC()), true, OptionalLong.of(16_384));
    return root;
  }

  private List<CheckpointCommitFailed> failures(String jobId) {
    return scheduler.ofKind(KindCase.CHECKPOINT_COMMIT_FAILED).stream()
        .map(AgentMessage::getCheckpointCommitFailed)
        .filter(f -> f.getJobId().equals(jobId))
        .toList();
  }

  /** Starts an agent and waits until the scheduler has registered it (commands go to it then). */
  private void startAgent(String nodeId) {
    int before = scheduler.ofKind(KindCase.REGISTER).size();
    agent(nodeId).start();
    await().atMost(WAIT).until(() -> scheduler.ofKind(KindCase.REGISTER).size() > before);
  }

  private AgentConfig config(String nodeId) {
    return AgentConfig.builder(nodeId, List.of(scheduler.name), dir.resolve("work").resolve(nodeId))
        .agentVersion("test")
        .reconnect(Duration.ofMillis(10), Duration.ofMillis(100))
        .defaultGrace(Duration.ofSeconds(5))
        .checkpointPoll(Duration.ofMillis(100))
        .build();
  }

  private NodeAgent agent(String nodeId) {
    AgentConfig config = config(nodeId);
    ChannelFactory channels =
        address -> InProcessChannelBuilder.forName(address).directExecutor().build();
    NodeAgent agent =
        new NodeAgent(
            config,
            new SimulatedGpuProbe(new GpuProbeSpec.Simulated(1, "L4", 24), nodeId),
            channels,
            loop,
            Clock.systemUTC(),
            store);
    closeables.add(agent);
    return agent;
  }

  private static StartJob counter(String jobId, int attempt, int steps, CheckpointRef resume) {
    StartJob.Builder start =
        StartJob.newBuilder()
            .setJobId(jobId)
            .setAttempt(attempt)
            .setSpec(
                JobSpec.newBuilder()
                    .setName(jobId)
                    .setTeam("test")
                    .addAllCommand(List.of("bash", COUNTER.toString(), Integer.toString(steps)))
                    .putAllEnv(Map.of("STEP_SECONDS", "0.05", "CHECKPOINT_EVERY", "0"))
                    .setCheckpoint(
                        CheckpointPolicy.newBuilder()
                            .setSignal("SIGUSR1")
                            .setGrace(com.google.protobuf.Duration.newBuilder().setSeconds(10))));
    if (resume != null) {
      start.setResumeFrom(resume);
    }
    return start.build();
  }

  private String uninterruptedFinalLine(int steps) throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder("bash", COUNTER.toString(), Integer.toString(steps))
            .redirectErrorStream(true);
    pb.environment().put("STEP_SECONDS", "0");
    pb.environment().keySet().removeIf(k -> k.startsWith("TERN_"));
    Process run = pb.start();
    String out = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(run.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return out.strip().lines().toList().getLast();
  }

  private CommittedCheckpoint commit(String jobId, String name, String content) throws IOException {
    Path local = Files.createDirectories(dir.resolve("local").resolve(jobId).resolve(name));
    Files.writeString(local.resolve("state"), content);
    return store.commit(jobId, new AttemptFence(1, 0), local, name, OptionalLong.empty());
  }

  private static CheckpointRef ref(CommittedCheckpoint c) {
    return CheckpointRef.newBuilder()
        .setName(c.name())
        .setAttempt(c.attempt())
        .setSizeBytes(c.sizeBytes())
        .setManifestSha256(c.manifestSha256())
        .build();
  }

  private List<CheckpointCommitted> committed(String jobId) {
    return scheduler.ofKind(KindCase.CHECKPOINT_COMMITTED).stream()
        .map(AgentMessage::getCheckpointCommitted)
        .filter(c -> c.getJobId().equals(jobId))
        .toList();
  }

  private List<Phase> statuses(String jobId) {
    return scheduler.ofKind(KindCase.JOB_STATUS).stream()
        .map(AgentMessage::getJobStatus)
        .filter(s -> s.getJobId().equals(jobId))
        .map(JobStatus::getPhase)
        .toList();
  }

  private JobStatus awaitStatus(String jobId, Phase phase) {
    return awaitStatus(jobId, phase, 1);
  }

  private JobStatus awaitStatus(String jobId, Phase phase, int attempt) {
    return await()
        .atMost(WAIT)
        .until(
            () ->
                scheduler.ofKind(KindCase.JOB_STATUS).stream()
                    .map(AgentMessage::getJobStatus)
                    .filter(
                        s ->
                            s.getJobId().equals(jobId)
                                && s.getAttempt() == attempt
                                && s.getPhase() == phase)
                    .findFirst(),
            Optional::isPresent)
        .orElseThrow();
  }

  private static SchedulerMessage.Builder start(StartJob start) {
    return SchedulerMessage.newBuilder().setStartJob(start);
  }

  private static Timestamp timestamp(Instant at) {
    return Timestamp.newBuilder().setSeconds(at.getEpochSecond()).setNanos(at.getNano()).build();
  }

  private static String read(Path file) throws IOException {
    return Files.exists(file) ? Files.readString(file) : "";
  }
}
