package io.tern.scheduler.server.loop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tern.api.v1.CancelJobRequest;
import io.tern.api.v1.CapacityType;
import io.tern.api.v1.CheckpointPolicy;
import io.tern.api.v1.DrainNodeRequest;
import io.tern.api.v1.GetJobRequest;
import io.tern.api.v1.Job;
import io.tern.api.v1.JobSpec;
import io.tern.api.v1.JobStatus.Phase;
import io.tern.api.v1.RunningAttempt;
import io.tern.api.v1.SchedulerMessage;
import io.tern.api.v1.StartJob;
import io.tern.api.v1.SubmitJobRequest;
import io.tern.scheduler.core.state.JobEvent;
import io.tern.scheduler.core.state.JobState;
import io.tern.scheduler.core.state.JobStateMachine;
import io.tern.scheduler.core.state.JobStatus;
import io.tern.scheduler.core.state.LifecycleContract;
import io.tern.scheduler.core.state.LifecycleContract.End;
import io.tern.scheduler.core.state.LifecycleContract.Event;
import io.tern.scheduler.core.state.LifecycleContract.Failover;
import io.tern.scheduler.core.state.LifecycleContract.Scenario;
import io.tern.scheduler.core.state.LifecycleContract.Step;
import io.tern.scheduler.server.SchedulerServer;
import io.tern.scheduler.server.testing.Clients;
import io.tern.scheduler.server.testing.FakeAgent;
import io.tern.scheduler.server.testing.ReplicaCluster;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The lifecycle contract on the live scheduler: two replicas on a real ZooKeeper, two agents over
 * real gRPC, and each event turned into what causes it in production (a status from the agent that
 * runs the attempt, a drain that interrupts it, an agent that comes back without it, a client's
 * cancel, the leader's close). After every step the stored job must be where the bare state machine
 * says, and the scenario must end where the contract says.
 */
class LiveLifecycleContractTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final int GPUS = 8;

  private ReplicaCluster cluster;

  @BeforeEach
  void startZooKeeper() throws Exception {
    cluster = new ReplicaCluster();
  }

  @AfterEach
  void stopAll() throws Exception {
    cluster.close();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.tern.scheduler.core.state.LifecycleContract#scenarios")
  void theLiveSchedulerEndsWhereTheContractSays(Scenario scenario) throws Exception {
    Live live = new Live(scenario);
    for (Step step : scenario.steps()) {
      live.step(step);
    }
    assertThat(live.reference()).isEqualTo(scenario.end());
    assertThat(live.stored()).isEqualTo(scenario.end());
  }

  /** A job on a live cluster, and the state machine's view of where it should be. */
  private final class Live {
    private final JobStateMachine machine = new JobStateMachine();
    private final FakeAgent[] agents = new FakeAgent[2];
    private final Map<Integer, Integer> agentOf = new HashMap<>();
    private final Map<Integer, List<Integer>> gpusOf = new HashMap<>();
    private final SchedulerServer standby;
    private SchedulerServer leader;
    private Clients clients;
    private JobStatus expected;
    private final String id;

    Live(Scenario scenario) throws Exception {
      leader = cluster.leader();
      standby = cluster.replica(Duration.ofSeconds(30));
      clients = cluster.track(new Clients(leader.address()));
      for (int i = 0; i < agents.length; i++) {
        agents[i] = connect(leader, i, List.of());
      }
      JobSpec.Builder spec = Clients.spec("contract", 1).toBuilder().setRetries(scenario.retries());
      if (scenario.checkpointable()) {
        spec.setCheckpoint(
            CheckpointPolicy.newBuilder()
                .setSignal("SIGUSR1")
                .setGrace(com.google.protobuf.Duration.newBuilder().setSeconds(60)));
      }
      id =
          clients
              .jobs
              .submitJob(SubmitJobRequest.newBuilder().setSpec(spec).build())
              .getJob()
              .getId();
      assertThat(id).isEqualTo(LifecycleContract.JOB);
      expected =
          JobStatus.submitted(LifecycleContract.JOB, scenario.retries(), scenario.checkpointable());
    }

    private FakeAgent connect(SchedulerServer server, int index, List<RunningAttempt> running)
        throws InterruptedException {
      FakeAgent agent =
          cluster
              .track(
                  new FakeAgent(
                      server.address(),
                      "node-" + (index + 1),
                      GPUS,
                      CapacityType.CAPACITY_TYPE_ON_DEMAND))
              .connect(running);
      agent.next(SchedulerMessage.KindCase.REGISTERED, 20);
      return agent;
    }

    void step(Step step) throws Exception {
      switch (step) {
        case Failover f -> failover();
        case Event e -> {
          cause(e.event());
          expected = machine.on(expected, e.event()).status();
        }
      }
      await()
          .atMost(WAIT)
          .untilAsserted(() -> assertThat(settled(stored())).isEqualTo(reference()));
    }

    /** Makes {@code event} happen the way it does in production. */
    private void cause(JobEvent event) throws Exception {
      switch (event) {
        case JobEvent.Placed p -> awaitStart(p.attempt());
        case JobEvent.Started e -> status(e.attempt(), Phase.PHASE_STARTED, 0);
        case JobEvent.Exited e -> status(e.attempt(), Phase.PHASE_EXITED, e.exitCode());
        case JobEvent.StartFailed e -> status(e.attempt(), Phase.PHASE_START_FAILED, 0);
        case JobEvent.Refused e -> status(e.attempt(), Phase.PHASE_REFUSED, 0);
        case JobEvent.Checkpointed e -> status(e.attempt(), Phase.PHASE_CHECKPOINTED, 0);
        case JobEvent.Stopped e -> status(e.attempt(), Phase.PHASE_STOPPED, 0);
        case JobEvent.Interrupt e ->
            clients.cluster.drainNode(
                DrainNodeRequest.newBuilder()
                    .setNodeId(agents[agentOf.get(e.attempt())].nodeId)
                    .setCheckpointJobs(e.checkpoint())
                    .setReason(e.reason())
                    .build());
        case JobEvent.Lost e -> {
          // The agent is cut off and comes back without the attempt: it is lost after a grace.
          int at = agentOf.get(e.attempt());
          agents[at].drop();
          agents[at] = connect(leader, at, List.of());
        }
        case JobEvent.Cancel e ->
            clients.jobs.cancelJob(
                CancelJobRequest.newBuilder().setJobId(id).setReason(e.reason()).build());
        case JobEvent.Hold e -> throw new IllegalArgumentException("holds come from policy");
        case JobEvent.Release e -> throw new IllegalArgumentException("holds come from policy");
        case JobEvent.UserHold e ->
            throw new IllegalArgumentException("the contract's job is placed before a user acts");
        case JobEvent.UserRelease e ->
            throw new IllegalArgumentException("the contract's job is placed before a user acts");
      }
    }

    /** The attempt's start, sent to whichever agent the plan chose. */
    private void awaitStart(int attempt) throws InterruptedException {
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (System.nanoTime() < deadline) {
        for (int i = 0; i < agents.length; i++) {
          StartJob start;
          try {
            start = agents[i].next(SchedulerMessage.KindCase.START_JOB, 1).getStartJob();
          } catch (AssertionError none) {
            continue;
          }
          assertThat(start.getJobId()).isEqualTo(id);
          assertThat(start.getAttempt()).isEqualTo(attempt);
          agentOf.put(attempt, i);
          gpusOf.put(attempt, start.getGpuIndicesList());
          return;
        }
      }
      throw new AssertionError("attempt " + attempt + " was not started within " + WAIT);
    }

    private void status(int attempt, Phase phase, int exitCode) {
      agents[agentOf.get(attempt)].status(id, attempt, phase, exitCode);
    }

    /**
     * The leader closes; the standby takes over from what is in ZooKeeper, and the agents reconnect
     * to it, listing the attempt they run.
     */
    private void failover() throws Exception {
      leader.close();
      ReplicaCluster.awaitLeading(standby);
      leader = standby;
      clients = cluster.track(new Clients(leader.address()));
      for (int i = 0; i < agents.length; i++) {
        agents[i].drop();
        List<RunningAttempt> running = List.of();
        int attempt = expected.attempt();
        if (expected.state().holdsResources() && agentOf.get(attempt) == i) {
          running =
              List.of(
                  RunningAttempt.newBuilder()
                      .setJobId(id)
                      .setAttempt(attempt)
                      .addAllGpuIndices(gpusOf.get(attempt))
                      .build());
        }
        agents[i] = connect(leader, i, running);
      }
    }

    End reference() {
      return new End(expected.state(), expected.attempt());
    }

    End stored() {
      Job job = clients.jobs.getJob(GetJobRequest.newBuilder().setJobId(id).build());
      return new End(JobLifecycle.core(job.getState()), job.getAttemptsCount());
    }

    /**
     * A job the state machine requeued may already be placed again when it is read (the planner
     * does not wait): taken as queued, as the reference is.
     */
    private End settled(End stored) {
      JobState reference = expected.state();
      if (reference == JobState.PENDING
          && stored.state() == JobState.STARTING
          && stored.attempt() == expected.attempt() + 1) {
        return reference();
      }
      if (reference == JobState.PENDING && stored.state() == JobState.HELD) {
        return new End(JobState.PENDING, stored.attempt());
      }
      return stored;
    }
  }
}
