package io.tern.agent;

import static io.tern.agent.job.JobFixtures.bash;
import static io.tern.agent.job.JobFixtures.waitingScript;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.grpc.inprocess.InProcessChannelBuilder;
import io.tern.agent.gpu.GpuProbeSpec;
import io.tern.agent.gpu.SimulatedGpuProbe;
import io.tern.agent.job.CheckpointRestorer;
import io.tern.agent.link.ChannelFactory;
import io.tern.api.v1.AgentMessage;
import io.tern.api.v1.AgentMessage.KindCase;
import io.tern.api.v1.CapacityType;
import io.tern.api.v1.Gpu;
import io.tern.api.v1.JobStatus;
import io.tern.api.v1.JobStatus.Phase;
import io.tern.api.v1.Register;
import io.tern.api.v1.RunningAttempt;
import io.tern.api.v1.SchedulerMessage;
import io.tern.api.v1.SpotNotice;
import io.tern.api.v1.StartJob;
import io.tern.api.v1.StopJob;
import io.tern.api.v1.Telemetry;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent against in-process schedulers: registration, telemetry, commands, failover, fencing.
 */
class NodeAgentTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final Instant NOW = Instant.parse("2026-11-23T08:00:00Z");

  @TempDir Path workDir;
  private final String prefix = "sched-" + UUID.randomUUID() + "-";
  private final List<AutoCloseable> closeables = new ArrayList<>();
  private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor();

  @AfterEach
  void tearDown() throws Exception {
    for (AutoCloseable c : closeables.reversed()) {
      c.close();
    }
    loop.shutdownNow();
  }

  @Test
  void registersThenSendsTelemetryOnTheLeadersInterval() throws IOException {
    FakeScheduler leader = leader("a", 3, 20);
    NodeAgent agent = agent(List.of(leader.name));
    agent.start();

    Register register =
        await()
            .atMost(WAIT)
            .until(() -> first(leader, KindCase.REGISTER), r -> r != null)
            .getRegister();
    assertThat(leader.received.getFirst().hasRegister()).as("Register comes first").isTrue();
    assertThat(register.getNodeId()).isEqualTo("node-1");
    assertThat(register.getCapacityType()).isEqualTo(CapacityType.CAPACITY_TYPE_SPOT);
    assertThat(register.getPool()).isEqualTo("p4d.24xlarge/us-east-1a");
    assertThat(register.getPricePerHourUsd()).isEqualTo(9.83);
    assertThat(register.getCpu()).isEqualTo(96);
    assertThat(register.getMemoryGib()).isEqualTo(1152);
    assertThat(register.getLabelsMap()).containsEntry("rack", "r7");
    assertThat(register.getAgentVersion()).isEqualTo("test");
    assertThat(register.getRunningList()).isEmpty();
    assertThat(register.getGpusList())
        .extracting(Gpu::getIndex, Gpu::getModel)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(0, "H100"),
            org.assertj.core.groups.Tuple.tuple(1, "H100"),
            org.assertj.core.groups.Tuple.tuple(2, "H100"),
            org.assertj.core.groups.Tuple.tuple(3, "H100"));

    await().atMost(WAIT).until(() -> leader.ofKind(KindCase.TELEMETRY).size() >= 3);
    Telemetry telemetry = leader.ofKind(KindCase.TELEMETRY).getFirst().getTelemetry();
    assertThat(telemetry.getSampledAt().getSeconds()).isEqualTo(NOW.getEpochSecond());
    assertThat(telemetry.getGpusList()).hasSize(4);
    assertThat(agent.connected()).isTrue();
  }

  @Test
  void runsJobsAndReportsTheirExits() throws IOException {
    FakeScheduler leader = leader("a", 1, 20);
    NodeAgent agent = agent(List.of(leader.name));
    agent.start();
    awaitRegistered(leader);

    leader.command(start(bash("job-7", 1, "exit 7", 0).build()));

    JobStatus exited = awaitStatus(leader, "job-7", Phase.PHASE_EXITED);
    assertThat(exited.getExitCode()).isEqualTo(7);
    assertThat(exited.getAttempt()).isEqualTo(1);
    assertThat(exited.getAt().getSeconds()).isEqualTo(NOW.getEpochSecond());
    assertThat(statuses(leader, "job-7")).containsExactly(Phase.PHASE_STARTED, Phase.PHASE_EXITED);
  }

  @Test
  void answersLogReadsFromAnOffsetOrTheTailAndSaysWhenThereIsNoLog() throws IOException {
    FakeScheduler leader = leader("a", 1, 20);
    agent(List.of(leader.name)).start();
    awaitRegistered(leader);
    leader.command(start(bash("talker", 1, "echo hello; echo world", 0).build()));
    awaitStatus(leader, "talker", Phase.PHASE_EXITED);

    leader.command(
        io.tern.api.v1.SchedulerMessage.newBuilder()
            .setReadLogs(
                io.tern.api.v1.ReadLogs.newBuilder()
                    .setRequestId(7)
                    .setJobId("talker")
                    .setAttempt(1)
                    .setOffset(6)
                    .setMaxBytes(100)));
    leader.command(
        io.tern.api.v1.SchedulerMessage.newBuilder()
            .setReadLogs(
                io.tern.api.v1.ReadLogs.newBuilder()
                    .setRequestId(8)
                    .setJobId("talker")
                    .setAttempt(9)
                    .setMaxBytes(100)));
    leader.command(
        io.tern.api.v1.SchedulerMessage.newBuilder()
            .setReadLogs(
                io.tern.api.v1.ReadLogs.newBuilder()
                    .setRequestId(9)
                    .setJobId("talker")
                    .setAttempt(1)
                    .setTailLines(1)
                    .setMaxBytes(100)));

    await().atMost(WAIT).until(() -> leader.ofKind(KindCase.LOG_DATA).size() == 3);
    var answers = leader.ofKind(KindCase.LOG_DATA);
    assertThat(answers.get(0).getLogData().getRequestId()).isEqualTo(7);
    assertThat(answers.get(0).getLogData().getData().toStringUtf8()).isEqualTo("world\n");
    assertThat(answers.get(0).getLogData().getNextOffset()).isEqualTo(12);
    assertThat(answers.get(1).getLogData().getError()).contains("no log for talker attempt 9");
    // The last line only, whatever the offset; reading goes on from where it ends.
    assertThat(answers.get(2).getLogData().getData().toStringUtf8()).isEqualTo("world\n");
    assertThat(answers.get(2).getLogData().getNextOffset()).isEqualTo(12);
  }

  @Test
  void telemetryFollowsTheJobsOnSimulatedGpus() throws IOException {
    FakeScheduler leader = leader("a", 1, 20);
    agent(List.of(leader.name)).start();
    awaitRegistered(leader);

    leader.command(start(bash("busy", 1, waitingScript("true"), 2).build()));
    awaitStatus(leader, "busy", Phase.PHASE_STARTED);

    await()
        .atMost(WAIT)
        .until(
            () -> {
              List<AgentMessage> samples = leader.ofKind(KindCase.TELEMETRY);
              List<Gpu> gpus = samples.getLast().getTelemetry().getGpusList();
              return gpus.get(2).getUtilizationPercent() >= 88
                  && gpus.get(0).getUtilizationPercent() == 0;
            });
  }

  @Test
  void stopsJobsAndIgnoresStopsForAttemptsItDoesNotRun() throws IOException {
    FakeScheduler leader = leader("a", 1, 1000);
    NodeAgent agent = agent(List.of(leader.name));
    agent.start();
    awaitRegistered(leader);
    leader.command(start(bash("long", 1, waitingScript("true")).build()));
    awaitStatus(leader, "long", Phase.PHASE_STARTED);

    leader.command(stop("long", 2, "unknown attempt after failover"));
    leader.command(stop("long", 1, "cancelled"));

    JobStatus stopped = awaitStatus(leader, "long", Phase.PHASE_STOPPED);
    assertThat(stopped.getAttempt()).isEqualTo(1);
    assertThat(stopped.getMessage()).isEqualTo("cancelled");
    assertThat(statuses(leader, "long")).containsExactly(Phase.PHASE_STARTED, Phase.PHASE_STOPPED);
    assertThat(agent.running()).isEmpty();
  }

  @Test
  void refusesCommandsFromAnOlderEpoch() throws IOException {
    FakeScheduler leader = leader("a", 5, 1000);
    NodeAgent agent = agent(List.of(leader.name));
    agent.start();
    awaitRegistered(leader);

    leader.send(start(bash("stale", 1, "exit 0").build()).setEpoch(4).build());
    leader.send(start(bash("fresh", 1, "exit 0").build()).setEpoch(6).build());
    leader.send(start(bash("deposed", 1, "exit 0").build()).setEpoch(5).build());
    leader.send(start(bash("marker", 1, "exit 0").build()).setEpoch(6).build());

    awaitStatus(leader, "marker", Phase.PHASE_EXITED);
    awaitStatus(leader, "fresh", Phase.PHASE_EXITED);
    assertThat(leader.ofKind(KindCase.JOB_STATUS))
        .extracting(m -> m.getJobStatus().getJobId())
        .doesNotContain("stale", "deposed");
  }

  @Test
  void reconnectsAfterTheSchedulerRestartsAndKeepsItsJobs() throws IOException {
    FakeScheduler first = leader("a", 1, 20);
    NodeAgent agent = agent(List.of(first.name));
    agent.start();
    awaitRegistered(first);
    first.command(start(bash("survivor", 4, waitingScript("true"), 1, 3).build()));
    JobStatus started = awaitStatus(first, "survivor", Phase.PHASE_STARTED);
    long pid = Long.parseLong(started.getMessage().substring(4, started.getMessage().indexOf(',')));

    first.close();
    FakeScheduler second = leader("a", 2, 20);

    Register again = awaitRegistered(second);
    assertThat(again.getRunningList())
        .containsExactly(
            RunningAttempt.newBuilder()
                .setJobId("survivor")
                .setAttempt(4)
                .addGpuIndices(1)
                .addGpuIndices(3)
                .build());
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).hasValue(true);
    assertThat(second.received).noneMatch(m -> m.hasJobStatus());
    await().atMost(WAIT).until(() -> !second.ofKind(KindCase.TELEMETRY).isEmpty());

    second.command(stop("survivor", 4, "done"));
    awaitStatus(second, "survivor", Phase.PHASE_STOPPED);
  }

  @Test
  void statusesFromWhileDisconnectedGoOutAfterTheNextRegistration() throws IOException {
    FakeScheduler first = leader("a", 1, 1000);
    NodeAgent agent = agent(List.of(first.name));
    agent.start();
    awaitRegistered(first);
    first.command(start(bash("finisher", 1, waitingScript("trap 'exit 0' USR2")).build()));
    JobStatus started = awaitStatus(first, "finisher", Phase.PHASE_STARTED);
    long pid = Long.parseLong(started.getMessage().substring(4, started.getMessage().indexOf(',')));

    first.close();
    await().atMost(WAIT).until(() -> !agent.connected());
    new io.tern.agent.job.ProcessGroup(pid).signal("USR2"); // the job ends while no leader listens
    await().atMost(WAIT).until(() -> agent.running().isEmpty());
    FakeScheduler second = leader("a", 2, 1000);

    Register again = awaitRegistered(second);
    assertThat(again.getRunningList()).isEmpty();
    assertThat(awaitStatus(second, "finisher", Phase.PHASE_EXITED).getExitCode()).isZero();
  }

  @Test
  void sendsOneInstanceOnEveryStreamAndKeepsTryingWhileAnotherAgentHoldsTheNode()
      throws IOException {
    FakeScheduler leader = leader("a", 1, 1000);
    NodeAgent agent = agent(List.of(leader.name));
    agent.start();
    String instance = awaitRegistered(leader).getAgentInstance();
    assertThat(UUID.fromString(instance).version()).isEqualTo(4);
    assertThat(NodeAgent.drawInstance()).as("another agent's").isNotEqualTo(instance);

    // The leader refuses the node while another agent holds it; the agent keeps trying...
    leader.refuseWith =
        io.grpc.Status.ALREADY_EXISTS.withDescription("node node-1 is held by another agent");
    leader.dropStream();
    await().atMost(WAIT).until(() -> leader.ofKind(KindCase.REGISTER).size() >= 4);
    assertThat(agent.connected()).isFalse();

    // ...and registers once the other has gone, as the same instance.
    leader.refuseWith = null;
    await().atMost(WAIT).until(agent::connected);
    assertThat(leader.ofKind(KindCase.REGISTER))
        .extracting(m -> m.getRegister().getAgentInstance())
        .containsOnly(instance);
  }

  @Test
  void followsTheLeaderAFollowerNames() throws IOException {
    FakeScheduler leader = leader("leader", 9, 1000);
    FakeScheduler follower = follower("follower", leader.name);
    NodeAgent agent = agent(List.of(follower.name));
    agent.start();

    awaitRegistered(leader);
    assertThat(follower.ofKind(KindCase.REGISTER)).hasSize(1);
    assertThat(agent.connected()).isTrue();
  }

  @Test
  void triesTheNextAddressWhenOneIsDown() throws IOException {
    FakeScheduler up = leader("up", 1, 1000);
    NodeAgent agent = agent(List.of(prefix + "down", up.name));
    agent.start();
    awaitRegistered(up);
  }

  @Test
  void dropsALeaderWithAStaleEpoch() throws IOException {
    FakeScheduler first = leader("a", 7, 1000);
    FakeScheduler stale = leader("stale", 3, 1000); // a deposed leader that still answers
    FakeScheduler fresh = leader("fresh", 8, 1000);
    NodeAgent agent = agent(List.of(first.name, stale.name, fresh.name));
    agent.start();
    awaitRegistered(first);

    first.close();

    awaitRegistered(fresh);
    assertThat(stale.ofKind(KindCase.REGISTER)).hasSize(1);
    stale.command(start(bash("from-stale", 1, "exit 0").build()));
    fresh.command(start(bash("after", 1, "exit 0").build()));
    awaitStatus(fresh, "after", Phase.PHASE_EXITED);
    assertThat(fresh.ofKind(KindCase.JOB_STATUS))
        .extracting(m -> m.getJobStatus().getJobId())
        .doesNotContain("from-stale");
  }

  @Test
  void reportsSpotNotices() throws IOException {
    FakeScheduler leader = leader("a", 1, 1000);
    NodeAgent agent = agent(List.of(leader.name));
    agent.report(SpotNotice.newBuilder().setKind(SpotNotice.Kind.KIND_REBALANCE).build());
    agent.start();
    await().atMost(WAIT).until(() -> !leader.ofKind(KindCase.SPOT_NOTICE).isEmpty());
  }

  @Test
  void aReclaimNoticeCheckpointsTheJobsThatCanWithoutWaitingForTheLeader() throws IOException {
    // A leader that never asks (away, failing over, ZooKeeper down): the notice alone is enough.
    FakeScheduler leader = leader("a", 1, 1000);
    NodeAgent agent = agent(List.of(leader.name));
    agent.start();
    awaitRegistered(leader);
    leader.command(
        start(
            io.tern.agent.job.JobFixtures.checkpointing(
                    "saver", 1, waitingScript("trap 'echo saved; exit 0' USR1"), "SIGUSR1", 60_000)
                .build()));
    leader.command(start(bash("plain", 1, waitingScript("true")).build()));
    awaitStatus(leader, "saver", Phase.PHASE_STARTED);
    long plain = pid(awaitStatus(leader, "plain", Phase.PHASE_STARTED));

    agent.report(
        SpotNotice.newBuilder()
            .setKind(SpotNotice.Kind.KIND_INSTANCE_ACTION)
            .setActionAt(
                com.google.protobuf.Timestamp.newBuilder().setSeconds(NOW.getEpochSecond() + 110))
            .build());

    JobStatus saved = awaitStatus(leader, "saver", Phase.PHASE_CHECKPOINTED);
    assertThat(saved.getExitCode()).isZero();
    assertThat(saved.getMessage()).isEqualTo("spot reclaim of node-1");
    assertThat(leader.received.indexOf(first(leader, KindCase.SPOT_NOTICE)))
        .as("the leader hears of the notice before the checkpointed attempt")
        .isLessThan(
            leader.received.indexOf(
                leader.ofKind(KindCase.JOB_STATUS).stream()
                    .filter(m -> m.getJobStatus().getPhase() == Phase.PHASE_CHECKPOINTED)
                    .findFirst()
                    .orElseThrow()));
    assertThat(ProcessHandle.of(plain).map(ProcessHandle::isAlive))
        .as("a job that cannot checkpoint is the leader's to stop")
        .hasValue(true);

    // Every later registration says the node is under the notice.
    leader.close();
    FakeScheduler next = leader("a", 2, 1000);
    Register again = awaitRegistered(next);
    assertThat(again.getSpotNotice().getActionAt().getSeconds())
        .isEqualTo(NOW.getEpochSecond() + 110);
  }

  private static long pid(JobStatus started) {
    return Long.parseLong(started.getMessage().substring(4, started.getMessage().indexOf(',')));
  }

  @Test
  void closingStopsTheJobsAndTellsTheLeader() throws IOException {
    FakeScheduler leader = leader("a", 1, 1000);
    NodeAgent agent = agent(List.of(leader.name));
    agent.start();
    awaitRegistered(leader);
    leader.command(start(bash("bye", 1, waitingScript("true")).build()));
    JobStatus started = awaitStatus(leader, "bye", Phase.PHASE_STARTED);
    long pid = Long.parseLong(started.getMessage().substring(4, started.getMessage().indexOf(',')));

    agent.close();

    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    assertThat(new io.tern.agent.job.ProcessGroup(pid).members()).isEmpty();
    awaitStatus(leader, "bye", Phase.PHASE_STOPPED);
    assertThat(statuses(leader, "bye")).containsExactly(Phase.PHASE_STARTED, Phase.PHASE_STOPPED);
  }

  @Test
  void startsOnceAndClosesOnce() throws IOException {
    FakeScheduler leader = leader("a", 1, 1000);
    NodeAgent agent = agent(List.of(leader.name));
    agent.start();
    assertThatThrownBy(agent::start)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("start it once");
    agent.close();
    agent.close();
    assertThatThrownBy(agent::start).isInstanceOf(IllegalStateException.class);
  }

  private NodeAgent agent(List<String> schedulers) {
    AgentConfig config =
        AgentConfig.builder("node-1", schedulers, workDir)
            .capacityType(CapacityType.CAPACITY_TYPE_SPOT)
            .pool("p4d.24xlarge/us-east-1a")
            .pricePerHourUsd(9.83)
            .labels(Map.of("rack", "r7"))
            .cpu(96)
            .memoryGib(1152)
            .agentVersion("test")
            .reconnect(Duration.ofMillis(10), Duration.ofMillis(100))
            .defaultGrace(Duration.ofSeconds(5))
            .build();
    ChannelFactory channels =
        address -> InProcessChannelBuilder.forName(address).directExecutor().build();
    NodeAgent agent =
        new NodeAgent(
            config,
            new SimulatedGpuProbe(new GpuProbeSpec.Simulated(4, "H100", 80), "node-1"),
            channels,
            loop,
            Clock.fixed(NOW, ZoneOffset.UTC),
            CheckpointRestorer.unavailable());
    closeables.add(agent);
    return agent;
  }

  private FakeScheduler leader(String name, long epoch, int intervalMs) throws IOException {
    FakeScheduler s = FakeScheduler.leader(prefix + name, epoch, intervalMs);
    closeables.add(s);
    return s;
  }

  private FakeScheduler follower(String name, String leader) throws IOException {
    FakeScheduler s = FakeScheduler.follower(prefix + name, leader);
    closeables.add(s);
    return s;
  }

  private static AgentMessage first(FakeScheduler scheduler, KindCase kind) {
    List<AgentMessage> found = scheduler.ofKind(kind);
    return found.isEmpty() ? null : found.getFirst();
  }

  /** Waits until the scheduler has registered the agent and the agent has heard back. */
  private static Register awaitRegistered(FakeScheduler scheduler) {
    return await()
        .atMost(WAIT)
        .until(() -> first(scheduler, KindCase.REGISTER), r -> r != null)
        .getRegister();
  }

  private static JobStatus awaitStatus(FakeScheduler scheduler, String jobId, Phase phase) {
    return await()
        .atMost(WAIT)
        .until(
            () ->
                scheduler.ofKind(KindCase.JOB_STATUS).stream()
                    .map(AgentMessage::getJobStatus)
                    .filter(s -> s.getJobId().equals(jobId) && s.getPhase() == phase)
                    .findFirst(),
            Optional::isPresent)
        .orElseThrow();
  }

  private static List<Phase> statuses(FakeScheduler scheduler, String jobId) {
    return scheduler.ofKind(KindCase.JOB_STATUS).stream()
        .map(AgentMessage::getJobStatus)
        .filter(s -> s.getJobId().equals(jobId))
        .map(JobStatus::getPhase)
        .toList();
  }

  private static SchedulerMessage.Builder start(StartJob start) {
    return SchedulerMessage.newBuilder().setStartJob(start);
  }

  private static SchedulerMessage.Builder stop(String jobId, int attempt, String reason) {
    return SchedulerMessage.newBuilder()
        .setStopJob(StopJob.newBuilder().setJobId(jobId).setAttempt(attempt).setReason(reason));
  }
}
