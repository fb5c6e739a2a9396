package io.tern.cli.ha;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.StatusRuntimeException;
import io.tern.api.v1.GetJobRequest;
import io.tern.api.v1.Job;
import io.tern.api.v1.JobServiceGrpc;
import io.tern.api.v1.JobSpec;
import io.tern.api.v1.JobState;
import io.tern.api.v1.ListJobsRequest;
import io.tern.api.v1.Resources;
import io.tern.api.v1.SubmitJobRequest;
import io.tern.cli.client.SchedulerClient;
import io.tern.cli.testing.TernProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Leader failover with real processes: {@code tern zk}, two {@code tern scheduler} replicas and a
 * {@code tern agent} with simulated GPUs, on loopback. The leader is killed with -9 while jobs run
 * and wait; the standby must lead within 5 s and no job may be lost or run twice.
 */
class SchedulerFailoverEndToEndTest {
  @TempDir Path dir;
  private final List<TernProcess> processes = new ArrayList<>();

  @AfterEach
  void stopAll() {
    processes.forEach(TernProcess::close);
  }

  private TernProcess start(String name, String... args) {
    TernProcess p = TernProcess.start(dir, name, args);
    processes.add(p);
    return p;
  }

  private static JobSpec sleeper(String name, int gpus, int seconds) {
    return JobSpec.newBuilder()
        .setName(name)
        .setTeam("ha")
        .addAllCommand(List.of("bash", "-c", "echo started; sleep " + seconds + "; echo done"))
        .setResources(Resources.newBuilder().setGpus(gpus).setNodes(1))
        .build();
  }

  @Test
  void killingTheLeaderLosesAndDuplicatesNothing() throws Exception {
    int zkPort = TernProcess.freePort();
    int portA = TernProcess.freePort();
    int portB = TernProcess.freePort();
    String zk = "127.0.0.1:" + zkPort;
    start("zk", "zk", "--port", "" + zkPort, "--data", dir.resolve("zk").toString())
        .awaitOutput("ZooKeeper listening", Duration.ofSeconds(30));
    Map<String, TernProcess> replicas =
        Map.of(
            "127.0.0.1:" + portA, start("scheduler-a", schedulerArgs(zk, portA)),
            "127.0.0.1:" + portB, start("scheduler-b", schedulerArgs(zk, portB)));
    // A client fails fast where nothing listens yet: wait until both replicas serve.
    replicas.values().forEach(r -> r.awaitOutput("scheduler replica", Duration.ofSeconds(90)));
    String both = "127.0.0.1:" + portA + ",127.0.0.1:" + portB;
    Path workDir = dir.resolve("agent");
    start(
        "agent",
        "agent",
        "--scheduler",
        both,
        "--node-id",
        "node-1",
        "--capacity",
        "on-demand",
        "--gpus",
        "sim:4xA100:40",
        "--work-dir",
        workDir.toString());

    // A loaded machine may take seconds to answer a handshake: the test waits for its replicas.
    try (SchedulerClient client =
        new SchedulerClient(
            new io.tern.cli.client.ClientConfig(
                List.of("127.0.0.1:" + portA, "127.0.0.1:" + portB), null, null),
            Duration.ofSeconds(60),
            Duration.ofSeconds(60))) {
      List<String> running = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        JobSpec spec = sleeper("run-" + i, 2, 25);
        running.add(
            client.call(
                c ->
                    JobServiceGrpc.newBlockingStub(c)
                        .submitJob(SubmitJobRequest.newBuilder().setSpec(spec).build())
                        .getJob()
                        .getId()));
      }
      String queued =
          client.call(
              c ->
                  JobServiceGrpc.newBlockingStub(c)
                      .submitJob(
                          SubmitJobRequest.newBuilder().setSpec(sleeper("queued", 4, 1)).build())
                      .getJob()
                      .getId());
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () ->
                  running.stream().allMatch(id -> state(client, id) == JobState.JOB_STATE_RUNNING));
      String leader = client.currentAddress();
      String standby =
          replicas.keySet().stream().filter(a -> !a.equals(leader)).findFirst().orElseThrow();

      long killedAt = System.nanoTime();
      replicas.get(leader).kill();
      await()
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(50))
          .until(() -> answersAsLeader(standby));
      double takeoverSeconds = (System.nanoTime() - killedAt) / 1e9;
      System.out.printf(
          "standby %s led %.2f s after kill -9 of %s%n", standby, takeoverSeconds, leader);

      assertThat(takeoverSeconds).as("standby takes over within 5 s").isLessThan(5.0);
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> replicas.get(standby).output().contains("node node-1 registered"));
      for (String id : running) {
        Job job = job(client, id);
        assertThat(job.getState()).isEqualTo(JobState.JOB_STATE_RUNNING);
        assertThat(job.getAttemptsCount()).as("still its first attempt").isEqualTo(1);
      }
      Job waiting = job(client, queued);
      assertThat(waiting.getState()).isIn(JobState.JOB_STATE_PENDING, JobState.JOB_STATE_HELD);
      assertThat(waiting.getAttemptsCount()).isZero();
      assertThat(
              client
                  .call(
                      c ->
                          JobServiceGrpc.newBlockingStub(c)
                              .listJobs(ListJobsRequest.getDefaultInstance()))
                  .getJobsCount())
          .isEqualTo(3);
      // One attempt directory per running job on the agent: nothing ran twice.
      try (Stream<Path> attempts = Files.walk(workDir.resolve("jobs"), 2)) {
        assertThat(attempts.filter(p -> p.getFileName().toString().startsWith("attempt-")).count())
            .isEqualTo(2);
      }
    }
  }

  private static String[] schedulerArgs(String zk, int port) {
    return new String[] {
      "scheduler",
      "--zk",
      zk,
      "--port",
      "" + port,
      "--advertise",
      "127.0.0.1",
      "--metrics-port",
      "-1",
      "--node-lease",
      "20",
      "--zk-session-timeout",
      "2"
    };
  }

  private static JobState state(SchedulerClient client, String id) {
    return job(client, id).getState();
  }

  private static Job job(SchedulerClient client, String id) {
    return client.call(
        c ->
            JobServiceGrpc.newBlockingStub(c)
                .getJob(GetJobRequest.newBuilder().setJobId(id).build()));
  }

  private static boolean answersAsLeader(String address) {
    try (SchedulerClient direct = new SchedulerClient(List.of(address), Duration.ZERO)) {
      direct.call(
          c -> JobServiceGrpc.newBlockingStub(c).listJobs(ListJobsRequest.getDefaultInstance()));
      return true;
    } catch (StatusRuntimeException e) {
      return false;
    }
  }
}
