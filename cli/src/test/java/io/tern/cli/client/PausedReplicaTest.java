package io.tern.cli.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.tern.api.v1.Job;
import io.tern.api.v1.JobServiceGrpc;
import io.tern.api.v1.SubmitJobRequest;
import io.tern.api.v1.SubmitJobResponse;
import io.tern.cli.testing.TernInProcess;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A replica that stops in the middle of a call (SIGSTOP, a frozen VM: its connection stays open and
 * nothing more comes from it) does not hold the call for ever: the client's keepalive ping goes
 * unanswered, the connection is dropped and the call goes to the next replica. The paused replica
 * is a real scheduler stand-in behind a proxy that stops passing bytes, both ways, once the call
 * has reached it.
 */
class PausedReplicaTest {
  private Server paused;
  private Server next;
  private LoopbackProxy proxy;
  private final CountDownLatch reached = new CountDownLatch(1);

  @BeforeEach
  void start() throws IOException {
    paused = stub(new StandIn("job-000001", true)).build().start();
    next = stub(new StandIn("job-000002", false)).build().start();
    proxy = new LoopbackProxy(paused.getPort());
  }

  @AfterEach
  void stop() throws IOException {
    proxy.close();
    paused.shutdownNow();
    next.shutdownNow();
  }

  @Test
  void aSubmitInFlightWhenItsReplicaPausesGoesOnToTheNext() {
    String replicas = "127.0.0.1:" + proxy.port() + ",127.0.0.1:" + next.getPort();
    long start = System.nanoTime();

    TernInProcess run =
        assertTimeoutPreemptively(
            Duration.ofSeconds(40),
            () ->
                TernInProcess.run(
                    "submit",
                    "--scheduler",
                    replicas,
                    "--no-workdir",
                    "--name",
                    "probe",
                    "--team",
                    "vision",
                    "--",
                    "true"));
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    assertThat(reached.getCount()).as("the call reached the replica that paused").isZero();
    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(run.out().strip()).isEqualTo("job-000002");
    // One keepalive and its timeout, not the pause's length.
    assertThat(took)
        .isLessThan(
            SchedulerClient.KEEPALIVE.plus(SchedulerClient.KEEPALIVE_TIMEOUT).plusSeconds(10));
  }

  private static NettyServerBuilder stub(StandIn service) {
    return NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .permitKeepAliveTime(5, TimeUnit.SECONDS)
        .addService(service);
  }

  /** Answers a submit with its job id; the one that pauses freezes its proxy and never answers. */
  private final class StandIn extends JobServiceGrpc.JobServiceImplBase {
    private final String id;
    private final boolean pauses;

    StandIn(String id, boolean pauses) {
      this.id = id;
      this.pauses = pauses;
    }

    @Override
    public void submitJob(SubmitJobRequest request, StreamObserver<SubmitJobResponse> answer) {
      if (pauses) {
        proxy.freeze();
        reached.countDown();
        return;
      }
      answer.onNext(
          SubmitJobResponse.newBuilder()
              .setJob(Job.newBuilder().setId(id).setSpec(request.getSpec()))
              .build());
      answer.onCompleted();
    }
  }
}
