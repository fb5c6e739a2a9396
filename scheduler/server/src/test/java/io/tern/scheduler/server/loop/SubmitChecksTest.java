package io.tern.scheduler.server.loop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.protobuf.Timestamp;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tern.api.v1.Budget;
import io.tern.api.v1.CapacityType;
import io.tern.api.v1.JobSpec;
import io.tern.api.v1.SchedulerMessage;
import io.tern.api.v1.SetBudgetRequest;
import io.tern.api.v1.SubmitJobRequest;
import io.tern.scheduler.server.SchedulerServer;
import io.tern.scheduler.server.testing.Clients;
import io.tern.scheduler.server.testing.FakeAgent;
import io.tern.scheduler.server.testing.ReplicaCluster;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Honest submission on a real leader (real ZooKeeper, real gRPC) with one 8-GPU agent: a job no
 * node can ever hold and a deadline the job cannot make are refused with the field and the reason,
 * unless allow_unfit; a budget for a team that never submitted comes back with a warning.
 */
class SubmitChecksTest {
  private ReplicaCluster cluster;
  private SchedulerServer leader;
  private Clients c;

  @BeforeEach
  void start() throws Exception {
    cluster = new ReplicaCluster();
    leader = cluster.leader();
    c = cluster.track(new Clients(leader.address()));
    cluster
        .track(new FakeAgent(leader.address(), "n1", 8, CapacityType.CAPACITY_TYPE_ON_DEMAND))
        .connect()
        .next(SchedulerMessage.KindCase.REGISTERED, 10);
  }

  @AfterEach
  void stop() throws Exception {
    cluster.close();
  }

  private StatusRuntimeException refused(JobSpec spec) {
    return catchThrowableOfType(
        StatusRuntimeException.class,
        () -> c.jobs.submitJob(SubmitJobRequest.newBuilder().setSpec(spec).build()));
  }

  @Test
  void aJobNoNodeCanEverHoldIsRefusedUnlessAllowed() {
    JobSpec huge = Clients.spec("huge", 16);

    StatusRuntimeException e = refused(huge);
    var allowed =
        c.jobs.submitJob(SubmitJobRequest.newBuilder().setSpec(huge).setAllowUnfit(true).build());

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(e.getStatus().getDescription())
        .startsWith(
            "spec.resources: fits no node and no pool: needs 16 GPUs per node, the most is 8")
        .contains("--allow-unfit");
    assertThat(allowed.getJob().getId()).startsWith("job-");
    assertThat(refused(Clients.spec("fits", 8))).as("a job that fits").isNull();
  }

  @Test
  void aNodeThatRegistersLaterIsCountedByTheNextSubmission() throws Exception {
    JobSpec huge = Clients.spec("huge", 16);
    assertThat(refused(huge)).as("with one 8-GPU node").isNotNull();

    cluster
        .track(new FakeAgent(leader.address(), "n2", 16, CapacityType.CAPACITY_TYPE_ON_DEMAND))
        .connect()
        .next(SchedulerMessage.KindCase.REGISTERED, 10);

    assertThat(refused(huge)).as("once a 16-GPU node has registered").isNull();
  }

  @Test
  void aDeadlineCloserThanTheMaximumRuntimeIsRefused() {
    Instant deadline = Instant.now().plus(Duration.ofHours(3));
    JobSpec spec =
        Clients.spec("late", 1).toBuilder()
            .setDeadline(Timestamp.newBuilder().setSeconds(deadline.getEpochSecond()))
            .setMaxRuntime(com.google.protobuf.Duration.newBuilder().setSeconds(10 * 3600))
            .build();

    StatusRuntimeException e = refused(spec);
    StatusRuntimeException makesIt =
        refused(
            spec.toBuilder()
                .setMaxRuntime(com.google.protobuf.Duration.newBuilder().setSeconds(2 * 3600))
                .build());

    assertThat(e.getStatus().getDescription())
        .startsWith("spec.deadline: ")
        .contains("away, and the job may run 10 h (maxRuntime): it cannot finish by then");
    assertThat(makesIt).isNull();
  }

  @Test
  void aBudgetForATeamThatNeverSubmittedWarns() {
    Budget unknown =
        c.finops()
            .setBudget(
                SetBudgetRequest.newBuilder()
                    .setBudget(Budget.newBuilder().setTeam("visoin").setMonthlyUsd(100))
                    .build());
    c.jobs.submitJob(SubmitJobRequest.newBuilder().setSpec(Clients.spec("known", 1)).build());
    Budget known =
        c.finops()
            .setBudget(
                SetBudgetRequest.newBuilder()
                    .setBudget(Budget.newBuilder().setTeam("vision").setMonthlyUsd(100))
                    .build());

    assertThat(unknown.getWarning()).startsWith("team 'visoin' has never submitted a job");
    assertThat(known.getWarning()).isEmpty();
  }
}
