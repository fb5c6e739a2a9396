package io.tern.scheduler.server.loop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Timestamp;
import io.tern.api.v1.Attempt;
import io.tern.api.v1.Job;
import io.tern.api.v1.JobSpec;
import io.tern.api.v1.JobState;
import io.tern.checkpoint.AttemptFence;
import io.tern.checkpoint.CheckpointStore;
import io.tern.checkpoint.CheckpointStoreSettings;
import io.tern.checkpoint.ForwardingCheckpointStore;
import io.tern.checkpoint.StaleAttemptException;
import io.tern.checkpoint.fs.FsCheckpointStore;
import io.tern.checkpoint.workdir.WorkdirStore;
import io.tern.scheduler.core.PlacementEngine;
import io.tern.scheduler.server.cloud.CloudSetup;
import io.tern.scheduler.server.zk.ZkPaths;
import io.tern.scheduler.server.zk.ZkStateStore;
import io.tern.testing.FakeScheduledExecutor;
import io.tern.testing.TestClock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The leader retires the checkpoints of finished jobs: the whole loop stepped by hand on a {@link
 * TestClock} over a real ZooKeeper and a real file-system checkpoint store, with jobs as an earlier
 * leader left them in ZooKeeper.
 */
class CheckpointRetirementTest {
  private static final Duration KEEP = Duration.ofDays(7);

  private final TestClock clock = TestClock.at("2026-05-04T06:00:00Z");
  private FakeScheduledExecutor executor = new FakeScheduledExecutor(clock);
  @TempDir Path tmp;
  private TestingServer zk;
  private CuratorFramework client;
  private ZkStateStore state;
  private CheckpointStore store;
  private SchedulerLoop loop;
  private String clusterId;

  /** Every job the store was asked to retire, in order, across cluster views. */
  private final List<String> retireCalls = new CopyOnWriteArrayList<>();

  /** Jobs whose retire fails, as a store that cannot be reached would. */
  private final java.util.Set<String> failing = ConcurrentHashMap.newKeySet();

  private final class Counting extends ForwardingCheckpointStore {
    Counting(CheckpointStore store) {
      super(store);
    }

    @Override
    public int retire(String jobId) throws IOException {
      retireCalls.add(jobId);
      if (failing.contains(jobId)) {
        throw new IOException("the store cannot be reached");
      }
      return super.retire(jobId);
    }

    @Override
    public CheckpointStore forCluster(String id) {
      return new Counting(super.forCluster(id));
    }

    @Override
    public WorkdirStore workdirs() {
      WorkdirStore code = super.workdirs();
      return new WorkdirStore() {
        @Override
        public boolean keep(String digest) throws IOException {
          return code.keep(digest);
        }

        @Override
        public java.util.Map<String, Instant> lastUsed() throws IOException {
          return code.lastUsed();
        }

        @Override
        public boolean deleteUnusedSince(String digest, Instant before) throws IOException {
          if (undeletableCode.contains(digest)) {
            throw new IOException("Operation not permitted");
          }
          return code.deleteUnusedSince(digest, before);
        }

        @Override
        public boolean put(String digest, Path archive) throws IOException {
          return code.put(digest, archive);
        }

        @Override
        public void fetch(String digest, Path target) throws IOException {
          code.fetch(digest, target);
        }
      };
    }
  }

  /** Code archives the store fails to delete. */
  private final java.util.Set<String> undeletableCode = ConcurrentHashMap.newKeySet();

  @BeforeEach
  void start() throws Exception {
    zk = new TestingServer(true);
    client = CuratorFrameworkFactory.newClient(zk.getConnectString(), new RetryOneTime(100));
    client.start();
    state = new ZkStateStore(client, ZkPaths.defaults());
    state.ensureLayout();
    clusterId =
        new String(
            client.getData().forPath(ZkPaths.defaults().clusterId()), StandardCharsets.UTF_8);
    store =
        new Counting(
            new FsCheckpointStore(
                Files.createDirectories(tmp.resolve("store")),
                CheckpointStoreSettings.of(3, clock),
                false,
                OptionalLong.empty()));
  }

  @AfterEach
  void stop() throws Exception {
    if (loop != null) {
      loop.close();
    }
    client.close();
    zk.close();
  }

  private SchedulerLoop newLeader(Optional<Duration> keep) {
    SchedulerLoop l =
        new SchedulerLoop(
            new SchedulerLoop.Threads(executor, executor, executor, executor),
            state,
            new AlwaysElected(),
            new PlacementEngine(),
            clock,
            SchedulerSettings.defaults(),
            (team, status) -> {},
            CloudSetup.none(),
            null);
    l.retireCheckpoints(store, keep);
    l.elected();
    return l;
  }

