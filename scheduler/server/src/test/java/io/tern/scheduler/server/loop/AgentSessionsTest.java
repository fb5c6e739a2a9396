package io.tern.scheduler.server.loop;

import static org.assertj.core.api.Assertions.assertThat;

import io.tern.api.v1.AgentMessage;
import io.tern.api.v1.CapacityType;
import io.tern.api.v1.Gpu;
import io.tern.api.v1.JobSpec;
import io.tern.api.v1.JobState;
import io.tern.api.v1.JobStatus;
import io.tern.api.v1.JobStatus.Phase;
import io.tern.api.v1.NodeState;
import io.tern.api.v1.Register;
import io.tern.api.v1.RunningAttempt;
import io.tern.api.v1.SchedulerMessage.KindCase;
import io.tern.api.v1.SpotNotice;
import io.tern.checkpoint.StoreIdentity;
import io.tern.scheduler.core.plan.Plan;
import io.tern.scheduler.core.policy.PolicySnapshot;
import io.tern.scheduler.server.zk.ZkPaths;
import io.tern.scheduler.server.zk.ZkWrite;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The agent protocol's leader side on a loop run by hand, with a clock the test moves. */
class AgentSessionsTest {
  private static final String JOB = "job-000001";

  private final HandLoop loop = new HandLoop();
  private final List<String> registered = new ArrayList<>();
  private final List<String> spotNotices = new ArrayList<>();
  private final SchedulerSettings settings =
      SchedulerSettings.defaults().withNodeLease(java.time.Duration.ofSeconds(16));
  private final AgentSessions sessions =
      new AgentSessions(
          loop,
          loop.clock,
          settings,
          loop.writes,
          loop.commands,
          new LogRelay(loop),
          new Fleet() {
            @Override
            public PolicySnapshot withPools(PolicySnapshot policy) {
              return policy;
            }

            @Override
            public boolean releasing(String nodeId) {
              return false;
            }

            @Override
            public void afterPlan(LeaderTerm term, Plan plan, PolicySnapshot policy) {}

            @Override
            public java.util.List<io.tern.scheduler.core.policy.PoolOffer> pools() {
              return java.util.List.of();
            }

            @Override
            public void onRegistered(String nodeId) {
              registered.add(nodeId);
            }
          },
          loop.plans,
          () ->
              new LoopEvents() {
                @Override
                public void spotNotice(String kind) {
                  spotNotices.add(kind);
                }
              });

  private static Register register(String nodeId, RunningAttempt... running) {
    Register.Builder r =
        Register.newBuilder()
            .setNodeId(nodeId)
            .setCapacityType(CapacityType.CAPACITY_TYPE_SPOT)
            .setPool("spot-a")
            .addAllGpus(HandLoop.node(nodeId, 8).getGpusList());
    for (RunningAttempt a : running) {
      r.addRunning(a);
    }
    return r.build();
  }

  private static RunningAttempt running(String jobId, int attempt) {
    return RunningAttempt.newBuilder().setJobId(jobId).setAttempt(attempt).build();
  }

  /** Attempt 1 of a job with a 90 s checkpoint grace, in {@code state} on n1's {@code gpus}. */
  private static io.tern.api.v1.Job checkpointable(String id, JobState state, Integer... gpus) {
    return HandLoop.placed(id, HandLoop.checkpointable("vision", 2, 90), state, "n1", gpus);
  }

  private static AgentMessage status(int attempt, Phase phase, int exitCode) {
    return AgentMessage.newBuilder()
        .setSeq(3)
        .setJobStatus(
            JobStatus.newBuilder()
                .setJobId(JOB)
                .setAttempt(attempt)
                .setPhase(phase)
                .setExitCode(exitCode))
        .build();
  }

  private static AgentMessage status(int attempt, Phase phase, int exitCode, String message) {
    AgentMessage m = status(attempt, phase, exitCode);
    return m.toBuilder().setJobStatus(m.getJobStatus().toBuilder().setMessage(message)).build();
  }

  /** How attempt 1 of a running {@link #JOB} ended once its agent reported {@code phase}. */
  private String endReason(JobSpec spec, Phase phase, String message, boolean cancelling) {
    HandLoop.Channel agent =
        loop.leadOnN1(HandLoop.placed(JOB, spec, JobState.JOB_STATE_RUNNING, "n1", 0, 1));
    if (cancelling) {
      loop.term.cancelling.add(JOB);
    }
    sessions.message("n1", agent, status(1, phase, 0, message));
    loop.settle();
    return loop.term.entry(JOB).job.getAttempts(0).getEndReason();
  }

  @Test
  void aCheckpointedAttemptSaysWhyItWasRequeued() {
    assertThat(
            endReason(
                HandLoop.checkpointable("vision", 2, 90),
                Phase.PHASE_CHECKPOINTED,
                "requeued by alice: new data",
                false))
        .isEqualTo("checkpointed and requeued: requeued by alice: new data");
    assertThat(state()).isEqualTo(JobState.JOB_STATE_PENDING);
  }

  @Test
  void anAttemptStoppedAfterItsCheckpointSaysItResumesFromIt() {
    // No checkpoint signal in its spec, yet the job wrote one on SIGTERM and it was committed.
    HandLoop.Channel agent =
        loop.leadOnN1(
            HandLoop.placed(
                JOB, HandLoop.spec("vision", 2), JobState.JOB_STATE_RUNNING, "n1", 0, 1));
    sessions.message(
        "n1",
        agent,
        AgentMessage.newBuilder()
            .setSeq(2)
            .setCheckpointCommitted(
                io.tern.api.v1.CheckpointCommitted.newBuilder()
                    .setJobId(JOB)
                    .setCheckpoint(
                        io.tern.api.v1.CheckpointRef.newBuilder()
                            .setName("step-37")
                            .setAttempt(1)
                            .setCommittedAt(
                                com.google.protobuf.Timestamp.newBuilder()
                                    .setSeconds(1_796_000_000L))
                            .setManifestSha256("ab".repeat(32))))
            .build());
    sessions.message("n1", agent, status(1, Phase.PHASE_STOPPED, 0, "requeued by alice"));
    loop.settle();

    assertThat(loop.term.entry(JOB).job.getAttempts(0).getEndReason())
        .isEqualTo("stopped and requeued (it resumes from its last checkpoint): requeued by alice");
  }

