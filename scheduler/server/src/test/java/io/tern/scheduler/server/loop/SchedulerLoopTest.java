package io.tern.scheduler.server.loop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tern.api.v1.CapacityType;
import io.tern.api.v1.JobState;
import io.tern.api.v1.NodeState;
import io.tern.api.v1.Register;
import io.tern.api.v1.SchedulerMessage.KindCase;
import io.tern.api.v1.SubmitJobResponse;
import io.tern.scheduler.core.PlacementEngine;
import io.tern.scheduler.server.cloud.CloudSetup;
import io.tern.scheduler.server.zk.ZkPaths;
import io.tern.scheduler.server.zk.ZkStateStore;
import io.tern.testing.FakeScheduledExecutor;
import io.tern.testing.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The whole loop stepped by hand: its loop thread, planning thread and cloud worker are one {@link
 * FakeScheduledExecutor} on a {@link TestClock}, over a real ZooKeeper. Nothing runs unless the
 * test says so; the only wait is for ZooKeeper's answer to a commit ({@link #commit}).
 */
class SchedulerLoopTest {
  private static final Duration LEASE = Duration.ofSeconds(16);

  private final TestClock clock = TestClock.at("2026-05-04T06:00:00Z");
  private final FakeScheduledExecutor executor = new FakeScheduledExecutor(clock);
  private TestingServer zk;
  private CuratorFramework client;
  private SchedulerLoop loop;
  private final AlwaysElected elector = new AlwaysElected();

  @BeforeEach
  void start() throws Exception {
    zk = new TestingServer(true);
    client = CuratorFrameworkFactory.newClient(zk.getConnectString(), new RetryOneTime(100));
    client.start();
    loop =
        new SchedulerLoop(
            new SchedulerLoop.Threads(executor, executor, executor, executor),
            new ZkStateStore(client, ZkPaths.defaults()),
            elector,
            new PlacementEngine(),
            clock,
            SchedulerSettings.defaults().withNodeLease(LEASE),
            (team, status) -> {},
            CloudSetup.none(),
            null);
  }

  @AfterEach
  void stop() throws Exception {
    loop.close();
    client.close();
    zk.close();
  }

  /**
   * Runs the loop until {@code done}, waiting (up to 30 s each) for the tasks ZooKeeper's answers
   * hand back to it: commits answer on the committer's thread, in their own time.
   */
  private void runUntil(BooleanSupplier done) throws Exception {
    executor.runDue();
    while (!done.getAsBoolean()) {
      executor.awaitDue(Duration.ofSeconds(30));
      executor.runDue();
    }
  }

  private <T> T now(CompletableFuture<T> reply) throws Exception {
    executor.runDue();
    return reply.get(0, TimeUnit.SECONDS);
  }

  @Test
  void aJobIsSubmittedPlacedStartedAndRequeuedWhenItsNodeMissesItsLease() throws Exception {
    loop.elected();
    executor.runDue();
    assertThat(now(loop.role())).isEqualTo(SchedulerLoop.Role.LEADER);

    CompletableFuture<SubmitJobResponse> submitted =
        loop.jobs().submit(HandLoop.spec("vision", 2), "", "alice", false, team -> true);
    executor.runDue();
    assertThat(submitted).as("answered only once ZooKeeper has the job").isNotDone();
    runUntil(submitted::isDone);
    String id = submitted.get(0, TimeUnit.SECONDS).getJob().getId();

    HandLoop.Channel agent = new HandLoop.Channel();
    loop.agents()
        .register(
            Register.newBuilder()
                .setNodeId("n1")
                .setCapacityType(CapacityType.CAPACITY_TYPE_ON_DEMAND)
                .setPool("od")
                .addAllGpus(HandLoop.node("n1", 8).getGpusList())
                .build(),
            agent);
    executor.runDue();
    assertThat(agent.kinds()).containsExactly(KindCase.REGISTERED);

    // The plan waits planDelay (20 ms) to gather changes; the core runs on the "planning thread".
    executor.advance(Duration.ofMillis(20));
    runUntil(() -> !agent.of(KindCase.START_JOB).isEmpty());
    assertThat(agent.of(KindCase.START_JOB)).hasSize(1);
    assertThat(now(loop.jobs().get(id)).getState()).isEqualTo(JobState.JOB_STATE_STARTING);

    // No heartbeat: one tick past the lease, the node is lost and the job queued again.
    Instant leaseEnds = clock.instant().plus(LEASE);
    executor.advance(LEASE);
    assertThat(now(loop.storedNodes()).getFirst().getState()).isEqualTo(NodeState.NODE_STATE_READY);
    executor.advance(SchedulerSettings.defaults().tick());
    assertThat(clock.instant()).isAfter(leaseEnds);
    assertThat(now(loop.storedNodes()).getFirst().getState()).isEqualTo(NodeState.NODE_STATE_LOST);
    assertThat(agent.closedBecause).isEqualTo("lease expired");
    var job = now(loop.jobs().get(id));
    assertThat(job.getState()).isEqualTo(JobState.JOB_STATE_PENDING);
    assertThat(job.getAttempts(0).getEndReason()).isEqualTo("lost: node n1 stopped answering");
  }

  @Test
  void aReplicaThatIsNotElectedRefusesAndLeadsOnceElected() throws Exception {
    var refused = loop.jobs().get("job-000001");
    executor.runDue();
    assertThat(refused).isCompletedExceptionally();
    assertThat(now(loop.describeRole())).isEqualTo("FOLLOWER: not elected yet");

    loop.elected();
    executor.runDue();
    assertThat(now(loop.describeRole())).isEqualTo("LEADER: leading");
    loop.revoked("session expired");
    executor.runDue();
    assertThat(now(loop.describeRole())).isEqualTo("FOLLOWER: not the leader: session expired");

    // Once another replica leads, why this one stepped down is history.
    elector.leader = Optional.of("other:50051");
    assertThat(now(loop.describeRole())).isEqualTo("FOLLOWER: not the leader: other:50051 leads");
    var refusedAgain = loop.jobs().get("job-000001");
    executor.runDue();
    assertThatThrownBy(refusedAgain::get)
        .cause()
        .isInstanceOf(NotLeaderException.class)
        .hasMessageContaining("not the leader: other:50051 leads");
  }

  /**
   * A submit that ZooKeeper stored just as the term ended is answered "unknown outcome", never "not
   * taken": a client told "not taken" sends it again and, without an idempotency key, makes a
   * second job.
   */
  @Test
  void aSubmitStoredAsTheTermEndsIsAnsweredAsMaybeStoredNotAsNotTaken() throws Exception {
    loop.elected();
    executor.runDue();
    CompletableFuture<SubmitJobResponse> submitted =
        loop.jobs().submit(HandLoop.spec("vision", 2), "", "alice", false, team -> true);
    // The term ends on the loop after the submit's task and before ZooKeeper's answer comes back
    // (the write is handed to the committer by a task queued behind both).
    loop.revoked("session expired");
    runUntil(submitted::isDone);

    assertThat(submitted)
        .failsWithin(Duration.ZERO)
        .withThrowableOfType(java.util.concurrent.ExecutionException.class)
        .havingCause()
        .isInstanceOf(UnknownOutcomeException.class)
        .withMessageStartingWith("the change was stored");
    assertThat(client.getChildren().forPath(ZkPaths.defaults().jobs() + "/00000"))
        .as("it was stored")
        .containsExactly("job-000001");
  }
}