  private void assertLeads(SchedulerLoop l) throws Exception {
    executor.runDue();
    CompletableFuture<SchedulerLoop.Role> role = l.role();
    executor.runDue();
    assertThat(role.get(0, TimeUnit.SECONDS)).isEqualTo(SchedulerLoop.Role.LEADER);
  }

  /**
   * Past the next tick, with what the loop does then run, and the tasks ZooKeeper's answers hand
   * back to it (until none comes for 300 ms).
   */
  private void tick() throws Exception {
    executor.advance(SchedulerSettings.defaults().tick());
    while (true) {
      try {
        executor.awaitDue(Duration.ofMillis(300));
      } catch (TimeoutException quiet) {
        return;
      }
      executor.runDue();
    }
  }

  private static Timestamp ts(Instant t) {
    return Timestamp.newBuilder().setSeconds(t.getEpochSecond()).build();
  }

  private static JobSpec spec(boolean checkpoints) {
    return checkpoints ? HandLoop.checkpointable("vision", 1, 30) : HandLoop.spec("vision", 1);
  }

  /** A job as an earlier leader left it: {@code state}, its one attempt ended {@code ago}. */
  private void stored(String id, JobState jobState, Duration ago, boolean checkpoints)
      throws Exception {
    stored(id, jobState, ago, spec(checkpoints));
  }

  private void stored(String id, JobState jobState, Duration ago, JobSpec spec) throws Exception {
    Attempt.Builder attempt =
        Attempt.newBuilder()
            .setNumber(1)
            .addNodeIds("n1")
            .setPlacedAt(ts(clock.instant().minus(ago).minus(Duration.ofHours(1))))
            .setStartedAt(ts(clock.instant().minus(ago).minus(Duration.ofHours(1))));
    if (jobState != JobState.JOB_STATE_RUNNING) {
      attempt.setEndedAt(ts(clock.instant().minus(ago)));
    }
    Job job =
        Job.newBuilder()
            .setId(id)
            .setSpec(spec)
            .setState(jobState)
            .setSubmittedAt(ts(clock.instant().minus(ago).minus(Duration.ofHours(2))))
            .addAttempts(attempt)
            .build();
    client
        .create()
        .creatingParentsIfNeeded()
        .forPath(ZkPaths.defaults().job(id), job.toByteArray());
  }

  private CheckpointStore view() {
    return store.forCluster(clusterId);
  }