  /** n1's agent reports a store fault for JOB's start; n2's committed a checkpoint before. */
  private void storeFaultOnN1AfterN2Committed(java.time.Duration sinceN2Committed) {
    leadWithN2HavingCommitted();
    loop.clock.advance(sinceN2Committed);
    storeFault("n1", JOB, "checkpoint store /ckpt holds store x");
  }

  /** Leads n1 and n2, each starting a checkpointing job; n2's agent has just committed one. */
  private void leadWithN2HavingCommitted() {
    loop.lead(
        List.of(
            checkpointable(JOB, JobState.JOB_STATE_STARTING, 0, 1),
            checkpointable("job-000003", JobState.JOB_STATE_STARTING, 2, 3)),
        List.of(HandLoop.node("n1", 8), HandLoop.node("n2", 8)));
    loop.connect("n1");
    sessions.message(
        "n2",
        loop.connect("n2"),
        AgentMessage.newBuilder()
            .setSeq(2)
            .setCheckpointCommitted(
                io.tern.api.v1.CheckpointCommitted.newBuilder()
                    .setJobId("job-000002")
                    .setCheckpoint(
                        io.tern.api.v1.CheckpointRef.newBuilder().setName("step-1").setAttempt(1)))
            .build());
    loop.settle();
  }

  private void storeFault(String nodeId, String jobId, String message) {
    AgentMessage m = status(1, Phase.PHASE_STORE_FAULT, 0, message);
    sessions.message(
        nodeId,
        loop.term.nodes.get(nodeId).channel,
        m.toBuilder().setJobStatus(m.getJobStatus().toBuilder().setJobId(jobId)).build());
    loop.settle();
  }

  @Test
  void aStoreFaultOnOneNodeWhileAnotherUsesTheStoreRestsThatNodeAndTheJobGoesElsewhereAtOnce() {
    storeFaultOnN1AfterN2Committed(java.time.Duration.ofSeconds(30));

    JobEntry entry = loop.term.entry(JOB);
    assertThat(entry.state()).isEqualTo(JobState.JOB_STATE_PENDING);
    assertThat(entry.storeFaultUntil).as("the job waits for no store").isNull();
    assertThat(entry.job.getAttempts(0).getEndReason())
        .isEqualTo(
            "not started: node n1's checkpoint store failed, while node n2's worked 30 s before"
                + " (checkpoint store /ckpt holds store x); no retry counted");
    assertThat(loop.term.nodes.get("n1").faultedUntil)
        .isEqualTo(loop.clock.instant().plus(AgentSessions.NODE_FAULT_PAUSE));
    assertThat(loop.term.nodes.get("n2").faultedUntil).isEqualTo(Instant.MIN);
  }

  @Test
  void aNodeWhoseStoreKeepsFailingWhileAnothersWorksRestsLongerEachTime() {
    storeFaultOnN1AfterN2Committed(java.time.Duration.ofSeconds(30));
    assertThat(loop.term.nodes.get("n1").faultedUntil)
        .isEqualTo(loop.clock.instant().plus(AgentSessions.NODE_FAULT_PAUSE));

    loop.clock.advance(AgentSessions.NODE_FAULT_PAUSE);
    storeFault("n1", "job-000003", "checkpoint store /ckpt holds store x");

    assertThat(loop.term.nodes.get("n1").faultedUntil)
        .isEqualTo(loop.clock.instant().plus(AgentSessions.NODE_FAULT_PAUSE.multipliedBy(2)));
  }

  /** n1's agent reports {@code phase} for attempt 1 of {@code jobId}. */
  private void report(String jobId, Phase phase, String message) {
    AgentMessage m = status(1, phase, 0, message);
    sessions.message(
        "n1",
        loop.term.nodes.get("n1").channel,
        m.toBuilder().setJobStatus(m.getJobStatus().toBuilder().setJobId(jobId)).build());
    loop.settle();
  }

  @Test
  void aNodeThatKeepsFailingToPrepareJobsRestsLongerEachTimeUntilOneStartsThere() {
    loop.lead(
        List.of(
            checkpointable(JOB, JobState.JOB_STATE_STARTING, 0, 1),
            checkpointable("job-000003", JobState.JOB_STATE_STARTING, 2, 3),
            checkpointable("job-000004", JobState.JOB_STATE_STARTING, 4, 5),
            checkpointable("job-000005", JobState.JOB_STATE_STARTING, 6, 7)),
        List.of(HandLoop.node("n1", 8)));
    loop.connect("n1");
    String full = "cannot record /w/jobs/x/attempt-1: No space left on device";

    report(JOB, Phase.PHASE_NODE_FAULT, full);
    assertThat(loop.term.nodes.get("n1").faultedUntil)
        .isEqualTo(loop.clock.instant().plus(AgentSessions.NODE_FAULT_PAUSE));
    loop.clock.advance(AgentSessions.NODE_FAULT_PAUSE);
    report("job-000003", Phase.PHASE_NODE_FAULT, full);
    assertThat(loop.term.nodes.get("n1").faultedUntil)
        .as("twice in a row")
        .isEqualTo(loop.clock.instant().plus(AgentSessions.NODE_FAULT_PAUSE.multipliedBy(2)));

    loop.clock.advance(AgentSessions.NODE_FAULT_PAUSE.multipliedBy(2));
    report("job-000004", Phase.PHASE_STARTED, "");
    report("job-000005", Phase.PHASE_NODE_FAULT, full);
    assertThat(loop.term.nodes.get("n1").faultedUntil)
        .as("a start in between: the first rest again")
        .isEqualTo(loop.clock.instant().plus(AgentSessions.NODE_FAULT_PAUSE));
  }

