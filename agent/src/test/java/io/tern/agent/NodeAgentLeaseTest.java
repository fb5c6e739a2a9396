package io.tern.agent;

import static io.tern.agent.job.JobFixtures.bash;
import static io.tern.agent.job.JobFixtures.checkpointing;
import static io.tern.agent.job.JobFixtures.waitingScript;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.inprocess.InProcessChannelBuilder;
import io.tern.agent.gpu.GpuProbeSpec;
import io.tern.agent.gpu.SimulatedGpuProbe;
import io.tern.agent.job.CheckpointRestorer;
import io.tern.agent.link.ChannelFactory;
import io.tern.api.v1.AgentMessage.KindCase;
import io.tern.api.v1.JobStatus;
import io.tern.api.v1.JobStatus.Phase;
import io.tern.api.v1.SchedulerMessage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's lease, acknowledgements and leftovers, against an in-process leader with real job
 * processes and shims.
 */
class NodeAgentLeaseTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final long LEASE_MS = 3000; // fence after 1.5 s, SIGKILL at 2.5 s

  @TempDir Path workDir;
  private final String prefix = "lease-" + UUID.randomUUID() + "-";
  private final List<AutoCloseable> closeables = new ArrayList<>();
  private final List<ScheduledExecutorService> loops = new ArrayList<>();

  @AfterEach
  void tearDown() throws Exception {
    for (AutoCloseable c : closeables.reversed()) {
      c.close();
    }
    loops.forEach(ScheduledExecutorService::shutdownNow);
  }

  @Test
  void anAgentNoLeaderAcknowledgesFencesItsJobsBeforeTheLeaseEnds() throws IOException {
    FakeScheduler leader = leader();
    agent().start();
    awaitRegistered(leader, 1);
    leader.command(
        start(
            checkpointing(
                    "fenced",
                    1,
                    waitingScript("trap 'echo checkpointed; exit 0' USR1"),
                    "SIGUSR1",
                    60_000)
                .build()));
    awaitStatus(leader, "fenced", Phase.PHASE_STARTED);
    awaitLog("fenced", "ready");

    long cutOff = System.nanoTime();
    leader.acking = false; // a leader that hears nothing more (a partition, a paused agent)
    Path record = workDir.resolve("jobs/fenced/attempt-1/status.pb");
    await().atMost(WAIT).pollInterval(Duration.ofMillis(20)).until(() -> Files.exists(record));
    double seconds = (System.nanoTime() - cutOff) / 1e9;

    assertThat(log("fenced")).contains("checkpointed");
    assertThat(seconds).as("stopped before the lease ran out").isLessThan(LEASE_MS / 1000.0);
    assertThat(seconds).as("not before the fence time").isGreaterThanOrEqualTo(1.4);
    // The leader hears again: the agent leaves the stream that went quiet, registers again, and
    // the final status goes out until acked.
    leader.acking = true;
    JobStatus fenced = awaitStatus(leader, "fenced", Phase.PHASE_CHECKPOINTED);
    assertThat(fenced.getMessage()).startsWith("fenced: no leader acknowledged this agent");
    await().atMost(WAIT).until(() -> !Files.exists(record));
  }

  @Test
  void anAgentLeavesALeaderThatWentQuietForTheNewOneBeforeItsJobsAreFenced() throws IOException {
    // The old leader is paused: its port still accepts, nothing answers. A standby has taken over.
    FakeScheduler paused = leader();
    FakeScheduler next = FakeScheduler.leasing(prefix + "b", 2, 200, LEASE_MS);
    closeables.add(next);
    agent(List.of(prefix + "a", prefix + "b")).start();
    awaitRegistered(paused, 1);
    paused.command(start(bash("kept", 1, waitingScript("true")).build()));
    awaitStatus(paused, "kept", Phase.PHASE_STARTED);

    paused.acking = false;
    awaitRegistered(next, 1);

    var register = next.ofKind(KindCase.REGISTER).getFirst().getRegister();
    assertThat(register.getRunningList())
        .singleElement()
        .satisfies(r -> assertThat(r.getJobId()).isEqualTo("kept"));
    assertThat(paused.statuses("kept")).noneMatch(s -> s.getMessage().startsWith("fenced"));
    assertThat(next.statuses("kept")).isEmpty();
  }

  @Test
  void aSpotNoticeThatNoLeaderAcknowledgedGoesToTheNextLeader() throws IOException {
    // The notice reaches a leader that is paused (its port accepts, nothing answers); a standby
    // has taken over, and must hear it to checkpoint the jobs before the reclaim.
    FakeScheduler paused = leader();
    FakeScheduler next = FakeScheduler.leasing(prefix + "b", 2, 200, LEASE_MS);
    closeables.add(next);
    NodeAgent agent = agent(List.of(prefix + "a", prefix + "b"));
    agent.start();
    awaitRegistered(paused, 1);
    paused.acking = false;
    var notice =
        io.tern.api.v1.SpotNotice.newBuilder()
            .setKind(io.tern.api.v1.SpotNotice.Kind.KIND_INSTANCE_ACTION)
            .setActionAt(com.google.protobuf.Timestamp.newBuilder().setSeconds(1_900_000_000L))
            .build();

    agent.report(notice);
    await().atMost(WAIT).until(() -> !paused.ofKind(KindCase.SPOT_NOTICE).isEmpty());
    awaitRegistered(next, 1);

    await().atMost(WAIT).until(() -> !next.ofKind(KindCase.SPOT_NOTICE).isEmpty());
    assertThat(next.ofKind(KindCase.SPOT_NOTICE).getFirst().getSpotNotice()).isEqualTo(notice);
  }

  @Test
  void aJobThatIgnoresTheFenceSignalIsKilledByTheLeasesKillTime() throws IOException {
    FakeScheduler leader = leader();
    agent().start();
    awaitRegistered(leader, 1);
    leader.command(start(bash("stubborn", 1, waitingScript("trap '' TERM")).build()));
    long pid = pid(awaitStatus(leader, "stubborn", Phase.PHASE_STARTED));
    awaitLog("stubborn", "ready");

    long cutOff = System.nanoTime();
    leader.acking = false;
    await()
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(20))
        .until(() -> !ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
    double seconds = (System.nanoTime() - cutOff) / 1e9;
    leader.acking = true;
    JobStatus stopped = awaitStatus(leader, "stubborn", Phase.PHASE_STOPPED);

    assertThat(stopped.getExitCode()).isEqualTo(128 + 9);
    assertThat(stopped.getMessage()).startsWith("fenced:");
    assertThat(seconds).as("killed before the lease ends").isLessThan(LEASE_MS / 1000.0);
  }

  @Test
  void aBurstOfStartsLongerThanTheFenceTimeDoesNotFenceTheAgent() throws IOException {
    FakeScheduler leader = leader();
    agent().start();
    awaitRegistered(leader, 1);
    int burst = 300; // launched one after another they take longer than the 1.5 s fence time

    long sent = System.nanoTime();
    for (int i = 0; i < burst; i++) {
      leader.command(start(bash("burst-" + i, 1, "sleep 30").build()));
    }
    for (int i = 0; i < burst; i++) {
      awaitStatus(leader, "burst-" + i, Phase.PHASE_STARTED);
    }
    double seconds = (System.nanoTime() - sent) / 1e9;

    // Heartbeats and acknowledgements went on between the starts: nothing was fenced, and the
    // agent kept its stream.
    assertThat(leader.received.stream().filter(m -> m.hasJobStatus()))
        .noneMatch(m -> m.getJobStatus().getMessage().startsWith("fenced"));
    assertThat(leader.ofKind(KindCase.REGISTER)).as("registrations").hasSize(1);
    assertThat(seconds).as("the burst took longer than the fence time").isGreaterThan(1.5);
  }

  @Test
  void aStartAfterTheLeaseRanOutIsRefusedAndReported() throws IOException {
    FakeScheduler leader = leader();
    agent().start();
    awaitRegistered(leader, 1);
    leader.command(start(bash("before", 1, waitingScript("true")).build()));
    long pid = pid(awaitStatus(leader, "before", Phase.PHASE_STARTED));
    leader.acking = false;
    await()
        .atMost(WAIT)
        .until(() -> !ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
    leader.acking = true;
    assertThat(awaitStatus(leader, "before", Phase.PHASE_STOPPED).getMessage())
        .startsWith("fenced:");
    awaitRegistered(leader, 2);

    leader.command(start(bash("late", 1, "echo ran").build()));
    awaitStatus(leader, "late", Phase.PHASE_EXITED);
  }

  @Test
  void aRestartedAgentStopsWhatItsPredecessorLeftRunningAndReportsWhatEnded() throws Exception {
    FakeScheduler leader = leader(60_000); // no fence during this test
    ScheduledExecutorService firstLoop = Executors.newSingleThreadScheduledExecutor();
    NodeAgent first = agent(firstLoop);
    first.start();
    awaitRegistered(leader, 1);
    leader.acking = false; // nothing ends acknowledged: the exits stay on disk
    leader.command(start(bash("orphan", 1, waitingScript("true")).build()));
    leader.command(start(bash("stubborn", 1, waitingScript("trap '' TERM")).build()));
    leader.command(start(bash("quick", 1, "exit 0").build()));
    leader.command(start(bash("later", 1, "sleep 1.5; exit 0").build()));
    long pid = pid(awaitStatus(leader, "orphan", Phase.PHASE_STARTED));
    long stubborn = pid(awaitStatus(leader, "stubborn", Phase.PHASE_STARTED));
    awaitLog("stubborn", "ready"); // its trap is set
    awaitStatus(leader, "quick", Phase.PHASE_EXITED);
    awaitStatus(leader, "later", Phase.PHASE_STARTED);

    firstLoop.shutdownNow(); // the agent dies without closing: its jobs and shims live on
    closeables.remove(first);
    await().atMost(WAIT).until(() -> Files.exists(workDir.resolve("jobs/later/attempt-1/exit")));
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).hasValue(true);
    leader.acking = true;

    agent().start(); // the same node, the same work dir
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
        .as("stopped before registering")
        .isFalse();
    assertThat(ProcessHandle.of(stubborn).map(ProcessHandle::isAlive).orElse(false))
        .as("killed after its grace, before registering")
        .isFalse();
    JobStatus orphan = awaitStatus(leader, "orphan", Phase.PHASE_STOPPED);
    assertThat(orphan.getMessage()).contains("still running from the agent before");
    assertThat(awaitStatus(leader, "stubborn", Phase.PHASE_STOPPED).getMessage())
        .contains("still running from the agent before");
    JobStatus later = awaitStatus(leader, "later", Phase.PHASE_EXITED);
    assertThat(later.getExitCode()).isZero();
    assertThat(later.getMessage()).contains("while no agent ran");
    await()
        .atMost(WAIT)
        .until(
            () ->
                leader.statuses("quick").stream()
                        .filter(s -> s.getPhase() == Phase.PHASE_EXITED)
                        .count()
                    == 2);
    for (String job : List.of("orphan", "stubborn", "quick", "later")) {
      Path record = workDir.resolve("jobs").resolve(job).resolve("attempt-1/tern-attempt");
      await().atMost(WAIT).until(() -> !Files.exists(record));
    }
  }

  private NodeAgent agent() {
    return agent(Executors.newSingleThreadScheduledExecutor());
  }

  private NodeAgent agent(List<String> schedulers) {
    return agent(Executors.newSingleThreadScheduledExecutor(), schedulers);
  }

  private NodeAgent agent(ScheduledExecutorService loop) {
    return agent(loop, List.of(prefix + "a"));
  }

  private NodeAgent agent(ScheduledExecutorService loop, List<String> schedulers) {
    loops.add(loop);
    AgentConfig config =
        AgentConfig.builder("node-1", schedulers, workDir)
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
            Clock.systemUTC(),
            CheckpointRestorer.unavailable());
    closeables.add(agent);
    return agent;
  }

  private FakeScheduler leader() throws IOException {
    return leader(LEASE_MS);
  }

  private FakeScheduler leader(long leaseMs) throws IOException {
    FakeScheduler leader = FakeScheduler.leasing(prefix + "a", 1, 100, leaseMs);
    closeables.add(leader);
    return leader;
  }

  private static void awaitRegistered(FakeScheduler leader, int times) {
    await().atMost(WAIT).until(() -> leader.ofKind(KindCase.REGISTER).size() >= times);
  }

  private static JobStatus awaitStatus(FakeScheduler leader, String jobId, Phase phase) {
    return await()
        .atMost(WAIT)
        .until(
            () ->
                leader.statuses(jobId).stream()
                    .filter(s -> s.getPhase() == phase)
                    .findFirst()
                    .orElse(null),
            s -> s != null);
  }

  private void awaitLog(String jobId, String text) {
    await().atMost(WAIT).until(() -> log(jobId).contains(text));
  }

  private String log(String jobId) throws IOException {
    Path file = workDir.resolve("jobs").resolve(jobId).resolve("attempt-1/output.log");
    return Files.exists(file) ? Files.readString(file) : "";
  }

  private static long pid(JobStatus started) {
    String message = started.getMessage();
    return Long.parseLong(message.substring(4, message.indexOf(',')));
  }

  private static SchedulerMessage.Builder start(io.tern.api.v1.StartJob start) {
    return SchedulerMessage.newBuilder().setStartJob(start);
  }
}
