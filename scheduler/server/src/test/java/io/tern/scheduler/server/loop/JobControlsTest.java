package io.tern.scheduler.server.loop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.Timestamp;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tern.api.v1.ArraySpec;
import io.tern.api.v1.CancelJobRequest;
import io.tern.api.v1.CapacityType;
import io.tern.api.v1.CheckpointPolicy;
import io.tern.api.v1.DrainNodeRequest;
import io.tern.api.v1.ExplainJobRequest;
import io.tern.api.v1.GetJobRequest;
import io.tern.api.v1.HoldJobRequest;
import io.tern.api.v1.Job;
import io.tern.api.v1.JobSpec;
import io.tern.api.v1.JobState;
import io.tern.api.v1.JobStatus;
import io.tern.api.v1.ListNodesRequest;
import io.tern.api.v1.NodeState;
import io.tern.api.v1.Priority;
import io.tern.api.v1.ReleaseJobRequest;
import io.tern.api.v1.RequeueJobRequest;
import io.tern.api.v1.SchedulerMessage;
import io.tern.api.v1.SubmitJobRequest;
import io.tern.api.v1.UndrainNodeRequest;
import io.tern.api.v1.UpdateJobRequest;
import io.tern.scheduler.server.SchedulerServer;
import io.tern.scheduler.server.testing.Clients;
import io.tern.scheduler.server.testing.FakeAgent;
import io.tern.scheduler.server.testing.ReplicaCluster;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Hold, release, requeue, update and undrain (of a job, and of an array's tasks by its id) on a
 * real leader (real ZooKeeper, real gRPC), with an agent that takes one job at a time: a job the
 * planner skips shows up as another job started first.
 */
class JobControlsTest {
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

  private String submit(JobSpec spec) {
    return c.jobs.submitJob(SubmitJobRequest.newBuilder().setSpec(spec).build()).getJob().getId();
  }

  /** Submits {@code spec} as an array of tasks 0 to 2; returns the array's id. */
  private String submitArray(JobSpec spec) {
    return c.jobs
        .submitJob(
            SubmitJobRequest.newBuilder()
                .setSpec(spec.toBuilder().setArray(ArraySpec.newBuilder().setIndices("0-2")))
                .build())
        .getArrayId();
  }

  private Job job(String id) {
    return c.jobs.getJob(GetJobRequest.newBuilder().setJobId(id).build());
  }

  /** An on-demand agent with one GPU, connected. */
  private FakeAgent agent() {
    return cluster
        .track(new FakeAgent(leader.address(), "n1", 1, CapacityType.CAPACITY_TYPE_ON_DEMAND))
        .connect();
  }

  private static Status.Code code(Runnable call) {
    return catchThrowableOfType(StatusRuntimeException.class, call::run).getStatus().getCode();
  }

  @Test
  void aHeldJobIsSkippedUntilReleasedAndSurvivesItsPolicyRelease() throws Exception {
    String held = submit(Clients.spec("held", 1));
    Job afterHold =
        c.jobs.holdJob(
            HoldJobRequest.newBuilder().setJobId(held).setReason("data not ready").build());
    Job heldAgain =
        c.jobs.holdJob(
            HoldJobRequest.newBuilder().setJobId(held).setReason("data still not ready").build());
    assertThat(heldAgain.getPendingReason())
        .as("held again: the new reason replaces the old")
        .endsWith(": data still not ready");
    assertThat(
            c.jobs.holdJob(HoldJobRequest.newBuilder().setJobId(held).build()).getPendingReason())
        .as("held again without a reason: unchanged")
        .endsWith(": data still not ready");
    String other = submit(Clients.spec("other", 1));
    FakeAgent agent = agent();

    var first = agent.next(SchedulerMessage.KindCase.START_JOB, 10).getStartJob();
    String explained =
        c.jobs.explainJob(ExplainJobRequest.newBuilder().setJobId(held).build()).getSummary();
    agent.status(other, 1, JobStatus.Phase.PHASE_STARTED, 0);
    agent.status(other, 1, JobStatus.Phase.PHASE_EXITED, 0);
    await().atMost(WAIT).until(() -> job(other).getState() == JobState.JOB_STATE_SUCCEEDED);
    Job stillHeld = job(held);
    Job released = c.jobs.releaseJob(ReleaseJobRequest.newBuilder().setJobId(held).build());
    var second = agent.next(SchedulerMessage.KindCase.START_JOB, 10).getStartJob();

    assertThat(afterHold.getState()).isEqualTo(JobState.JOB_STATE_HELD);
    assertThat(afterHold.getHeldByUser()).isTrue();
    assertThat(afterHold.getPendingReason()).startsWith("held by ").endsWith(": data not ready");
    assertThat(first.getJobId()).as("the held job is skipped").isEqualTo(other);
    assertThat(explained).startsWith("held: held by ");
    assertThat(stillHeld.getState())
        .as("a free GPU does not release it")
        .isEqualTo(JobState.JOB_STATE_HELD);
    assertThat(released.getHeldByUser()).isFalse();
    assertThat(second.getJobId()).isEqualTo(held);
    assertThat(code(() -> c.jobs.holdJob(HoldJobRequest.newBuilder().setJobId(held).build())))
        .as("a started job")
        .isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(
            code(() -> c.jobs.releaseJob(ReleaseJobRequest.newBuilder().setJobId(other).build())))
        .as("a job nobody held")
        .isEqualTo(Status.Code.FAILED_PRECONDITION);
  }

  private static String description(Runnable call) {
    return catchThrowableOfType(StatusRuntimeException.class, call::run)
        .getStatus()
        .getDescription();
  }

  @Test
  void aJobHeldThenCancelledIsNotReleasedAndNeverRuns() throws Exception {
    String id = submit(Clients.spec("cancelled", 1));
    c.jobs.holdJob(HoldJobRequest.newBuilder().setJobId(id).build());
    c.jobs.cancelJob(CancelJobRequest.newBuilder().setJobId(id).build());

    StatusRuntimeException release =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () -> c.jobs.releaseJob(ReleaseJobRequest.newBuilder().setJobId(id).build()));
    StatusRuntimeException hold =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () -> c.jobs.holdJob(HoldJobRequest.newBuilder().setJobId(id).build()));
    String other = submit(Clients.spec("other", 1));
    var start = agent().next(SchedulerMessage.KindCase.START_JOB, 10).getStartJob();

    assertThat(release.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(release.getStatus().getDescription())
        .isEqualTo(
            id
                + " is CANCELLED and cannot be released: it has ended; only a job a user held"
                + " (tern hold) can be released");
    assertThat(hold.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(job(id).getState()).isEqualTo(JobState.JOB_STATE_CANCELLED);
    assertThat(job(id).getHeldByUser()).isFalse();
    assertThat(start.getJobId()).as("the cancelled job never starts").isEqualTo(other);
  }

  @Test
  void releasingAJobThatIsNotHeldChangesNothingAsHoldingAHeldOneDoes() throws Exception {
    String id = submit(Clients.spec("queued", 1)); // no agent here: it stays queued
    Job released = c.jobs.releaseJob(ReleaseJobRequest.newBuilder().setJobId(id).build());

    assertThat(released.getState()).isEqualTo(JobState.JOB_STATE_PENDING);
    assertThat(job(id).getPendingReason()).as("nothing was released").doesNotContain("released");
  }

  @Test
  void releasingAnArrayReleasesOnlyItsHeldTasks() throws Exception {
    String array = submitArray(Clients.spec("sweep", 1));
    c.jobs.holdJob(HoldJobRequest.newBuilder().setJobId(array).build());
    c.jobs.cancelJob(CancelJobRequest.newBuilder().setJobId(array + "-1").build());

    Job released = c.jobs.releaseJob(ReleaseJobRequest.newBuilder().setJobId(array).build());
    List<Job> after = tasks(array);
    c.jobs.cancelJob(CancelJobRequest.newBuilder().setJobId(array).build());
    String noneHeld =
        description(
            () -> c.jobs.releaseJob(ReleaseJobRequest.newBuilder().setJobId(array).build()));
    String oneTask =
        description(
            () -> c.jobs.releaseJob(ReleaseJobRequest.newBuilder().setJobId(array + "-1").build()));

    assertThat(released.getId()).isEqualTo(array + "-0");
    assertThat(after)
        .extracting(Job::getState)
        .containsExactly(
            JobState.JOB_STATE_PENDING, JobState.JOB_STATE_CANCELLED, JobState.JOB_STATE_PENDING);
    assertThat(noneHeld)
        .isEqualTo(
            "array "
                + array
                + " has no task a user held, so none can be released (tern status "
                + array
                + ")");
    assertThat(oneTask).startsWith(array + "-1 is CANCELLED and cannot be released: it has ended");
    assertThat(tasks(array)).allMatch(t -> t.getState() == JobState.JOB_STATE_CANCELLED);
  }

  @Test
  void aHeldChildOfAFailedParentIsCancelledAndExplainSaysWhy() throws Exception {
    String parent = submit(Clients.spec("parent", 1));
    String child =
        submit(
            Clients.spec("child", 1).toBuilder()
                .addDependsOn(
                    io.tern.api.v1.Dependency.newBuilder()
                        .setJobId(parent)
                        .setType(io.tern.api.v1.DependencyType.DEPENDENCY_TYPE_AFTER_OK))
                .build());
    c.jobs.holdJob(HoldJobRequest.newBuilder().setJobId(child).build());
    FakeAgent agent = agent();
    agent.next(SchedulerMessage.KindCase.START_JOB, 10);
    agent.status(parent, 1, JobStatus.Phase.PHASE_STARTED, 0);
    agent.status(parent, 1, JobStatus.Phase.PHASE_EXITED, 3);

    await().atMost(WAIT).until(() -> job(child).getState() == JobState.JOB_STATE_CANCELLED);
    String explained =
        c.jobs.explainJob(ExplainJobRequest.newBuilder().setJobId(child).build()).getSummary();

    String why = "cancelled: dependency never satisfied: " + parent + " FAILED (afterok)";
    assertThat(job(child).getPendingReason()).isEqualTo(why);
    assertThat(explained).isEqualTo(why);
  }

  @Test
  void aRequeuedJobCheckpointsAndRunsAgainWithoutUsingARetry() throws Exception {
    JobSpec spec =
        Clients.spec("requeued", 1).toBuilder()
            .setCheckpoint(
                CheckpointPolicy.newBuilder()
                    .setSignal("SIGUSR1")
                    .setGrace(com.google.protobuf.Duration.newBuilder().setSeconds(60)))
            .build();
    FakeAgent agent = agent();
    String id = submit(spec);
    agent.next(SchedulerMessage.KindCase.START_JOB, 10);
    assertThat(code(() -> c.jobs.requeueJob(RequeueJobRequest.newBuilder().setJobId(id).build())))
        .as("not running yet")
        .isEqualTo(Status.Code.FAILED_PRECONDITION);
    // A reason is stored and echoed by agents: one over 1,000 characters is refused, naming it.
    String tooLong = "r".repeat(1001);
    assertThat(
            code(
                () ->
                    c.jobs.requeueJob(
                        RequeueJobRequest.newBuilder().setJobId(id).setReason(tooLong).build())))
        .isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(
            code(
                () ->
                    c.jobs.cancelJob(
                        io.tern.api.v1.CancelJobRequest.newBuilder()
                            .setJobId(id)
                            .setReason(tooLong)
                            .build())))
        .isEqualTo(Status.Code.INVALID_ARGUMENT);
    String thousandRockets = "\uD83D\uDE80".repeat(1000); // 2,000 UTF-16 units
    assertThat(
            code(
                () ->
                    c.jobs.requeueJob(
                        RequeueJobRequest.newBuilder()
                            .setJobId(id)
                            .setReason(thousandRockets)
                            .build())))
        .as("1,000 characters, counted as people count them, pass the check")
        .isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(job(id).getState()).as("not cancelled").isNotEqualTo(JobState.JOB_STATE_CANCELLED);
    agent.status(id, 1, JobStatus.Phase.PHASE_STARTED, 0);
    await().atMost(WAIT).until(() -> job(id).getState() == JobState.JOB_STATE_RUNNING);

    Job requeued =
        c.jobs.requeueJob(
            RequeueJobRequest.newBuilder().setJobId(id).setReason("new data").build());
    var checkpoint = agent.next(SchedulerMessage.KindCase.CHECKPOINT_JOB, 10).getCheckpointJob();
    // As an agent reports it: with the reason the checkpoint was asked for.
    agent.send(
        io.tern.api.v1.AgentMessage.newBuilder()
            .setJobStatus(
                JobStatus.newBuilder()
                    .setJobId(id)
                    .setAttempt(1)
                    .setPhase(JobStatus.Phase.PHASE_CHECKPOINTED)
                    .setMessage(checkpoint.getReason()))
            .build());
    var again = agent.next(SchedulerMessage.KindCase.START_JOB, 10).getStartJob();

    assertThat(requeued.getState()).isEqualTo(JobState.JOB_STATE_CHECKPOINTING);
    assertThat(checkpoint.getReason()).startsWith("requeued by ").endsWith(": new data");
    assertThat(job(id).getAttempts(0).getCheckpointReason()).isEqualTo(checkpoint.getReason());
    assertThat(again.getAttempt()).as("no retries, yet it runs again").isEqualTo(2);
    assertThat(job(id).getAttempts(0).getEndReason())
        .isEqualTo("checkpointed and requeued: " + checkpoint.getReason());
  }

  @Test
  void aJobBeingCancelledIsNotRequeued() throws Exception {
    FakeAgent agent = agent();
    String id = submit(Clients.spec("cancelling", 1));
    agent.next(SchedulerMessage.KindCase.START_JOB, 10);
    agent.status(id, 1, JobStatus.Phase.PHASE_STARTED, 0);
    await().atMost(WAIT).until(() -> job(id).getState() == JobState.JOB_STATE_RUNNING);
    c.jobs.cancelJob(io.tern.api.v1.CancelJobRequest.newBuilder().setJobId(id).build());
    agent.next(SchedulerMessage.KindCase.STOP_JOB, 10);

    assertThat(
            description(
                () -> c.jobs.requeueJob(RequeueJobRequest.newBuilder().setJobId(id).build())))
        .isEqualTo(id + " is RUNNING and cannot be requeued: it is being cancelled");
    assertThat(job(id).getState())
        .as("not asked to checkpoint")
        .isEqualTo(JobState.JOB_STATE_RUNNING);
  }

  @Test
  void updateChangesAQueuedJobAndNamesTheFieldItRefuses() throws Exception {
    String id = submit(Clients.spec("updated", 1));
    Instant deadline = Instant.now().plus(Duration.ofHours(5));

    Job updated =
        c.jobs.updateJob(
            UpdateJobRequest.newBuilder()
                .setJobId(id)
                .setPriority(Priority.PRIORITY_HIGH)
                .setRetries(4)
                .setDeadline(Timestamp.newBuilder().setSeconds(deadline.getEpochSecond()))
                .build());
    var past =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () ->
                c.jobs.updateJob(
                    UpdateJobRequest.newBuilder()
                        .setJobId(id)
                        .setDeadline(Timestamp.newBuilder().setSeconds(1_000_000_000L))
                        .build()));
    var tooMany =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () ->
                c.jobs.updateJob(
                    UpdateJobRequest.newBuilder().setJobId(id).setRetries(1000).build()));
    Job cleared =
        c.jobs.updateJob(UpdateJobRequest.newBuilder().setJobId(id).setClearDeadline(true).build());

    assertThat(updated.getSpec().getPriority()).isEqualTo(Priority.PRIORITY_HIGH);
    assertThat(updated.getSpec().getRetries()).isEqualTo(4);
    assertThat(updated.getSpec().getDeadline().getSeconds()).isEqualTo(deadline.getEpochSecond());
    assertThat(job(id).getSpec().getPriority()).as("stored").isEqualTo(Priority.PRIORITY_HIGH);
    assertThat(past.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(past.getStatus().getDescription()).startsWith("deadline: ");
    assertThat(tooMany.getStatus().getDescription()).startsWith("retries: ");
    assertThat(cleared.getSpec().hasDeadline()).isFalse();
    assertThat(cleared.getSpec().getRetries()).isEqualTo(4);
  }

  @Test
  void anUpdatedDeadlineTheJobCannotMakeIsRefusedAsAtSubmission() {
    String id =
        submit(
            Clients.spec("long", 1).toBuilder()
                .setMaxRuntime(com.google.protobuf.Duration.newBuilder().setSeconds(2 * 3600))
                .build());
    Instant soon = Instant.now().plus(Duration.ofMinutes(30));

    var refused =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () ->
                c.jobs.updateJob(
                    UpdateJobRequest.newBuilder()
                        .setJobId(id)
                        .setDeadline(Timestamp.newBuilder().setSeconds(soon.getEpochSecond()))
                        .build()));

    assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(refused.getStatus().getDescription())
        .startsWith("deadline: ")
        .contains("(maxRuntime): it cannot finish by then");
    assertThat(job(id).getSpec().hasDeadline()).as("unchanged").isFalse();
  }

  @Test
  void anUndrainedNodeTakesJobsAgain() throws Exception {
    FakeAgent agent = agent();
    agent.next(SchedulerMessage.KindCase.REGISTERED, 10);
    var drained = c.cluster.drainNode(DrainNodeRequest.newBuilder().setNodeId("n1").build());
    String id = submit(Clients.spec("waits", 1));
    await()
        .atMost(WAIT)
        .until(
            () ->
                c.jobs
                    .explainJob(ExplainJobRequest.newBuilder().setJobId(id).build())
                    .getSummary()
                    .contains("draining"));

    agent.drop();
    agent.connect().next(SchedulerMessage.KindCase.REGISTERED, 10);
    var reconnected =
        c.cluster.listNodes(ListNodesRequest.getDefaultInstance()).getNodesList().getFirst();

    var undrained = c.cluster.undrainNode(UndrainNodeRequest.newBuilder().setNodeId("n1").build());
    var start = agent.next(SchedulerMessage.KindCase.START_JOB, 10).getStartJob();

    assertThat(drained.getState()).isEqualTo(NodeState.NODE_STATE_DRAINING);
    assertThat(drained.getDrained()).isTrue();
    assertThat(reconnected.getState())
        .as("a drain outlives the agent's reconnect")
        .isEqualTo(NodeState.NODE_STATE_DRAINING);
    assertThat(undrained.getState()).isEqualTo(NodeState.NODE_STATE_READY);
    assertThat(undrained.getDrained()).isFalse();
    assertThat(start.getJobId()).isEqualTo(id);
    assertThat(
            code(
                () ->
                    c.cluster.undrainNode(UndrainNodeRequest.newBuilder().setNodeId("n9").build())))
        .isEqualTo(Status.Code.NOT_FOUND);
    assertThat(code(() -> c.cluster.undrainNode(UndrainNodeRequest.getDefaultInstance())))
        .isEqualTo(Status.Code.INVALID_ARGUMENT);
  }

  private List<Job> tasks(String array) {
    return IntStream.range(0, 3).mapToObj(i -> job(array + "-" + i)).toList();
  }

  @Test
  void everyVerbTakesAnArraysIdAndActsOnEachTaskItAppliesTo() throws Exception {
    String array =
        submitArray(
            Clients.spec("sweep", 1).toBuilder()
                .setCheckpoint(
                    CheckpointPolicy.newBuilder()
                        .setSignal("SIGUSR1")
                        .setGrace(com.google.protobuf.Duration.newBuilder().setSeconds(60)))
                .build());

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