  @Test
  void aFullStoreBlamesNoNodeThoughAnotherNodesCommitWorkedJustBefore() {
    leadWithN2HavingCommitted();

    storeFault("n1", JOB, "the checkpoint store failed: No space left on device");

    JobEntry entry = loop.term.entry(JOB);
    assertThat(loop.term.nodes.get("n1").faultedUntil).isEqualTo(Instant.MIN);
    assertThat(entry.storeFaultUntil)
        .as("the job waits for the store")
        .isEqualTo(loop.clock.instant().plus(AgentSessions.STORE_FAULT_PAUSE));
  }

  @Test
  void aNodesRestIsStoredWithItSoThatANewLeaderKeepsIt() {
    storeFaultOnN1AfterN2Committed(java.time.Duration.ofSeconds(30));
    Instant until = loop.clock.instant().plus(AgentSessions.NODE_FAULT_PAUSE);
    io.tern.api.v1.Node stored =
        loop.committed.stream()
            .filter(w -> w.path().equals(ZkPaths.defaults().node("n1")))
            .map(w -> parseNode(w))
            .reduce((a, b) -> b)
            .orElseThrow();
    assertThat(CoreSnapshots.instant(stored.getRestingUntil())).isEqualTo(until);
    assertThat(stored.getRestingReason()).isEqualTo("checkpoint store /ckpt holds store x");

    // A new leader loads the node as stored; its agent registers again before the rest ends.
    loop.clock.advance(java.time.Duration.ofSeconds(10));
    loop.lead(List.of(checkpointable("job-000004", JobState.JOB_STATE_PENDING)), List.of(stored));
    sessions.register(register("n1"), new HandLoop.Channel());
    loop.runDue();
    NodeSession n1 = loop.term.nodes.get("n1");
    assertThat(n1.faultedUntil).isEqualTo(until);
    assertThat(n1.faultReason).isEqualTo("checkpoint store /ckpt holds store x");
    assertThat(CoreSnapshots.node(n1, true, loop.clock.instant(), null).state())
        .isEqualTo(io.tern.scheduler.core.model.NodeState.RESTING);
    assertThat(n1.node.getRestingUntil())
        .as("registering again keeps the rest stored")
        .isEqualTo(stored.getRestingUntil());

    // Once the rest is over, the next registration stores none.
    loop.clock.advance(AgentSessions.NODE_FAULT_PAUSE);
    sessions.register(register("n1"), new HandLoop.Channel());
    loop.runDue();
    assertThat(loop.term.nodes.get("n1").node.hasRestingUntil()).isFalse();
  }

