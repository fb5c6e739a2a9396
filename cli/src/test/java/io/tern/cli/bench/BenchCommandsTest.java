package io.tern.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.tern.api.v1.JobServiceGrpc;
import io.tern.api.v1.ListJobsRequest;
import io.tern.cli.TernCommand;
import io.tern.scheduler.server.SchedulerConfig;
import io.tern.scheduler.server.SchedulerServer;
import io.tern.scheduler.server.loop.SchedulerLoop;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.time.Duration;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;

/** The benchmarks run and report figures that agree with what they did (not how fast). */
class BenchCommandsTest {
  private static JsonNode run(String... args) throws Exception {
    StringWriter out = new StringWriter();
    var cli = TernCommand.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(new StringWriter(), true));
    int exit = cli.execute(args);
    assertThat(exit).as(out.toString()).isZero();
    return new ObjectMapper().readTree(out.toString());
  }

  @Test
  void placementBenchmarkPlacesJobsAndTimesPlans() throws Exception {
    JsonNode figures =
        run(
            "bench",
            "placement",
            "--nodes",
            "50",
            "--pending",
            "500",
            "--rounds",
            "3",
            "-o",
            "json");

    assertThat(figures.get("nodes").asInt()).isEqualTo(50);
    assertThat(figures.get("placements_per_second").asDouble()).isPositive();
    assertThat(figures.get("plan_ms_p99").asDouble())
        .isGreaterThanOrEqualTo(figures.get("plan_ms_p50").asDouble());
  }

  @Test
  void submitBenchmarkSubmitsEveryJobDurably() throws Exception {
    try (TestingServer zk = new TestingServer(true);
        SchedulerServer server =
            new SchedulerServer(SchedulerConfig.local(zk.getConnectString(), 0), Clock.systemUTC())
                .start()) {
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> server.loop().role().get() == SchedulerLoop.Role.LEADER);

      JsonNode figures =
          run(
              "bench",
              "submit",
              "--scheduler",
              server.address(),
              "--jobs",
              "300",
              "--concurrency",
              "16",
              "--warmup",
              "40",
              "-o",
              "json");

      assertThat(figures.get("jobs").asInt()).isEqualTo(300);
      assertThat(figures.get("warmup").asInt()).isEqualTo(40);
      assertThat(figures.get("failed").asInt()).isZero();
      assertThat(figures.get("latency_ms_p99").asDouble())
          .isGreaterThanOrEqualTo(figures.get("latency_ms_p50").asDouble());
      var channel = NettyChannelBuilder.forTarget(server.address()).usePlaintext().build();
      try {
        assertThat(
                JobServiceGrpc.newBlockingStub(channel)
                    .listJobs(ListJobsRequest.newBuilder().setPageSize(1000).build())
                    .getJobsCount())
            .isEqualTo(340);
      } finally {
        channel.shutdownNow();
      }
    }
  }
}
