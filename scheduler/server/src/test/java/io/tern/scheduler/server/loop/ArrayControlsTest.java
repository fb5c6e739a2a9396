package io.tern.scheduler.server.loop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import io.grpc.StatusRuntimeException;
import io.tern.api.v1.ArraySpec;
import io.tern.api.v1.CapacityType;
import io.tern.api.v1.CheckpointPolicy;
import io.tern.api.v1.ExplainJobRequest;
import io.tern.api.v1.GetJobRequest;
import io.tern.api.v1.HoldJobRequest;
import io.tern.api.v1.Job;
import io.tern.api.v1.JobState;
import io.tern.api.v1.JobStatus;
import io.tern.api.v1.Priority;
import io.tern.api.v1.ReleaseJobRequest;
import io.tern.api.v1.RequeueJobRequest;
import io.tern.api.v1.SchedulerMessage;
import io.tern.api.v1.SubmitJobRequest;
import io.tern.api.v1.UpdateJobRequest;
import io.tern.scheduler.server.SchedulerServer;
import io.tern.scheduler.server.testing.Clients;
import io.tern.scheduler.server.testing.FakeAgent;
import io.tern.scheduler.server.testing.ReplicaCluster;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Hold, release, update, requeue and explain by an array's id, on a real leader (real ZooKeeper,
 * real gRPC): each verb acts on every task whose state allows it, as CancelJob does.
 */
class ArrayControlsTest {
  private static final Duration WAIT = Duration.ofSeconds(15);

  private ReplicaCluster cluster;
  private SchedulerServer leader;
  private Clients c;

  @BeforeEach
  void start() throws Exception {
    cluster = new ReplicaCluster();
    leader = cluster.leader();
    c = cluster.track(new Clients(leader.address()));
  }

  @AfterEach
  void stop() throws Exception {
    cluster.close();
  }

  private Job job(String id) {
    return c.jobs.getJob(GetJobRequest.newBuilder().setJobId(id).build());
  }

  private List<Job> tasks(String array) {
    return IntStream.range(0, 3).mapToObj(i -> job(array + "-" + i)).toList();
  }

  @Test
  void everyVerbTakesAnArraysIdAndActsOnEachTaskItAppliesTo() throws Exception {
    String array =
        c.jobs
            .submitJob(
                SubmitJobRequest.newBuilder()
                    .setSpec(
                        Clients.spec("sweep", 1).toBuilder()
                            .setArray(ArraySpec.newBuilder().setIndices("0-2"))
                            .setCheckpoint(
                                CheckpointPolicy.newBuilder()
                                    .setSignal("SIGUSR1")
                                    .setGrace(
                                        com.google.protobuf.Duration.newBuilder().setSeconds(60))))
                    .build())
            .getArrayId();

    Job held =
        c.jobs.holdJob(HoldJobRequest.newBuilder().setJobId(array).setReason("wait").build());
    List<Job> allHeld = tasks(array);
    String explained =
        c.jobs.explainJob(ExplainJobRequest.newBuilder().setJobId(array).build()).getSummary();
    c.jobs.updateJob(
        UpdateJobRequest.newBuilder().setJobId(array).setPriority(Priority.PRIORITY_HIGH).build());
    List<Job> updated = tasks(array);
    StatusRuntimeException nothingRuns =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () -> c.jobs.requeueJob(RequeueJobRequest.newBuilder().setJobId(array).build()));
    c.jobs.releaseJob(ReleaseJobRequest.newBuilder().setJobId(array).build());
    FakeAgent agent =
        cluster
            .track(new FakeAgent(leader.address(), "n1", 1, CapacityType.CAPACITY_TYPE_ON_DEMAND))
            .connect();
    String running = agent.next(SchedulerMessage.KindCase.START_JOB, 10).getStartJob().getJobId();
    agent.status(running, 1, JobStatus.Phase.PHASE_STARTED, 0);
    await().atMost(WAIT).until(() -> job(running).getState() == JobState.JOB_STATE_RUNNING);
    Job requeued = c.jobs.requeueJob(RequeueJobRequest.newBuilder().setJobId(array).build());
    var checkpoint = agent.next(SchedulerMessage.KindCase.CHECKPOINT_JOB, 10).getCheckpointJob();

    assertThat(held.getId()).isEqualTo(array + "-0");
    assertThat(allHeld).allMatch(t -> t.getState() == JobState.JOB_STATE_HELD && t.getHeldByUser());
    assertThat(explained).startsWith("array of 3 tasks: 3 held; " + array + "-0: held: held by ");
    assertThat(updated).allMatch(t -> t.getSpec().getPriority() == Priority.PRIORITY_HIGH);
    assertThat(nothingRuns.getStatus().getDescription())
        .isEqualTo(
            "array " + array + " has no task that can be requeued (tern status " + array + ")");
    assertThat(requeued.getId()).as("only the running task").isEqualTo(running);
    assertThat(checkpoint.getJobId()).isEqualTo(running);
  }
}
