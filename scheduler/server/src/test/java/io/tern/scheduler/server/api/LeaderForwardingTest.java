package io.tern.scheduler.server.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.tern.api.v1.GetJobRequest;
import io.tern.api.v1.Job;
import io.tern.api.v1.JobServiceGrpc;
import io.tern.api.v1.WatchJobRequest;
import io.tern.scheduler.server.leader.LeaderElector;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The relay alone, over real loopback gRPC: a "leader" that records what reaches it, and a standby
 * that relays to it.
 */
class LeaderForwardingTest {
  private final List<AutoCloseable> closing = new ArrayList<>();
  private final AtomicReference<Metadata> leaderHeard = new AtomicReference<>();
  private final AtomicReference<Deadline> leaderDeadline = new AtomicReference<>();

  @AfterEach
  void close() throws Exception {
    for (int i = closing.size() - 1; i >= 0; i--) {
      closing.get(i).close();
    }
  }

  /** Answers GetJob with the job asked for, and WatchJob with {@code n} versions of it. */
  private static final class FakeLeader extends JobServiceGrpc.JobServiceImplBase {
    @Override
    public void getJob(GetJobRequest request, StreamObserver<Job> observer) {
      if (request.getJobId().equals("job-000412")) {
        Metadata trailers = new Metadata();
        trailers.put(GrpcErrors.LEADER, "127.0.0.1:2");
        observer.onError(
            Status.FAILED_PRECONDITION
                .withDescription("not the leader; the leader is 127.0.0.1:2")
                .asRuntimeException(trailers));
        return;
      }
      if (request.getJobId().equals("job-000404")) {
        Metadata trailers = new Metadata();
        trailers.put(Metadata.Key.of("why", Metadata.ASCII_STRING_MARSHALLER), "gone");
        observer.onError(Status.NOT_FOUND.withDescription("no job").asRuntimeException(trailers));
        return;
      }
      observer.onNext(Job.newBuilder().setId(request.getJobId()).build());
      observer.onCompleted();
    }

    @Override
    public void watchJob(WatchJobRequest request, StreamObserver<Job> observer) {
      for (int i = 0; i < 200; i++) {
        observer.onNext(
            Job.newBuilder().setId(request.getJobId()).setPendingReason("v" + i).build());
      }
      observer.onCompleted();
    }
  }

  private Server start(io.grpc.ServerServiceDefinition service) throws Exception {
    Server server =
        Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
            .addService(service)
            .build()
            .start();
    closing.add(
        () -> {
          server.shutdownNow();
          server.awaitTermination(5, TimeUnit.SECONDS);
        });
    return server;
  }

  private JobServiceGrpc.JobServiceBlockingStub standby() throws Exception {
    ServerInterceptor recording =
        new ServerInterceptor() {
          @Override
          public <Q, R> ServerCall.Listener<Q> interceptCall(
              ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
            leaderHeard.set(headers);
            leaderDeadline.set(Context.current().getDeadline());
            return next.startCall(call, headers);
          }
        };
    Server leader = start(ServerInterceptors.intercept(new FakeLeader(), recording));
    leaderServer = leader;
    String leaderAddress = "127.0.0.1:" + leader.getPort();
    LeaderElector follower =
        new LeaderElector() {
          @Override
          public void start(Listener listener) {}

          @Override
          public boolean isLeader() {
            return false;
          }

          @Override
          public Optional<String> leaderAddress() {
            return Optional.of(leaderAddress);
          }

          @Override
          public void close() {}
        };
    LeaderForwarding forwarding =
        new LeaderForwarding(follower, "127.0.0.1:1", InsecureChannelCredentials.create());
    closing.add(forwarding);
    // The standby's own JobService would fail every call: only the relay can answer.
    Server standby =
        start(
            RawServices.forwardedToLeader(
                new JobServiceGrpc.JobServiceImplBase() {}.bindService(), forwarding));
    ManagedChannel channel =
        Grpc.newChannelBuilder(
                "127.0.0.1:" + standby.getPort(), InsecureChannelCredentials.create())
            .build();
    closing.add(channel::shutdownNow);
    Metadata headers = new Metadata();
    headers.put(
        Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer tern_x_y");
    headers.put(Metadata.Key.of("trace-bin", Metadata.BINARY_BYTE_MARSHALLER), new byte[] {1, 2});
    return JobServiceGrpc.newBlockingStub(channel)
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
  }

  @Test
  void aUnaryCallReachesTheLeaderWithTheCallersMetadataAndDeadline() throws Exception {
    JobServiceGrpc.JobServiceBlockingStub jobs = standby();

    Job job =
        jobs.withDeadlineAfter(20, TimeUnit.SECONDS)
            .getJob(GetJobRequest.newBuilder().setJobId("job-000001").build());

    assertThat(job.getId()).isEqualTo("job-000001");
    Metadata heard = leaderHeard.get();
    assertThat(heard.get(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER)))
        .isEqualTo("Bearer tern_x_y");
    assertThat(heard.get(Metadata.Key.of("trace-bin", Metadata.BINARY_BYTE_MARSHALLER)))
        .containsExactly(1, 2);
    assertThat(heard.get(LeaderForwarding.FORWARDED)).isEqualTo("127.0.0.1:1");
    assertThat(leaderDeadline.get()).isNotNull();
    assertThat(leaderDeadline.get().timeRemaining(TimeUnit.SECONDS)).isBetween(10L, 20L);
  }

  @Test
  void theLeadersStatusAndTrailersComeBackAsTheyAre() throws Exception {
    StatusRuntimeException e =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () -> standby().getJob(GetJobRequest.newBuilder().setJobId("job-000404").build()));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
    assertThat(e.getStatus().getDescription()).isEqualTo("no job");
    assertThat(e.getTrailers().get(Metadata.Key.of("why", Metadata.ASCII_STRING_MARSHALLER)))
        .isEqualTo("gone");
  }

  @Test
  void aRelayToAReplicaThatStoppedLeadingIsARetryableOutage() throws Exception {
    StatusRuntimeException e =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () -> standby().getJob(GetJobRequest.newBuilder().setJobId("job-000412").build()));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(e.getStatus().getDescription())
        .isEqualTo(
            "the leader changed while the call was relayed (not the leader; the leader is"
                + " 127.0.0.1:2); retry");
    assertThat(e.getTrailers().get(GrpcErrors.NOT_TAKEN))
        .as("the call was not taken: a client may send it again")
        .isEqualTo("leader-changed");
    assertThat(e.getTrailers().containsKey(GrpcErrors.LEADER))
        .as("not a redirect to follow")
        .isFalse();
  }

  private Server leaderServer;

  @Test
  void aLeaderThatDoesNotAnswerIsNamedInTheOutage() throws Exception {
    JobServiceGrpc.JobServiceBlockingStub jobs = standby();
    int port = leaderServer.getPort();
    leaderServer.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);

    StatusRuntimeException e =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () -> jobs.getJob(GetJobRequest.newBuilder().setJobId("job-000001").build()));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(e.getStatus().getDescription())
        .startsWith("this replica relays to the leader at 127.0.0.1:" + port)
        .contains(", which did not answer (")
        .endsWith("); retry");
  }

  @Test
  void aStreamIsRelayedWholeAndInOrder() throws Exception {
    List<String> versions = new ArrayList<>();
    standby()
        .withDeadlineAfter(20, TimeUnit.SECONDS)
        .watchJob(WatchJobRequest.newBuilder().setJobId("job-000001").build())
        .forEachRemaining(job -> versions.add(job.getPendingReason()));

    assertThat(versions).hasSize(200).startsWith("v0", "v1").endsWith("v199");
  }
}
