package io.tern.cli.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.stub.StreamObserver;
import io.tern.api.v1.AgentMessage;
import io.tern.api.v1.AgentServiceGrpc;
import io.tern.api.v1.Registered;
import io.tern.api.v1.SchedulerMessage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code tern agent} end to end over real TCP (Netty) against a stub leader. */
class AgentCommandRunTest {
  @TempDir Path workDir;
  private final List<AgentMessage> received = new CopyOnWriteArrayList<>();
  private Server server;

  @AfterEach
  void stopServer() {
    if (server != null) {
      server.shutdownNow();
    }
  }

  @Test
  void registersSendsTelemetryAndClosesOnStop() throws Exception {
    server =
        Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
            .addService(new StubLeader())
            .build()
            .start();
    AgentCommand command = new AgentCommand();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = new CommandLine(command);
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    cli.parseArgs(
        "--scheduler",
        "127.0.0.1:" + server.getPort(),
        "--node-id",
        "e2e-1",
        "--capacity",
        "spot",
        "--gpus",
        "sim:2xL4",
        "--work-dir",
        workDir.toString(),
        "--checkpoint-store",
        workDir.resolve("checkpoints").toString(),
        "--imds-endpoint",
        "http://127.0.0.1:1338",
        "--metrics-port",
        "0");
    CountDownLatch stop = new CountDownLatch(1);
    CountDownLatch closed = new CountDownLatch(1);

    CompletableFuture<Integer> exit =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return command.run(command.settings(), stop, closed);
              } catch (InterruptedException e) {
                throw new IllegalStateException(e);
              }
            });

    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> received.stream().filter(AgentMessage::hasTelemetry).count() >= 2);
    // The line is printed once the agent has started, which its first reports may beat.
    await().atMost(Duration.ofSeconds(30)).until(() -> out.toString().contains("node agent "));
    AgentMessage register = received.getFirst();
    assertThat(register.getRegister().getNodeId()).isEqualTo("e2e-1");
    assertThat(register.getRegister().getGpusList()).hasSize(2);
    assertThat(out.toString()).startsWith("node agent e2e-1 (sim:2xL4:24, CAPACITY_TYPE_SPOT)");
    assertThat(out.toString())
        .contains("; checkpoints in " + workDir.resolve("checkpoints"))
        .contains("; spot notices from http://127.0.0.1:1338");
    assertThat(workDir.resolve("checkpoints"))
        .as("an agent makes no store it is given: it may be a volume not mounted")
        .doesNotExist();

    // The agent's own metrics: each GPU, the job processes, the checkpoint store's timings.
    java.util.regex.Matcher port =
        java.util.regex.Pattern.compile("metrics on :(\\d+)/metrics").matcher(out.toString());
    assertThat(port.find()).as(out.toString()).isTrue();
    String metrics =
        java.net.http.HttpClient.newHttpClient()
            .send(
                java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create("http://127.0.0.1:" + port.group(1) + "/metrics"))
                    .build(),
                java.net.http.HttpResponse.BodyHandlers.ofString())
            .body();
    for (String family : io.tern.agent.metrics.AgentMetrics.families()) {
      assertThat(metrics).contains("# TYPE " + family + " ");
    }
    assertThat(metrics)
        .contains(
            "tern_agent_gpu_utilization_ratio{gpu=\"0\",model=\"L4\",node=\"e2e-1\",uuid=",
            "tern_agent_gpu_utilization_ratio{gpu=\"1\",model=\"L4\",node=\"e2e-1\",uuid=",
            "tern_agent_gpu_memory_total_bytes{gpu=\"0\",model=\"L4\",node=\"e2e-1\",uuid=",
            "tern_agent_job_processes{node=\"e2e-1\"} 0.0",
            "tern_agent_connected{node=\"e2e-1\"} 1.0",
            "tern_agent_checkpoint_commit_seconds_count 0");

    stop.countDown();
    assertThat(exit.get(30, TimeUnit.SECONDS)).isZero();
    assertThat(closed.getCount()).isZero();
  }

  private final class StubLeader extends AgentServiceGrpc.AgentServiceImplBase {
    @Override
    public StreamObserver<AgentMessage> connect(StreamObserver<SchedulerMessage> agent) {
      return new StreamObserver<>() {
        @Override
        public void onNext(AgentMessage message) {
          received.add(message);
          if (message.hasRegister()) {
            agent.onNext(
                SchedulerMessage.newBuilder()
                    .setEpoch(1)
                    .setRegistered(Registered.newBuilder().setEpoch(1).setTelemetryIntervalMs(50))
                    .build());
          }
        }

        @Override
        public void onError(Throwable t) {}

        @Override
        public void onCompleted() {
          agent.onCompleted();
        }
      };
    }
  }
}