  private static io.tern.api.v1.Node parseNode(ZkWrite w) {
    byte[] data =
        switch (w) {
          case ZkWrite.Create c -> c.data();
          case ZkWrite.Update u -> u.data();
          default -> throw new AssertionError(w);
        };
    try {
      return io.tern.api.v1.Node.parseFrom(data);
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void aStoreThatFailedSinceOnTheNodeWhereItWorkedBlamesNoOtherNode() {
    // The store is gone for everyone: n1 is blamed once (n2 used it 30 s ago); then n2 fails to
    // commit too, and n1's next store fault blames no node: the job waits for the store.
    storeFaultOnN1AfterN2Committed(java.time.Duration.ofSeconds(30));
    sessions.message(
        "n2",
        loop.term.nodes.get("n2").channel,
        AgentMessage.newBuilder()
            .setSeq(3)
            .setCheckpointCommitFailed(
                io.tern.api.v1.CheckpointCommitFailed.newBuilder()
                    .setJobId("job-000002")
                    .setAttempt(1)
                    .setError("checkpoint store /ckpt is missing (no such folder)"))
            .build());
    loop.clock.advance(java.time.Duration.ofSeconds(1));
    storeFault("n1", "job-000003", "checkpoint store /ckpt is missing (no such folder)");

    JobEntry other = loop.term.entry("job-000003");
    assertThat(other.storeFaultUntil)
        .isEqualTo(loop.clock.instant().plus(AgentSessions.STORE_FAULT_PAUSE));
    assertThat(other.job.getAttempts(0).getEndReason())
        .isEqualTo(
            "not started: checkpoint store /ckpt is missing (no such folder) (no retry counted)");
  }

  @Test
  void aStoreFaultWithNoNodeUsingTheStoreLatelyMakesTheJobWaitAndBlamesNoNode() {
    storeFaultOnN1AfterN2Committed(AgentSessions.STORE_WORKED_ELSEWHERE.plusSeconds(1));

    JobEntry entry = loop.term.entry(JOB);
    assertThat(entry.state()).isEqualTo(JobState.JOB_STATE_PENDING);
    assertThat(entry.storeFaultUntil)
        .isEqualTo(loop.clock.instant().plus(AgentSessions.STORE_FAULT_PAUSE));
    assertThat(loop.term.nodes.get("n1").faultedUntil).isEqualTo(Instant.MIN);
  }

  @Test
  void anAttemptStoppedAndRequeuedSaysItLeftNoCheckpoint() {
    assertThat(
            endReason(HandLoop.spec("vision", 2), Phase.PHASE_STOPPED, "requeued by alice", false))
        .isEqualTo("stopped without a checkpoint and requeued: requeued by alice");
    assertThat(state()).isEqualTo(JobState.JOB_STATE_PENDING);
  }

  @Test
  void anAttemptStoppedForACancelSaysOnlyThatItStopped() {
    assertThat(
            endReason(HandLoop.spec("vision", 2), Phase.PHASE_STOPPED, "cancelled by alice", true))
        .isEqualTo("stopped: cancelled by alice");
    assertThat(state()).isEqualTo(JobState.JOB_STATE_CANCELLED);
  }

  @Test
  void anAttemptCheckpointedWhileItsJobWasCancelledIsNotSaidToBeRequeued() {
    assertThat(
            endReason(
                HandLoop.checkpointable("vision", 2, 90),
                Phase.PHASE_CHECKPOINTED,
                "requeued by alice: new data",
                true))
        .isEqualTo("checkpointed: requeued by alice: new data");
    assertThat(state()).isEqualTo(JobState.JOB_STATE_CANCELLED);
  }

  private JobState state() {
    return loop.term.entry(JOB).state();
  }

  @Test
  void anAgentIsToldTheClustersCheckpointStoreSoThatItHoldsItsStoreToIt() {
    loop.lead(List.of(), List.of());
    var store =
        new io.tern.checkpoint.StoreIdentity(
            "0c7d1e2f", java.time.Instant.parse("2026-12-01T09:00:00Z"));
    loop.term.checkpointStore = java.util.Optional.of(store);
    HandLoop.Channel agent = new HandLoop.Channel();

    sessions.register(register("n1"), agent);
    loop.runDue();

    var registeredMessage = agent.of(KindCase.REGISTERED).getFirst().getRegistered();
    assertThat(registeredMessage.getCheckpointStoreId()).isEqualTo("0c7d1e2f");
    assertThat(registeredMessage.getCheckpointStoreCreated().getSeconds())
        .isEqualTo(store.created().getEpochSecond());
  }

  @Test
  void aClusterThatRecordsNoStoreRecordsTheFirstOneAnAgentReportsAndHoldsOthersToIt() {
    // Schedulers started without --checkpoint-store record no store: the agents' is recorded.
    loop.lead(List.of(), List.of());
    var first = new StoreIdentity("0c7d1e2f", Instant.parse("2026-12-01T09:00:00Z"));
    var other = new StoreIdentity("9a8b7c6d", Instant.parse("2026-12-02T09:00:00Z"));
    HandLoop.Channel agent1 = new HandLoop.Channel();
    HandLoop.Channel agent2 = new HandLoop.Channel();

    sessions.register(reporting(register("n1"), first), agent1);
    loop.settle();
    sessions.register(reporting(register("n2"), other), agent2);
    loop.settle();

    assertThat(loop.term.checkpointStore).contains(first);
    assertThat(loop.committedPaths()).containsOnlyOnce(ZkPaths.defaults().checkpointStore());
    assertThat(agent1.of(KindCase.REGISTERED).getFirst().getRegistered().getCheckpointStoreId())
        .isEqualTo("0c7d1e2f");
    // The second agent's folder holds another store's marker: it is told the cluster's.
    assertThat(agent2.of(KindCase.REGISTERED).getFirst().getRegistered().getCheckpointStoreId())
        .isEqualTo("0c7d1e2f");
  }

  @Test
  void aNodeWhoseAgentReportsAnotherStoreRestsAndItsStoreFaultsAreItsOwn() {
    loop.lead(
        List.of(checkpointable(JOB, JobState.JOB_STATE_STARTING, 0, 1)),
        List.of(HandLoop.node("n1", 8)));
    HandLoop.Channel agent = registerReportingAnotherStore();

    NodeSession n1 = loop.term.nodes.get("n1");
    assertThat(n1.faultedUntil)
        .isEqualTo(loop.clock.instant().plus(AgentSessions.NODE_FAULT_PAUSE));
    assertThat(n1.faultReason)
        .isEqualTo(
            "its checkpoint store holds store 9a8b7c6d, not this cluster's store "
                + RECORDED
                + ": is the right volume mounted there?");
    // A start sent before it registered fails on the store; no other node used the store lately,
    // and the fault is still n1's.
    storeFault(
        "n1", JOB, "the checkpoint store failed: checkpoint store /ckpt holds store 9a8b7c6d");
    assertThat(loop.term.entry(JOB).storeFaultUntil).isNull();
    assertThat(loop.term.entry(JOB).job.getAttempts(0).getEndReason())
        .isEqualTo(
            "not started: node n1's checkpoint store failed, which its agent reported as another"
                + " store (checkpoint store /ckpt holds store 9a8b7c6d); no retry counted");
  }

  @Test
  void aRecordedStoreIsNotReplacedByTheOneAnAgentReports() {
    loop.lead(List.of(), List.of());
    HandLoop.Channel agent = registerReportingAnotherStore();

    assertThat(loop.term.checkpointStore).contains(RECORDED);
    assertThat(loop.committedPaths()).doesNotContain(ZkPaths.defaults().checkpointStore());
    assertThat(agent.of(KindCase.REGISTERED).getFirst().getRegistered().getCheckpointStoreId())
        .isEqualTo("0c7d1e2f");
  }

  private static final StoreIdentity RECORDED =
      new StoreIdentity("0c7d1e2f", Instant.parse("2026-12-01T09:00:00Z"));

  /** n1's agent registers naming store 9a8b7c6d with a leader whose cluster records another. */
  private HandLoop.Channel registerReportingAnotherStore() {
    loop.term.checkpointStore = java.util.Optional.of(RECORDED);
    HandLoop.Channel agent = new HandLoop.Channel();
    sessions.register(
        reporting(
            register("n1"), new StoreIdentity("9a8b7c6d", Instant.parse("2026-12-02T09:00:00Z"))),
        agent);
    loop.settle();
    return agent;
  }

  private static Register reporting(Register register, StoreIdentity store) {
    return register.toBuilder()
        .setCheckpointStoreId(store.id())
        .setCheckpointStoreCreated(HandLoop.at(store.created()))
        .build();
  }

  @Test
  void aNewNodeIsStoredAndToldItsEpochHeartbeatAndLease() {
    loop.lead(List.of(), List.of());
    HandLoop.Channel agent = new HandLoop.Channel();

    sessions.register(register("n1"), agent);
    loop.runDue();

    NodeSession session = loop.term.nodes.get("n1");
    assertThat(session.channel).isSameAs(agent);
    assertThat(session.state()).isEqualTo(NodeState.NODE_STATE_READY);
    var registeredMessage = agent.of(KindCase.REGISTERED).getFirst();
    assertThat(registeredMessage.getRegistered().getEpoch()).isEqualTo(7);
    assertThat(registeredMessage.getRegistered().getNodeLeaseMs()).isEqualTo(16_000);
    // At least eight heartbeats per lease: 16 s / 8 = 2 s, so the configured 1 s stands.
    assertThat(registeredMessage.getRegistered().getTelemetryIntervalMs()).isEqualTo(1000);
    assertThat(registeredMessage.getRegistered().getCheckpointStoreId())
        .as("the cluster records no checkpoint store")
        .isEmpty();
    assertThat(registered).containsExactly("n1");
    assertThat(loop.plansRequested).isEqualTo(1);
    loop.settle();
    assertThat(loop.committedPaths()).containsExactly(ZkPaths.defaults().node("n1"));
  }

  @Test
  void aReplicaThatDoesNotLeadClosesTheStreamNamingTheLeader() {
    HandLoop.Channel agent = new HandLoop.Channel();

    sessions.register(register("n1"), agent);
    loop.runDue();

    assertThat(agent.closedBecause).isEqualTo("not elected yet");
    assertThat(agent.sent).isEmpty();
  }

  @Test
  void anAttemptTheLeaderDoesNotKnowIsStoppedAndOneItKnowsIsAdopted() {
    loop.lead(
        List.of(
            HandLoop.placed(
                JOB, HandLoop.spec("vision", 2), JobState.JOB_STATE_STARTING, "n1", 0, 1)),
        List.of(HandLoop.node("n1", 8)));
    HandLoop.Channel agent = new HandLoop.Channel();

    sessions.register(register("n1", running(JOB, 1), running("job-000099", 4)), agent);
    loop.runDue();

    assertThat(state()).isEqualTo(JobState.JOB_STATE_RUNNING);
    var stops = agent.of(KindCase.STOP_JOB);
    assertThat(stops).hasSize(1);
    assertThat(stops.getFirst().getStopJob().getJobId()).isEqualTo("job-000099");
    assertThat(stops.getFirst().getStopJob().getAttempt()).isEqualTo(4);
  }

  @Test
  void aCheckpointRequestedWhileTheAgentWasAwayIsAskedForAgainWhenItRegisters() {
    // A requeue, preemption or reclaim stored CHECKPOINTING while n1's agent was not connected
    // (or under a leader that stepped down before sending it): the agent never heard it.
    var asking = checkpointable(JOB, JobState.JOB_STATE_CHECKPOINTING, 0, 1).toBuilder();
    asking.setAttempts(
        0, asking.getAttempts(0).toBuilder().setCheckpointReason("requeued by alice: new data"));
    loop.lead(
        List.of(asking.build(), checkpointable("job-000002", JobState.JOB_STATE_RUNNING, 2, 3)),
        List.of(HandLoop.node("n1", 8)));
    HandLoop.Channel agent = new HandLoop.Channel();

    sessions.register(register("n1", running(JOB, 1), running("job-000002", 1)), agent);
    loop.runDue();

    var checkpoints = agent.of(KindCase.CHECKPOINT_JOB);
    assertThat(checkpoints).hasSize(1);
    var asked = checkpoints.getFirst().getCheckpointJob();
    assertThat(asked.getJobId()).isEqualTo(JOB);
    assertThat(asked.getAttempt()).isEqualTo(1);
    assertThat(asked.getDeadline()).isEqualTo(HandLoop.at(loop.clock.instant().plusSeconds(90)));
    assertThat(asked.getReason()).as("as first asked").isEqualTo("requeued by alice: new data");
    assertThat(state()).isEqualTo(JobState.JOB_STATE_CHECKPOINTING);
    assertThat(agent.of(KindCase.STOP_JOB)).isEmpty();
  }

  @Test
  void aCheckpointAskedForAgainOnAReclaimedNodeIsDueByTheReclaim() {
    Instant reclaimAt = loop.clock.instant().plusSeconds(40);
    loop.lead(
        List.of(checkpointable(JOB, JobState.JOB_STATE_CHECKPOINTING, 0, 1)),
        List.of(HandLoop.node("n1", 8).toBuilder().setReclaimAt(HandLoop.at(reclaimAt)).build()));
    HandLoop.Channel agent = new HandLoop.Channel();

    sessions.register(register("n1", running(JOB, 1)), agent);
    loop.runDue();

    var checkpoints = agent.of(KindCase.CHECKPOINT_JOB);
    assertThat(checkpoints).hasSize(1);
    assertThat(checkpoints.getFirst().getCheckpointJob().getDeadline())
        .isEqualTo(HandLoop.at(reclaimAt));
  }

  @Test
  void anotherClustersAttemptOfTheSameIdIsStoppedNotAdopted() {
    // The agent outlived its cluster's ZooKeeper: its job-000001#1 is not this cluster's, which
    // placed its own job-000001#1 on the same node.
    loop.lead(
        List.of(
            HandLoop.placed(
                JOB, HandLoop.spec("vision", 2), JobState.JOB_STATE_STARTING, "n1", 0, 1)),
        List.of(HandLoop.node("n1", 8)));
    HandLoop.Channel agent = new HandLoop.Channel();

    sessions.register(
        register(
            "n1",
            RunningAttempt.newBuilder().setJobId(JOB).setAttempt(1).setClusterId("other").build()),
        agent);
    loop.runDue();

    assertThat(state()).isEqualTo(JobState.JOB_STATE_STARTING);
    var stops = agent.of(KindCase.STOP_JOB);
    assertThat(stops).hasSize(1);
    assertThat(stops.getFirst().getStopJob().getJobId()).isEqualTo(JOB);
  }

  @Test
  void anotherClustersStatusForAnIdOfOursIsIgnored() {
    HandLoop.Channel agent =
        loop.leadOnN1(
            HandLoop.placed(
                JOB, HandLoop.spec("vision", 2), JobState.JOB_STATE_STARTING, "n1", 0, 1));
    AgentMessage ours = status(1, Phase.PHASE_STARTED, 0);
    AgentMessage theirs = status(1, Phase.PHASE_EXITED, 0);

    sessions.message(
        "n1",
        agent,
        ours.toBuilder()
            .setJobStatus(ours.getJobStatus().toBuilder().setClusterId("cluster-1"))
            .build());
    loop.settle();
    sessions.message(
        "n1",
        agent,
        theirs.toBuilder()
            .setJobStatus(theirs.getJobStatus().toBuilder().setClusterId("other"))
            .build());
    loop.settle();

    assertThat(state()).as("their exit 0 is not our job's").isEqualTo(JobState.JOB_STATE_RUNNING);
  }

  @Test
  void anAttemptTheAgentCameBackWithoutIsRequeuedOnlyAfterTheGrace() {
    loop.lead(
        List.of(
            HandLoop.placed(JOB, HandLoop.spec("vision", 2), JobState.JOB_STATE_RUNNING, "n1", 0)),
        List.of(HandLoop.node("n1", 8)));

    sessions.register(register("n1"), new HandLoop.Channel());
    loop.runDue();
    assertThat(state()).isEqualTo(JobState.JOB_STATE_RUNNING);

    loop.executor.advance(AgentSessions.REPORT_GRACE.minusMillis(1));
    assertThat(state()).isEqualTo(JobState.JOB_STATE_RUNNING);

    loop.executor.advance(java.time.Duration.ofMillis(1));
    assertThat(state()).isEqualTo(JobState.JOB_STATE_PENDING);
    assertThat(loop.term.entry(JOB).job.getAttempts(0).getEndReason())
        .isEqualTo("lost: its agent came back without it");
  }

  @Test
  void statusesMoveTheJobAndAreAcknowledgedOnceStored() {
    HandLoop.Channel agent =
        loop.leadOnN1(
            HandLoop.placed(
                JOB, HandLoop.spec("vision", 2), JobState.JOB_STATE_STARTING, "n1", 0, 1));

    sessions.message("n1", agent, status(1, Phase.PHASE_STARTED, 0));
    loop.runDue();
    assertThat(state()).isEqualTo(JobState.JOB_STATE_RUNNING);
    assertThat(agent.of(KindCase.ACK)).as("not before ZooKeeper has it").isEmpty();

    loop.settle();
    assertThat(agent.of(KindCase.ACK)).hasSize(1);
    assertThat(agent.of(KindCase.ACK).getFirst().getEpoch()).isEqualTo(7);

    sessions.message("n1", agent, status(1, Phase.PHASE_EXITED, 0));
    loop.settle();
    assertThat(state()).isEqualTo(JobState.JOB_STATE_SUCCEEDED);
    assertThat(loop.term.entry(JOB).job.getAttempts(0).getExitCode()).isZero();
  }

  @Test
  void anAttemptWhoseStartedStatusWasLostKeepsWhatItRestoredFromItsFinalStatus() {
    HandLoop.Channel agent =
        loop.leadOnN1(
            HandLoop.placed(
                JOB, HandLoop.spec("vision", 2), JobState.JOB_STATE_STARTING, "n1", 0, 1));
    AgentMessage exited = status(1, Phase.PHASE_EXITED, 0);
    io.tern.api.v1.CheckpointRef ck =
        io.tern.api.v1.CheckpointRef.newBuilder().setName("ck-000020").build();

    sessions.message(
        "n1",
        agent,
        exited.toBuilder()
            .setJobStatus(
                exited.getJobStatus().toBuilder()
                    .setRestore(io.tern.api.v1.RestoreReport.newBuilder().setRestored(ck)))
            .build());
    loop.settle();

    assertThat(state()).isEqualTo(JobState.JOB_STATE_SUCCEEDED);
    assertThat(loop.term.entry(JOB).job.getAttempts(0).getResumedFrom()).isEqualTo(ck);
  }

  @Test
  void aStatusFromAStreamThatIsNotTheNodesOwnIsIgnored() {
    loop.leadOnN1(
        HandLoop.placed(JOB, HandLoop.spec("vision", 2), JobState.JOB_STATE_STARTING, "n1", 0, 1));
    HandLoop.Channel old = new HandLoop.Channel();

    sessions.message("n1", old, status(1, Phase.PHASE_STARTED, 0));
    loop.settle();

    assertThat(state()).isEqualTo(JobState.JOB_STATE_STARTING);
    assertThat(old.sent).isEmpty();
  }

  @Test
  void aNodeThatStopsHeartbeatingIsLostAfterItsLeaseAndItsJobsRequeued() {
    HandLoop.Channel agent =
        loop.leadOnN1(
            HandLoop.placed(JOB, HandLoop.spec("vision", 2), JobState.JOB_STATE_RUNNING, "n1", 0));

    // A heartbeat half way through the lease: acknowledged at once, off the loop.
    loop.clock.advance(java.time.Duration.ofSeconds(8));
    sessions.message(
        "n1",
        agent,
        AgentMessage.newBuilder()
            .setSeq(9)
            .setTelemetry(
                io.tern.api.v1.Telemetry.newBuilder()
                    .addGpus(Gpu.newBuilder().setIndex(0).setUtilizationPercent(55)))
            .build());
    assertThat(agent.of(KindCase.ACK)).hasSize(1);
    assertThat(loop.executor.queued()).as("telemetry does not queue on the loop").isZero();

    loop.clock.advance(java.time.Duration.ofSeconds(16));
    sessions.expireLeases();
    assertThat(state())
        .as("the heartbeat at 8 s holds the lease")
        .isEqualTo(JobState.JOB_STATE_RUNNING);
    assertThat(loop.term.nodes.get("n1").gpus.getFirst().getUtilizationPercent()).isEqualTo(55);

    loop.clock.advance(java.time.Duration.ofMillis(1));
    sessions.expireLeases();
    assertThat(loop.term.nodes.get("n1").state()).isEqualTo(NodeState.NODE_STATE_LOST);
    assertThat(loop.term.nodes.get("n1").node.getLastHeartbeat())
        .as("stored with it, for a later leader to show")
        .isEqualTo(HandLoop.at(HandLoop.T0.plusSeconds(8)));
    assertThat(agent.closedBecause).isEqualTo("lease expired");
    assertThat(state()).isEqualTo(JobState.JOB_STATE_PENDING);
    assertThat(loop.plansRequested).isEqualTo(1);
  }

  @Test
  void aSpotNoticeDrainsTheNodeAndCheckpointsItsJobsBeforeTheReclaim() {
    HandLoop.Channel agent = loop.leadOnN1(checkpointable(JOB, JobState.JOB_STATE_RUNNING, 0, 1));
    Instant reclaimAt = HandLoop.T0.plusSeconds(60); // sooner than the job's 90 s grace

    sessions.message("n1", agent, terminateNotice(reclaimAt));
    loop.runDue();

    NodeSession session = loop.term.nodes.get("n1");
    assertThat(spotNotices).containsExactly("instance_action");
    assertThat(session.state()).isEqualTo(NodeState.NODE_STATE_DRAINING);
    assertThat(state()).isEqualTo(JobState.JOB_STATE_CHECKPOINTING);
    assertThat(agent.of(KindCase.CHECKPOINT_JOB)).as("sent once stored").isEmpty();

    loop.settle();
    var checkpoint = agent.of(KindCase.CHECKPOINT_JOB).getFirst().getCheckpointJob();
    assertThat(checkpoint.getDeadline()).isEqualTo(HandLoop.at(reclaimAt.minusSeconds(10)));
    assertThat(checkpoint.getReason()).isEqualTo("spot reclaim of n1");

    sessions.message("n1", agent, status(1, Phase.PHASE_CHECKPOINTED, 0));
    loop.settle();
    assertThat(state()).isEqualTo(JobState.JOB_STATE_PENDING);
    var ended = loop.term.entry(JOB).job.getAttempts(0);
    assertThat(ended.getEndReason()).isEqualTo("checkpointed and requeued: spot reclaim");
    assertThat(ended.getReclaimed()).isTrue();
  }

  @Test
  void aJobWhoseCheckpointTheReclaimCutIsLostToTheReclaimNotToASilentNode() {
    HandLoop.Channel agent = loop.leadOnN1(checkpointable(JOB, JobState.JOB_STATE_RUNNING, 0, 1));
    sessions.message("n1", agent, terminateNotice(HandLoop.T0.plusSeconds(60)));
    loop.settle();
    assertThat(state()).isEqualTo(JobState.JOB_STATE_CHECKPOINTING);

    // The instance goes at the reclaim time, before the job's checkpoint is in: its agent falls
    // silent, and the lease runs out.
    loop.clock.advance(java.time.Duration.ofSeconds(90));
    sessions.expireLeases();

    assertThat(state()).isEqualTo(JobState.JOB_STATE_PENDING);
    var ended = loop.term.entry(JOB).job.getAttempts(0);
    assertThat(ended.getEndReason())
        .isEqualTo("lost: spot reclaim of node n1 (it stopped answering)");
    assertThat(ended.getReclaimed()).isTrue();
  }

  @Test
  void anAgentStillUnderItsNoticeAfterTheReclaimTimeFindsItsNodeDrainingNotBack() {
    loop.lead(List.of(), List.of(spotNode("s1", NodeState.NODE_STATE_READY)));
    HandLoop.Channel agent = new HandLoop.Channel();
    sessions.register(register("s1"), agent);
    loop.runDue();
    Instant reclaimAt = HandLoop.T0.plusSeconds(60);
    sessions.message("s1", agent, terminateNotice(reclaimAt));
    loop.settle();

    // Past the reclaim time the cloud has not taken it yet: its agent, which saw the notice,
    // registers again (a failover, ZooKeeper back), saying so.
    loop.clock.advance(java.time.Duration.ofSeconds(75));
    Register underNotice =
        register("s1").toBuilder()
            .setSpotNotice(terminateNotice(reclaimAt).getSpotNotice())
            .build();
    sessions.register(underNotice, new HandLoop.Channel());
    loop.runDue();
    NodeSession s1 = loop.term.nodes.get("s1");
    assertThat(s1.state()).isEqualTo(NodeState.NODE_STATE_DRAINING);
    assertThat(s1.node.getReclaimAt()).as("as the notice says").isEqualTo(HandLoop.at(reclaimAt));
    assertThat(s1.spotNotice).as("kept: no undrain while it stands").isNotNull();
    assertThat(loop.term.spotPools.history(loop.clock.instant()).get("spot-a").reclaims())
        .as("the same reclaim")
        .isEqualTo(1);

    // A node a new leader never heard a notice for drains as its agent registers under one.
    loop.lead(List.of(), List.of(spotNode("s2", NodeState.NODE_STATE_READY)));
    sessions.register(
        register("s2").toBuilder()
            .setSpotNotice(terminateNotice(loop.clock.instant().plusSeconds(90)).getSpotNotice())
            .build(),
        new HandLoop.Channel());
    loop.runDue();
    assertThat(loop.term.nodes.get("s2").state()).isEqualTo(NodeState.NODE_STATE_DRAINING);
  }

  @Test
  void aSpotNoticeSentAgainAfterAFailoverIsTheSameReclaim() {
    loop.lead(List.of(), List.of(spotNode("s1", NodeState.NODE_STATE_READY)));
    HandLoop.Channel agent = new HandLoop.Channel();
    sessions.register(register("s1"), agent);
    loop.runDue();
    Instant reclaimAt = HandLoop.T0.plusSeconds(110);
    sessions.message("s1", agent, terminateNotice(reclaimAt));
    loop.settle();

    // Its acknowledgement was lost: the agent registers again and sends the notice once more.
    loop.clock.advance(java.time.Duration.ofSeconds(5));
    HandLoop.Channel again = new HandLoop.Channel();
    sessions.register(register("s1"), again);
    loop.runDue();
    sessions.message("s1", again, terminateNotice(reclaimAt));
    loop.settle();

    NodeSession s1 = loop.term.nodes.get("s1");
    assertThat(s1.state()).isEqualTo(NodeState.NODE_STATE_DRAINING);
    assertThat(s1.node.getReclaimAt()).isEqualTo(HandLoop.at(reclaimAt));
    assertThat(loop.term.spotPools.history(loop.clock.instant()).get("spot-a").reclaims())
        .as("one reclaim, not two")
        .isEqualTo(1);
  }

  @Test
  void aReclaimNoticeStandsUntilItsTimeAndIsOverForANodeWhoseAgentRegistersAfterIt() {
    loop.lead(List.of(), List.of(spotNode("s1", NodeState.NODE_STATE_READY)));
    HandLoop.Channel agent = new HandLoop.Channel();
    sessions.register(register("s1"), agent);
    loop.runDue();
    Instant reclaimAt = HandLoop.T0.plusSeconds(60);
    sessions.message("s1", agent, terminateNotice(reclaimAt));
    loop.settle();

    // Its agent restarts during the notice: the node drains still.
    loop.clock.advance(java.time.Duration.ofSeconds(30));
    sessions.register(register("s1"), new HandLoop.Channel());
    loop.runDue();
    NodeSession s1 = loop.term.nodes.get("s1");
    assertThat(s1.state()).isEqualTo(NodeState.NODE_STATE_DRAINING);
    assertThat(s1.node.getReclaimAt()).isEqualTo(HandLoop.at(reclaimAt));

    // Its agent registers after the reclaim time (the instance was stopped and started again):
    // the node is back, and what ends there later is no spot reclaim.
    loop.clock.advance(java.time.Duration.ofSeconds(31));
    sessions.register(register("s1"), new HandLoop.Channel());
    loop.runDue();
    s1 = loop.term.nodes.get("s1");
    assertThat(s1.state()).isEqualTo(NodeState.NODE_STATE_READY);
    assertThat(s1.node.hasReclaimAt()).isFalse();
  }

  @Test
  void aNewLeaderTimesASpotPoolsSettleFromItsLastReclaimUntilASpotNodeJoinsInItsTerm() {
    // What ZooKeeper holds after a failover: a job reclaimed from pool spot-a 30 min ago, spot
    // nodes of that pool stored as ready (its agent is reconnecting), as lost, and as lost with a
    // reclaim notice that stands.
    Instant reclaimedAt = HandLoop.T0.minusSeconds(30 * 60);
    var reclaimed =
        HandLoop.queued(JOB, HandLoop.checkpointable("vision", 1, 90)).toBuilder()
            .addAttempts(
                io.tern.api.v1.Attempt.newBuilder()
                    .setNumber(1)
                    .addNodeIds("gone")
                    .setCapacityType(CapacityType.CAPACITY_TYPE_SPOT)
                    .setPool("spot-a")
                    .setReclaimed(true)
                    .setStartedAt(HandLoop.at(HandLoop.T0.minusSeconds(3600)))
                    .setEndedAt(HandLoop.at(reclaimedAt)))
            .build();
    var ready = spotNode("s1", NodeState.NODE_STATE_READY);
    var lost = spotNode("s2", NodeState.NODE_STATE_LOST);
    var noticed =
        spotNode("s3", NodeState.NODE_STATE_LOST).toBuilder()
            .setReclaimAt(HandLoop.at(HandLoop.T0.plusSeconds(3600)))
            .build();
    loop.lead(List.of(reclaimed), List.of(ready, lost, noticed));

    sessions.register(register("s1"), new HandLoop.Channel());
    loop.runDue();
    var afterReconnect = loop.term.spotPools.history(loop.clock.instant()).get("spot-a");
    assertThat(afterReconnect.lastReclaimAt()).isEqualTo(reclaimedAt);
    assertThat(afterReconnect.availableSince()).as("s1 was up already").isNull();
    sessions.register(register("s3"), new HandLoop.Channel());
    loop.runDue();
    assertThat(loop.term.spotPools.history(loop.clock.instant()).get("spot-a").availableSince())
        .as("s3's reclaim notice stands")
        .isNull();

    loop.clock.advance(java.time.Duration.ofMinutes(1));
    sessions.register(register("s2"), new HandLoop.Channel());
    loop.runDue();
    var afterJoin = loop.term.spotPools.history(loop.clock.instant()).get("spot-a");
    assertThat(afterJoin.availableSince()).isEqualTo(HandLoop.T0.plusSeconds(60));

    // A node that joined and reconnects does not restart the settle.
    loop.clock.advance(java.time.Duration.ofMinutes(1));
    sessions.register(register("s2"), new HandLoop.Channel());
    loop.runDue();
    assertThat(loop.term.spotPools.history(loop.clock.instant()).get("spot-a").availableSince())
        .isEqualTo(HandLoop.T0.plusSeconds(60));
  }

  /** The spot notice an agent sends when its instance is to be terminated at {@code at}. */
  private static AgentMessage terminateNotice(Instant at) {
    return AgentMessage.newBuilder()
        .setSpotNotice(
            SpotNotice.newBuilder()
                .setKind(SpotNotice.Kind.KIND_INSTANCE_ACTION)
                .setActionAt(HandLoop.at(at)))
        .build();
  }

  private static io.tern.api.v1.Node spotNode(String id, NodeState state) {
    return HandLoop.node(id, 8).toBuilder()
        .setCapacityType(CapacityType.CAPACITY_TYPE_SPOT)
        .setPool("spot-a")
        .setState(state)
        .build();
  }

  @Test
  void printableCutsLongTextAndBlanksControlCharacters() {
    assertThat(AgentSessions.printable("a\u001b[2Jb\nc", 100)).isEqualTo("a [2Jb c");
    assertThat(AgentSessions.printable("x".repeat(20), 10)).isEqualTo("xxxxxxx...");
    assertThat(AgentSessions.printable("\uD83D\uDE80".repeat(20), 10))
        .as("a cut never splits a character made of two UTF-16 units")
        .isEqualTo("\uD83D\uDE80".repeat(7) + "...");
    assertThat(AgentSessions.printable("\uD83D\uDE80".repeat(10), 10)).hasSize(20);
  }
}
