package io.tern.scheduler.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tern.api.v1.GetJobRequest;
import io.tern.api.v1.Job;
import io.tern.api.v1.JobState;
import io.tern.api.v1.JobStatus;
import io.tern.api.v1.NodeState;
import io.tern.api.v1.SchedulerMessage;
import io.tern.api.v1.StartJob;
import io.tern.api.v1.SubmitJobRequest;
import io.tern.scheduler.core.model.CapacityType;
import io.tern.scheduler.core.policy.PoolOffer;
import io.tern.scheduler.server.cloud.CloudSetup;
import io.tern.scheduler.server.cloud.LaunchRequest;
import io.tern.scheduler.server.cloud.ScalingSettings;
import io.tern.scheduler.server.loop.SchedulerLoop;
import io.tern.scheduler.server.loop.SchedulerSettings;
import io.tern.scheduler.server.testing.Clients;
import io.tern.scheduler.server.testing.FakeAgent;
import io.tern.scheduler.server.testing.FakeCloud;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A real replica on a real ZooKeeper that autoscales through a fake cloud whose instances are
 * {@link FakeAgent}s: launches for the core's capacity requests, fallback on a pool out of
 * capacity, and idle nodes given back after the grace.
 */
class AutoscaleTest {
  private static final Duration WAIT = Duration.ofSeconds(15);

  private static final PoolOffer CHEAP = pool("a100-spot-a", 10);
  private static final PoolOffer PRICEY = pool("a100-spot-b", 14);

  private TestingServer zk;
  private final List<AutoCloseable> closeables = new ArrayList<>();
  private final FakeCloud cloud =
      new FakeCloud(Map.of(CHEAP.id(), CHEAP.pricePerHourUsd(), PRICEY.id(), 14.0));

  @BeforeEach
  void startZooKeeper() throws Exception {
    zk = new TestingServer(true);
  }