  private void checkpoint(String id) throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("local-" + id));
    Files.writeString(dir.resolve("state"), "step=7\n");
    view().commit(id, new AttemptFence(1, 0), dir, "step-7", OptionalLong.of(7));
  }

  private Optional<Instant> mark() throws Exception {
    if (client.checkExists().forPath(ZkPaths.defaults().checkpointsRetired()) == null) {
      return Optional.empty();
    }
    return Optional.of(
        Instant.parse(
            new String(
                client.getData().forPath(ZkPaths.defaults().checkpointsRetired()),
                StandardCharsets.UTF_8)));
  }

  @Test
  void checkpointsOfJobsFinishedLongerAgoThanKeepAreDeletedAndTheirAttemptsFenced()
      throws Exception {
    stored("job-000001", JobState.JOB_STATE_SUCCEEDED, Duration.ofDays(8), true);
    stored("job-000002", JobState.JOB_STATE_FAILED, Duration.ofDays(1), true);
    stored("job-000003", JobState.JOB_STATE_RUNNING, Duration.ofDays(9), true);
    stored("job-000004", JobState.JOB_STATE_CANCELLED, Duration.ofDays(30), true);
    // No checkpoint policy in its spec, yet it wrote checkpoints of its own accord.
    stored("job-000005", JobState.JOB_STATE_SUCCEEDED, Duration.ofDays(30), false);
    stored("job-000006", JobState.JOB_STATE_SUCCEEDED, Duration.ofDays(30), false);
    for (String id :
        List.of("job-000001", "job-000002", "job-000003", "job-000004", "job-000005")) {
      checkpoint(id);
    }

    loop = newLeader(Optional.of(KEEP));
    assertLeads(loop);
    tick();

    assertThat(retireCalls)
        .as("oldest first; not the running job or the recent one")
        .containsExactly("job-000004", "job-000005", "job-000006", "job-000001");
    assertThat(view().list("job-000001")).isEmpty();
    assertThat(view().list("job-000004")).isEmpty();
    assertThat(view().list("job-000005")).isEmpty();
    assertThat(tmp.resolve("store/clusters/" + clusterId + "/job-000006"))
        .as("nothing is written for a job that never stored anything")
        .doesNotExist();
    assertThat(view().list("job-000002")).hasSize(1);
    assertThat(view().list("job-000003")).hasSize(1);
    assertThatThrownBy(() -> checkpoint("job-000001"))
        .as("an agent still running the finished job cannot put a checkpoint back")
        .isInstanceOf(StaleAttemptException.class);
    assertThat(mark()).hasValue(clock.instant().minus(KEEP));

    tick();
    assertThat(retireCalls).as("no round for ten minutes").hasSize(4);
    assertThat(CheckpointRetirement.every(KEEP)).isEqualTo(Duration.ofMinutes(10));
    assertThat(CheckpointRetirement.every(Duration.ofMinutes(30))).isEqualTo(Duration.ofMinutes(3));
    assertThat(CheckpointRetirement.every(Duration.ZERO)).isEqualTo(Duration.ofSeconds(10));

    clock.advance(Duration.ofDays(6).plusMinutes(1));
    tick();
    assertThat(retireCalls).endsWith("job-000001", "job-000002").hasSize(5);
    assertThat(view().list("job-000002")).isEmpty();
    assertThat(view().list("job-000003")).as("still running").hasSize(1);
  }

  /** A spec that ships the code {@code digest}. */
  private static JobSpec withCode(String digest) {
    return spec(false).toBuilder().setWorkdirDigest(digest).build();
  }

  /** An archive of shipped code in the store, last used {@code ago} before the test clock. */
  private Path archive(String digest, Duration ago) throws IOException {
    Path file = tmp.resolve("store").resolve(WorkdirStore.key(digest));
    Files.createDirectories(file.getParent());
    Files.writeString(file, "code " + digest);
    Files.setLastModifiedTime(file, FileTime.from(clock.instant().minus(ago)));
    return file;
  }

  @Test
  void shippedCodeThatNoJobKeepsIsDeletedOnceUnusedForKeep() throws Exception {
    String oldDone = "a".repeat(64);
    String recentDone = "b".repeat(64);
    String running = "c".repeat(64);
    String orphanOld = "d".repeat(64);
    String orphanNew = "e".repeat(64);
    stored("job-000001", JobState.JOB_STATE_SUCCEEDED, Duration.ofDays(8), withCode(oldDone));
    stored("job-000002", JobState.JOB_STATE_FAILED, Duration.ofDays(1), withCode(recentDone));
    stored("job-000003", JobState.JOB_STATE_RUNNING, Duration.ofDays(30), withCode(running));
    Path oldDoneFile = archive(oldDone, Duration.ofDays(9));
    Path recentDoneFile = archive(recentDone, Duration.ofDays(9));
    Path runningFile = archive(running, Duration.ofDays(30));
    Path orphanOldFile = archive(orphanOld, Duration.ofDays(8));
    // No job of this cluster names it: another cluster's, or a submit not stored yet.
    Path orphanNewFile = archive(orphanNew, Duration.ofDays(6));
    // One the store cannot delete: the others go on, and the live one is still marked.
    String stuck = "0".repeat(64);
    Path stuckFile = archive(stuck, Duration.ofDays(10));
    undeletableCode.add(stuck);

    loop = newLeader(Optional.of(KEEP));
    assertLeads(loop);
    tick();

    assertThat(oldDoneFile).as("its job finished longer ago than keep").doesNotExist();
    assertThat(orphanOldFile).as("no job, unused for longer than keep").doesNotExist();
    assertThat(recentDoneFile).as("its job finished a day ago").exists();
    assertThat(orphanNewFile).as("used less than keep ago").exists();
    assertThat(runningFile).as("its job runs").exists();
    assertThat(Files.getLastModifiedTime(runningFile).toInstant())
        .as("marked used, so that no other cluster sharing the store deletes it")
        .isAfter(clock.instant().minus(Duration.ofDays(1)));
    assertThat(stuckFile).exists();
  }

  @Test
  void shippedCodeUnusedForLessThanAnHourIsKeptWhateverTheKeepTime() throws Exception {
    String orphan = "a".repeat(64);
    Path recent = archive(orphan, Duration.ofMinutes(50));
    loop = newLeader(Optional.of(Duration.ofSeconds(1)));
    assertLeads(loop);
    tick();
    assertThat(recent)
        .as("another cluster marks its live code at least every 20 min: an hour is safe")
        .exists();

    Files.setLastModifiedTime(
        recent, FileTime.from(clock.instant().minus(CheckpointRetirement.CODE_UNUSED_AT_LEAST)));
    clock.advance(CheckpointRetirement.every(Duration.ofSeconds(1)));
    tick();
    assertThat(recent).doesNotExist();
  }

  @Test
  void aClusterThatKeepsForeverStillMarksItsJobsCodeUsedAndDeletesNone() throws Exception {
    String finished = "a".repeat(64);
    String orphan = "b".repeat(64);
    stored("job-000001", JobState.JOB_STATE_SUCCEEDED, Duration.ofDays(300), withCode(finished));
    Path finishedFile = archive(finished, Duration.ofDays(300));
    Path orphanFile = archive(orphan, Duration.ofDays(300));
    loop = newLeader(Optional.empty());
    assertLeads(loop);
    tick();

    assertThat(orphanFile).exists();
    assertThat(Files.getLastModifiedTime(finishedFile).toInstant())
        .as("kept for ever, so marked used for other clusters sharing the store")
        .isAfter(clock.instant().minus(Duration.ofDays(1)));
  }

  @Test
  void aNewLeaderStartsFromTheMarkAndLooksBackOnlyADay() throws Exception {
    stored("job-000001", JobState.JOB_STATE_SUCCEEDED, Duration.ofDays(30), true);
    stored("job-000002", JobState.JOB_STATE_SUCCEEDED, Duration.ofDays(7).plusHours(2), true);
    checkpoint("job-000001");
    checkpoint("job-000002");
    loop = newLeader(Optional.of(KEEP));
    assertLeads(loop);
    tick();
    assertThat(retireCalls).containsExactly("job-000001", "job-000002");
    loop.close();
    loop = null;

    retireCalls.clear();
    executor = new FakeScheduledExecutor(clock); // the closed loop shut its threads down
    SchedulerLoop next = newLeader(Optional.of(KEEP));
    loop = next;
    assertLeads(next);
    tick();
    assertThat(retireCalls)
        .as("the job that ended within a day of the mark is looked at again, the older one not")
        .containsExactly("job-000002");
    assertThat(mark()).hasValue(clock.instant().minus(KEEP));
  }

  @Test
  void aJobTheStoreFailsToRetireHoldsTheMarkWithoutHoldingUpTheOthersAndIsGivenUpAfterADay()
      throws Exception {
    Instant start = clock.instant();
    stored("job-000001", JobState.JOB_STATE_SUCCEEDED, Duration.ofDays(20), true);
    stored("job-000002", JobState.JOB_STATE_SUCCEEDED, Duration.ofDays(10), true);
    stored("job-000003", JobState.JOB_STATE_SUCCEEDED, Duration.ofDays(9), true);
    for (String id : List.of("job-000001", "job-000002", "job-000003")) {
      checkpoint(id);
    }
    failing.add("job-000001");
    failing.add("job-000003");
    loop = newLeader(Optional.of(KEEP));
    assertLeads(loop);
    tick();
    assertThat(retireCalls).containsExactly("job-000001", "job-000002", "job-000003");
    assertThat(view().list("job-000002")).as("the others go on").isEmpty();
    assertThat(mark())
        .as("up to the first job that failed, not past it")
        .hasValue(start.minus(Duration.ofDays(20)));

    failing.remove("job-000001");
    clock.advance(CheckpointRetirement.every(KEEP));
    tick();
    assertThat(retireCalls)
        .as("only those that failed are tried again")
        .containsExactly("job-000001", "job-000002", "job-000003", "job-000001", "job-000003");
    assertThat(view().list("job-000001")).isEmpty();
    assertThat(mark()).hasValue(start.minus(Duration.ofDays(9)));

    // job-000003 keeps failing: a day later it is given up and the mark passes it.
    clock.advance(CheckpointRetirement.GIVE_UP);
    tick();
    assertThat(view().list("job-000003")).hasSize(1);
    assertThat(mark().orElseThrow())
        .as("past the job given up, and no later than keep before the round")
        .isAfter(start.minus(Duration.ofDays(9)))
        .isBeforeOrEqualTo(clock.instant().minus(KEEP));
    int calls = retireCalls.size();
    clock.advance(CheckpointRetirement.every(KEEP));
    tick();
    assertThat(retireCalls).as("not tried again").hasSize(calls);
  }

  @Test
  void keptForeverNothingIsDeleted() throws Exception {
    stored("job-000001", JobState.JOB_STATE_SUCCEEDED, Duration.ofDays(300), true);
    checkpoint("job-000001");
    loop = newLeader(Optional.empty());
    assertLeads(loop);
    tick();
    clock.advance(Duration.ofDays(1));
    tick();
    assertThat(retireCalls).isEmpty();
    assertThat(view().list("job-000001")).hasSize(1);
    assertThat(mark()).isEmpty();
    assertLeads(loop);
  }
}
