package io.tern.scheduler.server.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tern.api.v1.JobSpec;
import io.tern.api.v1.ListJobsRequest;
import io.tern.api.v1.SubmitJobRequest;
import io.tern.scheduler.server.SchedulerServer;
import io.tern.scheduler.server.testing.Clients;
import io.tern.scheduler.server.testing.ReplicaCluster;
import io.tern.scheduler.spec.SpecLimits;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Oversized and malformed specs sent straight to SubmitJob (no CLI in between): each is refused
 * with INVALID_ARGUMENT naming {@code spec.<key>}, in a description small enough for a gRPC
 * trailer, and nothing is stored.
 */
class HostileSubmitTest {
  private ReplicaCluster cluster;
  private Clients clients;

  @BeforeEach
  void start() throws Exception {
    cluster = new ReplicaCluster();
    SchedulerServer leader = cluster.replica(Duration.ofMinutes(30));
    ReplicaCluster.awaitLeading(leader);
    clients = cluster.track(new Clients(leader.address()));
  }

  @AfterEach
  void stop() throws Exception {
    cluster.close();
  }

  @Test
  void aSpecLargerThanTheLimitIsRefusedNamingTheKeyThatTakesIt() {
    JobSpec.Builder spec = Clients.spec("big", 1).toBuilder();
    for (int i = 0; i < 100; i++) {
      spec.putEnv("V" + i, "x".repeat(SpecLimits.MAX_ENV_VALUE_LENGTH));
    }
    Status status = refused(spec.build());

    assertThat(status.getDescription()).startsWith("spec.env: the spec is").contains("256 KiB");
    assertThat(storedJobs()).isZero();
  }

  @Test
  void manyBadArgumentsGiveAShortAnswerNamingThem() {
    JobSpec.Builder spec = Clients.spec("nul", 1).toBuilder();
    for (int i = 0; i < SpecLimits.MAX_ARGS - 1; i++) {
      spec.addCommand("a\0" + "\u00e9".repeat(100));
    }
    Status status = refused(spec.build());

    assertThat(status.getDescription())
        .startsWith("spec.command[1]: must not contain a NUL character")
        .contains("more problems not listed")
        .hasSizeLessThan(4096);
    assertThat(storedJobs()).isZero();
  }

  @Test
  void anInvalidDurationAndAPastDeadlineAreRefusedByKey() {
    JobSpec badRuntime =
        Clients.spec("d", 1).toBuilder()
            .setMaxRuntime(
                com.google.protobuf.Duration.newBuilder().setSeconds(5).setNanos(2_000_000_000))
            .build();
    JobSpec epochDeadline =
        Clients.spec("d", 1).toBuilder()
            .setDeadline(com.google.protobuf.Timestamp.newBuilder().setSeconds(0))
            .build();

    assertThat(refused(badRuntime).getDescription())
        .startsWith("spec.maxRuntime: is not a valid duration (seconds 5, nanos 2000000000)");
    assertThat(refused(epochDeadline).getDescription())
        .startsWith("spec.deadline: 1970-01-01T00:00:00Z has passed");
    assertThat(storedJobs()).isZero();
  }

  @Test
  void unknownStatesInListFiltersAreRefusedByField() {
    StatusRuntimeException jobs =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () ->
                clients.jobs.listJobs(
                    ListJobsRequest.newBuilder()
                        .addStates(io.tern.api.v1.JobState.JOB_STATE_PENDING)
                        .addStatesValue(42)
                        .build()));
    StatusRuntimeException nodes =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () ->
                clients.cluster.listNodes(
                    io.tern.api.v1.ListNodesRequest.newBuilder()
                        .addStates(io.tern.api.v1.NodeState.NODE_STATE_UNSPECIFIED)
                        .build()));

    assertThat(jobs.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(jobs.getStatus().getDescription())
        .startsWith("states[1]: 42 is not a JobState; use one of JOB_STATE_PENDING,");
    assertThat(nodes.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(nodes.getStatus().getDescription())
        .startsWith("states[0]: NODE_STATE_UNSPECIFIED matches nothing; use one of");
  }

  @Test
  void hostileNamesWorkdirsAndEnvAreRefusedByKey() {
    assertThat(refused(Clients.spec("../../etc", 1)).getDescription()).startsWith("spec.name:");
    assertThat(
            refused(Clients.spec("w", 1).toBuilder().setWorkdir("/data/../../root").build())
                .getDescription())
        .startsWith("spec.workdir:");
    assertThat(
            refused(Clients.spec("e", 1).toBuilder().putEnv("LD_PRELOAD=x", "y").build())
                .getDescription())
        .startsWith("spec.env.LD_PRELOAD=x:");
    assertThat(storedJobs()).isZero();
  }

  private Status refused(JobSpec spec) {
    StatusRuntimeException e =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () -> clients.jobsNow().submitJob(SubmitJobRequest.newBuilder().setSpec(spec).build()));
    assertThat(e).as("expected SubmitJob to refuse the spec").isNotNull();
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    return e.getStatus();
  }

  private int storedJobs() {
    return clients.jobsNow().listJobs(ListJobsRequest.getDefaultInstance()).getJobsCount();
  }
}
