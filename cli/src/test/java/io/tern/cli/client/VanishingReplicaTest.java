package io.tern.cli.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.tern.api.v1.HasWorkdirRequest;
import io.tern.api.v1.HasWorkdirResponse;
import io.tern.api.v1.JobServiceGrpc;
import io.tern.api.v1.SubmitJobRequest;
import io.tern.api.v1.SubmitJobResponse;
import io.tern.api.v1.UploadWorkdirRequest;
import io.tern.api.v1.UploadWorkdirResponse;
import io.tern.api.v1.WorkdirServiceGrpc;
import io.tern.cli.testing.TernInProcess;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A replica that receives a submit and goes away before it answers (killed after its commit, or
 * stopped): the client cannot know whether the job exists, so it says the outcome is unknown and
 * gives the idempotency key that makes a second submit safe, never "the job was not submitted" or
 * "refused". The replica is a stand-in behind a TCP proxy that, as a kill -9 does, resets its
 * connections and stops listening once the submit has reached it.
 */
class VanishingReplicaTest {
  private Server replica;
  private LoopbackProxy proxy;
  private volatile boolean graceful;
  private volatile boolean leaderless;
  private volatile boolean storeGone;
  private final List<String> keys = new CopyOnWriteArrayList<>();
  private final java.util.concurrent.atomic.AtomicInteger uploads =
      new java.util.concurrent.atomic.AtomicInteger();

  @BeforeEach
  void start() throws IOException {
    replica =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .addService(
                new JobServiceGrpc.JobServiceImplBase() {
                  @Override
                  public void submitJob(
                      SubmitJobRequest request, StreamObserver<SubmitJobResponse> answer) {
                    keys.add(request.getIdempotencyKey());
                    if (leaderless) {
                      answer.onError(
                          Status.UNAVAILABLE
                              .withDescription(
                                  "no leader available: this replica lost its ZooKeeper"
                                      + " connection")
                              .asRuntimeException(notTaken()));
                    } else if (graceful) {
                      replica.shutdownNow(); // stopped: the call is cancelled, unanswered
                    } else {
                      proxy.cut(); // killed: connections reset, nothing listens
                    }
                  }
                })
            .addService(
                new WorkdirServiceGrpc.WorkdirServiceImplBase() {
                  @Override
                  public void hasWorkdir(
                      HasWorkdirRequest request, StreamObserver<HasWorkdirResponse> answer) {
                    if (storeGone) {
                      answer.onError(
                          Status.UNAVAILABLE
                              .withDescription(
                                  "the checkpoint store: checkpoint store /mnt/ckpt is missing (no"
                                      + " such folder): is it mounted?")
                              .asRuntimeException());
                      return;
                    }
                    answer.onNext(HasWorkdirResponse.newBuilder().setPresent(false).build());
                    answer.onCompleted();
                  }

                  @Override
                  public StreamObserver<UploadWorkdirRequest> uploadWorkdir(
                      StreamObserver<UploadWorkdirResponse> answer) {
                    return new StreamObserver<>() {
                      @Override
                      public void onNext(UploadWorkdirRequest chunk) {
                        uploads.incrementAndGet();
                        proxy.cut(); // killed during the upload, before any submit
                      }

                      @Override
                      public void onError(Throwable t) {}

                      @Override
                      public void onCompleted() {}
                    };
                  }
                })
            .build()
            .start();
    proxy = new LoopbackProxy(replica.getPort());
  }

  /** What the scheduler sends with an answer that says the call was not taken. */
  private static io.grpc.Metadata notTaken() {
    io.grpc.Metadata trailers = new io.grpc.Metadata();
    trailers.put(
        io.grpc.Metadata.Key.of(
            io.tern.scheduler.spec.ApiTrailers.NOT_TAKEN, io.grpc.Metadata.ASCII_STRING_MARSHALLER),
        "no-leader");
    return trailers;
  }

  @AfterEach
  void stop() {
    proxy.cut();
    replica.shutdownNow();
  }

