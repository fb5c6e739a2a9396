package io.tern.cli.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.google.protobuf.ByteString;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.stub.StreamObserver;
import io.tern.api.v1.Job;
import io.tern.api.v1.JobServiceGrpc;
import io.tern.api.v1.ListJobsRequest;
import io.tern.api.v1.ListJobsResponse;
import io.tern.api.v1.LogChunk;
import io.tern.api.v1.StreamLogsRequest;
import io.tern.api.v1.SubmitJobRequest;
import io.tern.api.v1.SubmitJobResponse;
import io.tern.cli.TernCommand;
import io.tern.cli.testing.TernInProcess;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A replica whose kernel accepts the connection but whose process never answers (stopped with
 * {@code kill -STOP}, or hung) counts as not reached after {@link SchedulerClient#REACH_PATIENCE}:
 * the client goes on to the next replica, or fails in one line when there is none, and a stream
 * from the replica that answers is not cut short by that patience. Each run has a bound: before the
 * fix these calls waited forever.
 */
class SilentReplicaTest {
  /** Accepts connections (the kernel's backlog) and never reads or writes: a stopped process. */
  private ServerSocket silent;

  /** A stand-in scheduler: lists no jobs; streams a log in two chunks, a patience apart. */
  private Server scheduler;

  @BeforeEach
  void start() throws IOException {
    silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    scheduler =
        Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
            .addService(new StandIn())
            .build()
            .start();
  }

  @AfterEach
  void stop() throws IOException {
    scheduler.shutdownNow();
    silent.close();
  }

  private String silentAddress() {
    return "127.0.0.1:" + silent.getLocalPort();
  }

  private String schedulerAddress() {
    return "127.0.0.1:" + scheduler.getPort();
  }

  /** Runs {@code tern args...}, failing the test if it has not ended within the seconds given. */
  private static TernInProcess within(int seconds, String... args) {
    return assertTimeoutPreemptively(Duration.ofSeconds(seconds), () -> TernInProcess.run(args));
  }

  @Test
  void listGoesPastASilentReplicaToTheNext() {
    String replicas = silentAddress() + "," + schedulerAddress();

    TernInProcess run = within(10, "list", "-o", "json", "--scheduler", replicas, "--wait", "2");

    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(run.out()).contains("{");
  }

  @Test
  void aGivenWaitEndsOnTimeAgainstASilentReplicaNotOneHandshakeLater() {
    long start = System.nanoTime();

    TernInProcess run = within(20, "list", "--scheduler", silentAddress(), "--wait", "5");
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    assertThat(run.exit()).isEqualTo(TernCommand.EXIT_FAILURE);
    assertThat(took).isGreaterThanOrEqualTo(Duration.ofSeconds(5));
    // The last try waits for its handshake only until the deadline (it used to wait 3 s more).
    assertThat(took).isLessThan(Duration.ofMillis(7_500));
  }

  @Test
  void withOnlySilentReplicasTheClientFailsSayingNoneAnswered() throws IOException {
    try (ServerSocket another = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      String second = "127.0.0.1:" + another.getLocalPort();
      String replicas = silentAddress() + "," + second;
      long start = System.nanoTime();

      TernInProcess run = within(15, "list", "--scheduler", replicas);
      Duration took = Duration.ofNanos(System.nanoTime() - start);

      assertThat(run.exit()).isEqualTo(TernCommand.EXIT_FAILURE);
      assertThat(run.err())
          .startsWith("tern list: no scheduler answered at " + silentAddress() + ", " + second)
          .contains("the connection was accepted but nothing answered within 3 s");
      assertThat(run.err().strip()).doesNotContain("\n");
      // One patience per silent replica, not the 15 s of --wait.
      assertThat(took).isLessThan(SchedulerClient.REACH_PATIENCE.multipliedBy(2).plusSeconds(2));
    }
  }

  @Test
  void aStreamFromTheReplicaThatAnswersOutlivesThePatience() {
    String replicas = silentAddress() + "," + schedulerAddress();

    // About 7 s (the silent replica's patience, then two chunks a patience apart); the bound only
    // catches a wait without end, with room for a loaded host.
    TernInProcess run = within(45, "logs", "job-000001", "-f", "--scheduler", replicas);

    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(run.out()).isEqualTo("first\nsecond\n");
  }

  @Test
  void aSubmitConnectedAheadToASilentReplicaGoesOnToTheNext() {
    // tern submit starts connecting to the first replica while it reads the spec.
    String replicas = silentAddress() + "," + schedulerAddress();

    TernInProcess run =
        within(
            10,
            "submit",
            "--scheduler",
            replicas,
            "--no-workdir",
            "--name",
            "probe",
            "--team",
            "vision",
            "--",
            "true");

    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(run.out().strip()).isEqualTo("job-000042");
  }

  @Test
  void aSpecRefusedWhileConnectingAheadToASilentReplicaEndsAtOnce() {
    long start = System.nanoTime();

    TernInProcess run =
        within(
            10,
            "submit",
            "--scheduler",
            silentAddress(),
            "--name",
            "probe",
            "--team",
            "vision",
            "--gpus",
            "-1",
            "--",
            "true");
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    assertThat(run.exit()).isEqualTo(TernCommand.EXIT_BAD_INPUT);
    assertThat(run.err()).contains("--gpus");
    assertThat(took).isLessThan(SchedulerClient.REACH_PATIENCE);
  }

  private static final class StandIn extends JobServiceGrpc.JobServiceImplBase {
    @Override
    public void submitJob(SubmitJobRequest request, StreamObserver<SubmitJobResponse> answer) {
      answer.onNext(
          SubmitJobResponse.newBuilder()
              .setJob(Job.newBuilder().setId("job-000042").setSpec(request.getSpec()))
              .build());
      answer.onCompleted();
    }

    @Override
    public void listJobs(ListJobsRequest request, StreamObserver<ListJobsResponse> answer) {
      answer.onNext(ListJobsResponse.getDefaultInstance());
      answer.onCompleted();
    }

    @Override
    public void streamLogs(StreamLogsRequest request, StreamObserver<LogChunk> answer) {
      answer.onNext(chunk("first\n"));
      long later = SchedulerClient.REACH_PATIENCE.plusSeconds(1).toMillis();
      CompletableFuture.delayedExecutor(later, TimeUnit.MILLISECONDS)
          .execute(
              () -> {
                answer.onNext(chunk("second\n"));
                answer.onCompleted();
              });
    }

    private static LogChunk chunk(String text) {
      return LogChunk.newBuilder()
          .setAttempt(1)
          .setData(ByteString.copyFrom(text, StandardCharsets.UTF_8))
          .build();
    }
  }
}