  @AfterEach
  void stopAll() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
    zk.close();
  }

  private static PoolOffer pool(String id, double price) {
    return new PoolOffer(
        id,
        CapacityType.SPOT,
        "p4d.24xlarge",
        "us-east-1a",
        8,
        "A100",
        81920,
        96,
        1024 * 1024L,
        price,
        4);
  }

  private SchedulerServer leader(Duration idleGrace) throws Exception {
    SchedulerConfig config =
        SchedulerConfig.local(zk.getConnectString(), 0)
            .withSettings(
                SchedulerSettings.defaults()
                    .withNodeLease(Duration.ofSeconds(30))
                    .withPacing(Duration.ofMillis(5), Duration.ofMillis(200)));
    ScalingSettings scaling =
        new ScalingSettings(Duration.ofMinutes(10), Duration.ofMinutes(10), idleGrace, 1000, true);
    SchedulerServer server =
        new SchedulerServer(
                config,
                Clock.systemUTC(),
                new CloudSetup(List.of(PRICEY, CHEAP), scaling, cloud::open))
            .start();
    closeables.add(server);
    await().atMost(WAIT).until(() -> server.loop().role().get() == SchedulerLoop.Role.LEADER);
    return server;
  }

  private Clients clients(SchedulerServer server) {
    Clients c = new Clients(server.address());
    closeables.add(c);
    return c;
  }

  private static String submit(Clients c, int gpus) {
    return c.jobs
        .submitJob(SubmitJobRequest.newBuilder().setSpec(Clients.spec("train", gpus)).build())
        .getJob()
        .getId();
  }

  private static Job job(Clients c, String id) {
    return c.jobs.getJob(GetJobRequest.newBuilder().setJobId(id).build());
  }

  @Test
  void aJobThatFitsNoNodeLaunchesOneInTheCheapestPoolAndRunsThere() throws Exception {
    SchedulerServer server = leader(Duration.ofMinutes(10));
    Clients c = clients(server);

    String id = submit(c, 8);

    await().atMost(WAIT).until(() -> !cloud.agents.isEmpty());
    FakeAgent agent = cloud.agents.values().iterator().next();
    StartJob start = agent.next(SchedulerMessage.KindCase.START_JOB, 15).getStartJob();
    assertThat(start.getJobId()).isEqualTo(id);
    assertThat(cloud.launches).extracting(LaunchRequest::poolId).containsExactly(CHEAP.id());
    assertThat(cloud.launches.getFirst().count()).isEqualTo(1);
    assertThat(cloud.launches.getFirst().forJobIds()).containsExactly(id);
    Job placed = job(c, id);
    assertThat(placed.getState()).isEqualTo(JobState.JOB_STATE_STARTING);
    assertThat(placed.getAttempts(0).getNodeIdsList()).containsExactly(agent.nodeId);
    assertThat(placed.getAttempts(0).getPool()).isEqualTo(CHEAP.id());
  }

  @Test
  void aPoolOutOfCapacityFallsBackToTheNextCheapest() throws Exception {
    cloud.outOfCapacity.add(CHEAP.id());
    SchedulerServer server = leader(Duration.ofMinutes(10));
    Clients c = clients(server);

    String id = submit(c, 8);

    await().atMost(WAIT).until(() -> !cloud.agents.isEmpty());
    FakeAgent agent = cloud.agents.values().iterator().next();
    assertThat(agent.next(SchedulerMessage.KindCase.START_JOB, 15).getStartJob().getJobId())
        .isEqualTo(id);
    assertThat(cloud.launches)
        .extracting(LaunchRequest::poolId)
        .containsExactly(CHEAP.id(), PRICEY.id());
    assertThat(job(c, id).getAttempts(0).getPool()).isEqualTo(PRICEY.id());
  }

  @Test
  void anIdleNodeIsTerminatedAfterTheGrace() throws Exception {
    SchedulerServer server = leader(Duration.ofSeconds(1));
    Clients c = clients(server);
    String id = submit(c, 8);
    await().atMost(WAIT).until(() -> !cloud.agents.isEmpty());
    FakeAgent agent = cloud.agents.values().iterator().next();
    StartJob start = agent.next(SchedulerMessage.KindCase.START_JOB, 15).getStartJob();
    agent.status(id, start.getAttempt(), JobStatus.Phase.PHASE_STARTED, 0);

    // Busy: never given back, however long it runs.
    Thread.sleep(1500);
    assertThat(cloud.terminated).isEmpty();

    agent.status(id, start.getAttempt(), JobStatus.Phase.PHASE_EXITED, 0);
    await().atMost(WAIT).until(() -> job(c, id).getState() == JobState.JOB_STATE_SUCCEEDED);
    await().atMost(WAIT).until(() -> cloud.terminated.contains(agent.nodeId));
    await()
        .atMost(WAIT)
        .until(
            () ->
                server.loop().storedNodes().get().stream()
                    .anyMatch(
                        n ->
                            n.getId().equals(agent.nodeId)
                                && n.getState() == NodeState.NODE_STATE_LOST));
    assertThat(cloud.terminated).containsExactly(agent.nodeId);
  }

  @Test
  void anAgentStartedByHandIsNeverTerminatedEvenInAConfiguredPool() throws Exception {
    SchedulerServer server = leader(Duration.ofMillis(200));
    FakeAgent byHand =
        new FakeAgent(
            server.address(),
            "gpu-07",
            8,
            io.tern.api.v1.CapacityType.CAPACITY_TYPE_SPOT,
            CHEAP.id(),
            10);
    closeables.add(byHand);
    byHand.connect();
    await()
        .atMost(WAIT)
        .until(
            () ->
                server.loop().storedNodes().get().stream()
                    .anyMatch(n -> n.getId().equals("gpu-07")));

    Thread.sleep(1500); // many ticks past the idle grace

    assertThat(cloud.terminated).isEmpty();
    assertThat(cloud.launches).isEmpty();
    assertThat(server.loop().storedNodes().get())
        .filteredOn(n -> n.getId().equals("gpu-07"))
        .extracting(io.tern.api.v1.Node::getState)
        .containsExactly(NodeState.NODE_STATE_READY);
  }
}
