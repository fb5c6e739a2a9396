package io.tern.scheduler.server.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.StreamObserver;
import io.tern.scheduler.server.SchedulerServer;
import io.tern.scheduler.server.testing.ReplicaCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * gRPC health and reflection as a plain grpc-java client sees them (generated stubs of the standard
 * services, no Tern code), against real replicas on loopback and a real ZooKeeper that goes away.
 */
class HealthAndReflectionTest {
  private static final String JOBS = "tern.v1.JobService";
  private static final String ADMIN = "tern.v1.AdminService";
  private static final String AGENTS = "tern.v1.AgentService";
  private static final List<String> CLIENT_SERVICES =
      List.of("", JOBS, "tern.v1.ClusterService", "tern.v1.FinOpsService");
  private static final List<String> SCHEDULING =
      List.of("", JOBS, "tern.v1.ClusterService", "tern.v1.FinOpsService", AGENTS);

  private final List<ManagedChannel> channels = new ArrayList<>();

  @AfterEach
  void close() {
    channels.forEach(ManagedChannel::shutdownNow);
  }

  private ManagedChannel channel(SchedulerServer replica) {
    ManagedChannel channel =
        NettyChannelBuilder.forTarget("127.0.0.1:" + replica.port()).usePlaintext().build();
    channels.add(channel);
    return channel;
  }

  private static ServingStatus health(ManagedChannel channel, String service) {
    try {
      return HealthGrpc.newBlockingStub(channel)
          .withDeadlineAfter(5, TimeUnit.SECONDS)
          .check(HealthCheckRequest.newBuilder().setService(service).build())
          .getStatus();
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
        return ServingStatus.SERVICE_UNKNOWN;
      }
      throw e;
    }
  }

  @Test
  void healthFollowsLeadershipAndZooKeeper() throws Exception {
    try (ReplicaCluster cluster = new ReplicaCluster()) {
      SchedulerServer leader = cluster.leader();
      SchedulerServer standby = cluster.replica(Duration.ofSeconds(30));
      ManagedChannel toLeader = channel(leader);
      ManagedChannel toStandby = channel(standby);

      await()
          .atMost(ReplicaCluster.WAIT)
          .untilAsserted(
              () -> {
                for (String service : SCHEDULING) {
                  assertThat(health(toLeader, service))
                      .as(service)
                      .isEqualTo(ServingStatus.SERVING);
                }
                // A standby relays client calls to the leader; agents must stream to the leader.
                for (String service : CLIENT_SERVICES) {
                  assertThat(health(toStandby, service))
                      .as(service)
                      .isEqualTo(ServingStatus.SERVING);
                }
                assertThat(health(toStandby, AGENTS)).isEqualTo(ServingStatus.NOT_SERVING);
                assertThat(health(toLeader, ADMIN)).isEqualTo(ServingStatus.SERVING);
                assertThat(health(toStandby, ADMIN)).isEqualTo(ServingStatus.SERVING);
              });
      assertThat(health(toLeader, "tern.v1.NoSuchService"))
          .isEqualTo(ServingStatus.SERVICE_UNKNOWN);

      cluster.zooKeeper().stop();
      await()
          .atMost(ReplicaCluster.WAIT)
          .untilAsserted(
              () -> {
                for (ManagedChannel channel : List.of(toLeader, toStandby)) {
                  for (String service : SCHEDULING) {
                    assertThat(health(channel, service))
                        .as(service)
                        .isEqualTo(ServingStatus.NOT_SERVING);
                  }
                  assertThat(health(channel, ADMIN)).isEqualTo(ServingStatus.NOT_SERVING);
                }
              });

      cluster.zooKeeper().restart();
      await()
          .atMost(ReplicaCluster.WAIT)
          .untilAsserted(
              () ->
                  assertThat(
                          List.of(health(toLeader, AGENTS), health(toStandby, AGENTS)).stream()
                              .filter(s -> s == ServingStatus.SERVING)
                              .count())
                      .as("exactly one replica leads again")
                      .isEqualTo(1));
    }
  }

  @Test
  void reflectionAnswersInV1AndV1Alpha() throws Exception {
    try (ReplicaCluster cluster = new ReplicaCluster()) {
      ManagedChannel channel = channel(cluster.leader());

      CompletableFuture<ServerReflectionResponse> v1 = new CompletableFuture<>();
      StreamObserver<ServerReflectionRequest> requests =
          ServerReflectionGrpc.newStub(channel).serverReflectionInfo(into(v1));
      requests.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
      requests.onCompleted();

      CompletableFuture<io.grpc.reflection.v1alpha.ServerReflectionResponse> alpha =
          new CompletableFuture<>();
      @SuppressWarnings("deprecation")
      StreamObserver<io.grpc.reflection.v1alpha.ServerReflectionRequest> alphaRequests =
          io.grpc.reflection.v1alpha.ServerReflectionGrpc.newStub(channel)
              .serverReflectionInfo(into(alpha));
      alphaRequests.onNext(
          io.grpc.reflection.v1alpha.ServerReflectionRequest.newBuilder()
              .setListServices("")
              .build());
      alphaRequests.onCompleted();

      assertThat(
              v1.get(10, TimeUnit.SECONDS).getListServicesResponse().getServiceList().stream()
                  .map(ServiceResponse::getName))
          .contains(JOBS, ADMIN, "grpc.health.v1.Health");
      assertThat(
              alpha.get(10, TimeUnit.SECONDS).getListServicesResponse().getServiceList().stream()
                  .map(io.grpc.reflection.v1alpha.ServiceResponse::getName))
          .contains(JOBS, ADMIN, "grpc.health.v1.Health");
    }
  }

  private static <T> StreamObserver<T> into(CompletableFuture<T> first) {
    return new StreamObserver<>() {
      @Override
      public void onNext(T value) {
        first.complete(value);
      }

      @Override
      public void onError(Throwable t) {
        first.completeExceptionally(t);
      }

      @Override
      public void onCompleted() {
        first.completeExceptionally(new IllegalStateException("no answer"));
      }
    };
  }
}
