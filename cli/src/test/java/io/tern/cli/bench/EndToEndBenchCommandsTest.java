package io.tern.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.tern.api.v1.JobServiceGrpc;
import io.tern.api.v1.ListJobsRequest;
import io.tern.cli.TernClient;
import io.tern.cli.testing.TernInProcess;
import io.tern.scheduler.server.SchedulerConfig;
import io.tern.scheduler.server.SchedulerServer;
import io.tern.scheduler.server.loop.SchedulerLoop;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tern bench e2e} and {@code tern bench cli} at small sizes, with real processes: their
 * figures agree with what they did (not how fast).
 */
class EndToEndBenchCommandsTest {
  @TempDir Path dir;

  private static JsonNode run(String... args) throws Exception {
    TernInProcess run = TernInProcess.run(args);
    assertThat(run.exit()).as(run.out() + "\n" + run.err()).isZero();
    return new ObjectMapper().readTree(run.out());
  }

  @Test
  void e2eRunsEveryJobOnceOnAgentProcesses() throws Exception {
    JsonNode figures =
        run(
            "bench",
            "e2e",
            "--agents",
            "2",
            "--gpus-per-agent",
            "2",
            "--jobs",
            "12",
            "--warm-up",
            "5",
            "--work-dir",
            dir.toString(),
            "--timeout",
            "240",
            "-o",
            "json");

    assertThat(figures.get("jobs").asInt()).isEqualTo(12);
    assertThat(figures.get("warm_up_jobs").asInt()).isEqualTo(5);
    assertThat(figures.get("in_flight").asInt()).isEqualTo(8);
    assertThat(figures.get("succeeded").asInt()).isEqualTo(12);
    assertThat(figures.get("failed").asInt()).isZero();
    assertThat(figures.get("started_more_than_once").asInt()).isZero();
    assertThat(figures.get("jobs_per_second").asDouble()).isPositive();
    assertThat(figures.get("submit_to_start_ms_p99").asDouble())
        .isGreaterThanOrEqualTo(figures.get("submit_to_start_ms_p50").asDouble())
        .isPositive();
    assertThat(Path.of(figures.get("logs").asText())).isDirectory(); // --work-dir keeps them
    // The jobs really ran on the agents: each left a log there.
    try (var logs = Files.walk(dir.resolve("agents"))) {
      assertThat(logs.filter(p -> p.toString().endsWith(".log")).count()).isEqualTo(12 + 5);
    }
    // The CPU the processes used during the run: the agents and their job processes did work.
    assertThat(figures.get("cpu_seconds_agents").asDouble()).isPositive();
    assertThat(figures.get("cpu_seconds_jobs").asDouble()).isPositive();
    assertThat(figures.get("cpu_seconds_scheduler").asDouble()).isNotNegative();
    assertThat(figures.get("cpu_seconds_zk").asDouble()).isNotNegative();
  }

  @Test
  void e2eRemovesItsTemporaryDirectoryAfterACleanRun() throws Exception {
    TernInProcess run =
        TernInProcess.run(
            "bench", "e2e", "--agents", "1", "--gpus-per-agent", "1", "--jobs", "2", "-o", "json");
    assertThat(run.exit()).as(run.out() + "\n" + run.err()).isZero();
    java.util.regex.Matcher logs =
        java.util.regex.Pattern.compile("logs in (\\S+?); removed").matcher(run.err());
    assertThat(logs.find()).as(run.err()).isTrue();
    Path temporary = Path.of(logs.group(1)).getParent();
    assertThat(temporary.getFileName().toString()).startsWith("tern-bench-e2e");
    assertThat(temporary).doesNotExist();
    JsonNode figures = new ObjectMapper().readTree(run.out());
    assertThat(figures.get("succeeded").asInt()).isEqualTo(2);
    assertThat(figures.get("logs").isNull()).isTrue();
  }

  @Test
  void e2eRefusesAPortOutOfRangeNamingTheFlag() {
    TernInProcess run = TernInProcess.run("bench", "e2e", "--ports", "65535");
    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.err()).contains("--ports");
    TernInProcess warmUp = TernInProcess.run("bench", "e2e", "--warm-up", "-1");
    assertThat(warmUp.exit()).isEqualTo(2);
    assertThat(warmUp.err()).contains("--warm-up");
  }

  @Test
  void cliTimesEachCallOfALauncher() throws Exception {
    try (TestingServer zk = new TestingServer(true);
        SchedulerServer server =
            new SchedulerServer(SchedulerConfig.local(zk.getConnectString(), 0), Clock.systemUTC())
                .start()) {
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> server.loop().role().get() == SchedulerLoop.Role.LEADER);
      // The launcher under test: the client root as a process, as ./tern runs it.
      Path launcher = dir.resolve("tern");
      Files.writeString(
          launcher,
          "#!/bin/sh\nexec '"
              + Path.of(System.getProperty("java.home"), "bin", "java")
              + "' -XX:TieredStopAtLevel=1 -cp '"
              + System.getProperty("java.class.path")
              + "' "
              + TernClient.class.getName()
              + " \"$@\"\n");
      Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));

      JsonNode figures =
          run(
              "bench",
              "cli",
              "--tern",
              launcher.toString(),
              "--scheduler",
              server.address(),
              "--calls",
              "3",
              "--submits",
              "2",
              "-o",
              "json");

      assertThat(figures.get("calls")).hasSize(4);
      for (JsonNode call : figures.get("calls")) {
        assertThat(call.get("calls").asInt()).isEqualTo(3);
        assertThat(call.get("wall_ms_p50").asDouble()).isPositive();
        // A JVM start costs CPU time: a figure of 0 would mean the children went unmeasured.
        assertThat(call.get("cpu_ms_p50").asDouble()).as(call.toString()).isPositive();
        assertThat(call.get("wall_ms_max").asDouble())
            .isGreaterThanOrEqualTo(call.get("wall_ms_p50").asDouble());
      }
      assertThat(figures.get("sequential_submits").asInt()).isEqualTo(2);
      // 1 to find a job for status, 3 timed, 2 sequential: every submit reached the scheduler.
      ManagedChannel channel =
          NettyChannelBuilder.forTarget(server.address()).usePlaintext().build();
      try {
        var jobs =
            JobServiceGrpc.newBlockingStub(channel)
                .listJobs(ListJobsRequest.newBuilder().setTeam("bench").setPageSize(100).build());
        assertThat(jobs.getJobsCount()).isEqualTo(6);
      } finally {
        channel.shutdownNow();
      }
    }
  }
}
