package io.tern.scheduler.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tern.api.v1.CapacityType;
import io.tern.api.v1.GetJobRequest;
import io.tern.api.v1.JobState;
import io.tern.api.v1.JobStatus;
import io.tern.api.v1.RunningAttempt;
import io.tern.api.v1.SchedulerMessage;
import io.tern.api.v1.SubmitJobRequest;
import io.tern.scheduler.server.loop.SchedulerLoop;
import io.tern.scheduler.server.testing.Clients;
import io.tern.scheduler.server.testing.FakeAgent;
import io.tern.scheduler.server.testing.ReplicaCluster;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Two replicas on one ZooKeeper: leadership moves, epochs fence, and no job runs twice. */
class LeaderFailoverTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  private ReplicaCluster cluster;

  @BeforeEach
  void startZooKeeper() throws Exception {
    cluster = new ReplicaCluster();
  }

  @AfterEach
  void stopAll() throws Exception {
    cluster.close();
  }

  private <T extends AutoCloseable> T track(T closeable) {
    return cluster.track(closeable);
  }

  private SchedulerServer replica() throws Exception {
    return cluster.replica(Duration.ofSeconds(30));
  }

  private static boolean leads(SchedulerServer s) throws Exception {
    return s.loop().role().get() == SchedulerLoop.Role.LEADER;
  }

  @Test
  void expiredSessionMakesTheLeaderStepDownAndTheStandbyTakeOverWithoutRunningAJobTwice()
      throws Exception {
    SchedulerServer a = replica();
    await().atMost(WAIT).until(() -> leads(a));
    SchedulerServer b = replica();

    Clients ca = track(new Clients(a.address()));
    FakeAgent agent =
        track(new FakeAgent(a.address(), "node-1", 8, CapacityType.CAPACITY_TYPE_ON_DEMAND))
            .connect();
    long epochA = agent.next(SchedulerMessage.KindCase.REGISTERED, 10).getEpoch();
    String running =
        ca.jobs
            .submitJob(SubmitJobRequest.newBuilder().setSpec(Clients.spec("run", 8)).build())
            .getJob()
            .getId();
    agent.next(SchedulerMessage.KindCase.START_JOB, 10);
    agent.status(running, 1, JobStatus.Phase.PHASE_STARTED, 0);
    String queued =
        ca.jobs
            .submitJob(SubmitJobRequest.newBuilder().setSpec(Clients.spec("queued", 8)).build())
            .getJob()
            .getId();
    await()
        .atMost(WAIT)
        .until(
            () ->
                ca.jobs.getJob(GetJobRequest.newBuilder().setJobId(running).build()).getState()
                    == JobState.JOB_STATE_RUNNING);

    a.curator().getZookeeperClient().getZooKeeper().getTestable().injectSessionExpiration();

    await().atMost(WAIT).until(() -> leads(b));
    // Both may believe they lead for a moment; A learns of its expired session and steps down, and
    // until then its writes are fenced by B's newer epoch.
    await().atMost(WAIT).until(() -> !leads(a));
    // The agent's stream to the old leader ends; it reconnects to the new one, still running its
    // job.
    await().atMost(WAIT).until(() -> agent.closedWith() != null);
    FakeAgent again =
        track(new FakeAgent(b.address(), "node-1", 8, CapacityType.CAPACITY_TYPE_ON_DEMAND))
            .connect(
                List.of(
                    RunningAttempt.newBuilder()
                        .setJobId(running)
                        .setAttempt(1)
                        .addAllGpuIndices(List.of(0, 1, 2, 3, 4, 5, 6, 7))
                        .build()));
    long epochB = again.next(SchedulerMessage.KindCase.REGISTERED, 10).getEpoch();

    assertThat(epochB).isGreaterThan(epochA);
    Clients cb = track(new Clients(b.address()));
    var runningJob = cb.jobs.getJob(GetJobRequest.newBuilder().setJobId(running).build());
    var queuedJob = cb.jobs.getJob(GetJobRequest.newBuilder().setJobId(queued).build());
    assertThat(runningJob.getState()).isEqualTo(JobState.JOB_STATE_RUNNING);
    assertThat(runningJob.getAttemptsCount()).isEqualTo(1);
    assertThat(queuedJob.getState()).isIn(JobState.JOB_STATE_PENDING, JobState.JOB_STATE_HELD);
    assertThat(queuedJob.getAttemptsCount()).isZero();
    // The GPUs are held by the adopted attempt: the queued job must not start anywhere.
    again.status(running, 1, JobStatus.Phase.PHASE_EXITED, 0);
    SchedulerMessage start = again.next(SchedulerMessage.KindCase.START_JOB, 10);
    assertThat(start.getStartJob().getJobId()).isEqualTo(queued);
    assertThat(start.getEpoch()).isEqualTo(epochB);
  }
}