  /** {@code tern submit} of a spec that ships a folder of code, through the proxy. */
  private TernInProcess submitSpecWithCode(Path project, String... extra) throws IOException {
    Files.createDirectories(project.resolve("code"));
    Files.writeString(project.resolve("code/train.py"), "print('step')\n");
    Path spec = project.resolve("job.yaml");
    Files.writeString(
        spec,
        "name: probe\nteam: vision\ncommand: [python3, train.py]\nworkdir: code\n"
            + "resources:\n  gpus: 1\n");
    List<String> args =
        new java.util.ArrayList<>(
            List.of("submit", "--scheduler", "127.0.0.1:" + proxy.port(), spec.toString()));
    args.addAll(1, List.of(extra));
    return assertTimeoutPreemptively(
        Duration.ofSeconds(40), () -> TernInProcess.run(args.toArray(String[]::new)));
  }

  private TernInProcess submit(String... extra) {
    String[] args =
        java.util.stream.Stream.concat(
                java.util.stream.Stream.of(
                    "submit",
                    "--scheduler",
                    "127.0.0.1:" + (graceful ? replicaPort : proxy.port()),
                    "--no-workdir",
                    "--name",
                    "probe",
                    "--team",
                    "vision"),
                java.util.stream.Stream.concat(
                    java.util.Arrays.stream(extra), java.util.stream.Stream.of("--", "true")))
            .toArray(String[]::new);
    return assertTimeoutPreemptively(Duration.ofSeconds(40), () -> TernInProcess.run(args));
  }

  @Test
  void aSubmitWhoseReplicaVanishesMidCallHasAnUnknownOutcomeAndASafeRetry() {
    TernInProcess run = submit();

    assertThat(keys).hasSize(1);
    assertThat(run.exit()).isEqualTo(1);
    assertThat(run.err())
        .contains("the submit's outcome is unknown")
        .contains("--idempotency-key " + keys.getFirst())
        .doesNotContain("was not submitted");
  }

  @Test
  void aReplicaStoppingMidCallLeavesTheOutcomeUnknownToo() {
    graceful = true;
    replicaPort = replica.getPort();

    TernInProcess run = submit();

    assertThat(keys).hasSize(1);
    assertThat(run.exit()).isEqualTo(1);
    assertThat(run.err())
        .contains("the submit's outcome is unknown")
        .contains("--idempotency-key " + keys.getFirst())
        .doesNotContain("refused");
  }

  private int replicaPort;

  @Test
  void theKeyGivenIsTheOneToRetryWith() {
    TernInProcess run = submit("--idempotency-key", "sweep-7");

    assertThat(keys).containsExactly("sweep-7");
    assertThat(run.err()).contains("--idempotency-key sweep-7");
  }

  @Test
  void aReplicaThatAnswersItHasNoLeaderTookNothing() {
    // Every try reached a replica, and each said it took nothing: the job was not submitted.
    leaderless = true;

    TernInProcess run = submit("--wait", "2");

    assertThat(keys).hasSizeGreaterThan(1);
    assertThat(run.exit()).isEqualTo(1);
    assertThat(run.err())
        .contains("the job was not submitted")
        .contains("no leader available")
        .doesNotContain("unknown");
  }

  @Test
  void aReplicaKilledDuringTheCodesUploadLeavesNoJob(@TempDir Path project) throws IOException {
    TernInProcess run = submitSpecWithCode(project);

    assertThat(uploads.get()).as(run.err()).isPositive();
    assertThat(keys).isEmpty(); // no submit was sent
    assertThat(run.exit()).isEqualTo(1);
    assertThat(run.err())
        .contains("the job was not submitted: its code's upload failed")
        .doesNotContain("unknown");
  }

  @Test
  void aLeaderWhoseStoreIsGoneIsSaidToBeSoNotToLackALeader(@TempDir Path project)
      throws IOException {
    storeGone = true;

    TernInProcess run = submitSpecWithCode(project, "--wait", "2");

    assertThat(keys).isEmpty();
    assertThat(run.exit()).isEqualTo(1);
    assertThat(run.err())
        .contains("the job was not submitted")
        .contains("could not do it within 2 s")
        .contains("is it mounted?")
        .doesNotContain("led within");
  }

  @Test
  void aSubmitThatReachedNothingWasNotSubmitted() {
    proxy.cut();

    TernInProcess run = submit();

    assertThat(keys).isEmpty();
    assertThat(run.exit()).isEqualTo(1);
    assertThat(run.err()).contains("the job was not submitted").doesNotContain("unknown");
  }
}
