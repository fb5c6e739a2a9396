package io.tern.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.grpc.inprocess.InProcessChannelBuilder;
import io.tern.agent.gpu.GpuProbeSpec;
import io.tern.agent.gpu.SimulatedGpuProbe;
import io.tern.api.v1.AgentMessage.KindCase;
import io.tern.checkpoint.CheckpointStore;
import io.tern.checkpoint.CheckpointStoreSettings;
import io.tern.checkpoint.StoreIdentity;
import io.tern.checkpoint.StoreUnreachableException;
import io.tern.checkpoint.config.CheckpointStoreLocation;
import io.tern.checkpoint.fs.FsStoreRoot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An agent holds its checkpoint store to the one its leader names (the cluster's, as ZooKeeper
 * records it), whatever marker it found first: a folder with another store's marker mounted where
 * the store should be is not used, a folder without a marker is not marked, and the right store is
 * used again once it is back, with no restart.
 */
class AgentStoreIdentityTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private final Clock clock = Clock.systemUTC();
  private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor();
  private FakeScheduler leader;
  private NodeAgent agent;
  private CheckpointStore store;
  private boolean reportsStore = true;

  @TempDir Path dir;

  @AfterEach
  void stop() throws Exception {
    if (agent != null) {
      agent.close();
    }
    loop.shutdownNow();
    if (store != null) {
      store.close();
    }
    if (leader != null) {
      leader.close();
    }
  }

  /** An agent on the store at {@code folder}, registered with a leader that names {@code ours}. */
  private void register(Path folder, StoreIdentity ours) throws Exception {
    leader = FakeScheduler.leader("store-" + UUID.randomUUID(), 1, 200);
    leader.checkpointStore = ours;
    start(folder, leader.name);
    await().atMost(WAIT).until(() -> !leader.ofKind(KindCase.REGISTER).isEmpty());
  }

  /**
   * Starts an agent of node n1 (its work dir the same each time) on the store at {@code folder}.
   */
  private void start(Path folder, String leaderName) throws Exception {
    store =
        CheckpointStoreLocation.parse(folder.toString()).open(CheckpointStoreSettings.of(3, clock));
    agent =
        new NodeAgent(
            AgentConfig.builder("n1", List.of(leaderName), dir.resolve("work"))
                .agentVersion("test")
                .reportsStore(reportsStore)
                .build(),
            new SimulatedGpuProbe(new GpuProbeSpec.Simulated(1, "L4", 24), "n1"),
            address -> InProcessChannelBuilder.forName(address).directExecutor().build(),
            loop,
            clock,
            store);
    agent.start();
  }

  @Test
  void aRestartedAgentIsHeldToTheStoreItsLeaderLastNamedBeforeItRegisters() throws Exception {
    Path folder = dir.resolve("mnt");
    StoreIdentity ours = CheckpointStoreLocation.parse(folder.toString()).initialise(clock);
    register(folder, ours);
    await().atMost(WAIT).until(() -> Files.exists(dir.resolve("work/checkpoint-store.json")));
    agent.close();
    store.close();

    // Another store's volume is mounted in its place, and no leader answers yet.
    Files.move(folder, dir.resolve("unmounted"));
    StoreIdentity theirs = CheckpointStoreLocation.parse(folder.toString()).initialise(clock);
    start(folder, "no-leader-" + UUID.randomUUID());

    assertThatThrownBy(() -> store.list("job-000001"))
        .isInstanceOf(StoreUnreachableException.class)
        .hasMessageContaining("holds store " + theirs)
        .hasMessageContaining(ours.id());
  }

  @Test
  void anotherStoresFolderMountedInItsPlaceIsNotUsedUntilTheClustersIsBack() throws Exception {
    Path folder = dir.resolve("mnt");
    StoreIdentity theirs = CheckpointStoreLocation.parse(folder.toString()).initialise(clock);
    StoreIdentity ours = StoreIdentity.draw(clock);
    // Before it registers the agent sees only the other store's marker.
    register(folder, ours);

    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThatThrownBy(() -> store.list("job-000001"))
                    .isInstanceOf(StoreUnreachableException.class)
                    .hasMessageContaining("holds store " + theirs)
                    .hasMessageContaining(ours.id()));

    // The cluster's store is mounted again: used with no restart.
    Files.write(folder.resolve(FsStoreRoot.MARKER), ours.encode());
    assertThat(store.list("job-000001")).isEmpty();
  }

  @Test
  void anAgentReportsTheStoreItsMarkerNamesSoThatAClusterWithoutARecordCanRecordIt()
      throws Exception {
    Path folder = dir.resolve("store");
    StoreIdentity found = CheckpointStoreLocation.parse(folder.toString()).initialise(clock);
    register(folder, null);

    var register = leader.ofKind(KindCase.REGISTER).getFirst().getRegister();
    assertThat(register.getCheckpointStoreId()).isEqualTo(found.id());
    assertThat(register.getCheckpointStoreCreated().getSeconds())
        .isEqualTo(found.created().getEpochSecond());
    assertThat(register.getCheckpointStoreCreated().getNanos())
        .isEqualTo(found.created().getNano());
  }

  @Test
  void anAgentOnItsDefaultStoreReportsNone() throws Exception {
    Path folder = dir.resolve("own-disk");
    CheckpointStoreLocation.parse(folder.toString()).initialise(clock);
    reportsStore = false;
    register(folder, null);

    assertThat(leader.ofKind(KindCase.REGISTER).getFirst().getRegister().getCheckpointStoreId())
        .isEmpty();
  }

  @Test
  void anAgentWhoseStoreHoldsNoMarkerReportsNone() throws Exception {
    register(Files.createDirectories(dir.resolve("empty")), null);

    assertThat(leader.ofKind(KindCase.REGISTER).getFirst().getRegister().getCheckpointStoreId())
        .isEmpty();
  }

  @Test
  void aFolderWithFilesButNoMarkerIsNotMarkedByAnAgent() throws Exception {
    Path folder = Files.createDirectories(dir.resolve("stand-in"));
    Files.writeString(folder.resolve("left-over"), "x");
    register(folder, StoreIdentity.draw(clock));

    assertThatThrownBy(() -> store.list("job-000001"))
        .isInstanceOf(StoreUnreachableException.class)
        .hasMessageContaining("holds no " + FsStoreRoot.MARKER);
    assertThat(folder.resolve(FsStoreRoot.MARKER)).doesNotExist();
    try (var files = Files.list(folder)) {
      assertThat(files).containsExactly(folder.resolve("left-over"));
    }
  }
}
