package io.tern.cli.scale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.tern.api.v1.ClusterServiceGrpc;
import io.tern.api.v1.GetJobRequest;
import io.tern.api.v1.Job;
import io.tern.api.v1.JobServiceGrpc;
import io.tern.api.v1.JobSpec;
import io.tern.api.v1.JobState;
import io.tern.api.v1.ListNodesRequest;
import io.tern.api.v1.Node;
import io.tern.api.v1.NodeState;
import io.tern.api.v1.Resources;
import io.tern.api.v1.SubmitJobRequest;
import io.tern.cli.testing.TernProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tern scheduler --cloud local --pools FILE} as a real process: a job that fits no node
 * makes the leader start a {@code tern agent} process in the pool, the job runs there, and the
 * agent is stopped once it has been idle past the grace.
 */
class LocalAutoscaleTest {
  private static final Duration WAIT = Duration.ofSeconds(40);

  @TempDir Path dir;
  private TestingServer zk;
  private TernProcess scheduler;
  private ManagedChannel channel;
  private final List<ProcessHandle> started = new ArrayList<>();

  @AfterEach
  void stopAll() throws Exception {
    if (channel != null) {
      channel.shutdownNow();
    }
    if (scheduler != null) {
      scheduler.close();
    }
    started.forEach(ProcessHandle::destroyForcibly);
    if (zk != null) {
      zk.close();
    }
  }

  @Test
  void aQueuedJobStartsAnAgentInThePoolThatIsStoppedWhenIdle() throws Exception {
    zk = new TestingServer(true);
    Path pools = dir.resolve("pools.yaml");
    Files.writeString(
        pools,
        """
        pools:
          - id: l4-local
            capacity: on-demand
            gpus: sim:2xL4:24
            pricePerHourUsd: 0.8
            maxNodes: 2
        scaling:
          idleGraceSeconds: 2
        """);
    int port = TernProcess.freePort();
    scheduler =
        TernProcess.start(
            dir,
            "scheduler",
            "scheduler",
            "--zk",
            zk.getConnectString(),
            "--port",
            "" + port,
            "--advertise",
            "127.0.0.1",
            "--metrics-port",
            "-1",
            "--cloud",
            "local",
            "--pools",
            pools.toString(),
            "--local-dir",
            dir.resolve("cloud").toString());
    scheduler.awaitOutput("scheduler replica", WAIT);
    channel =
        Grpc.newChannelBuilder("127.0.0.1:" + port, InsecureChannelCredentials.create()).build();
    var jobs = JobServiceGrpc.newBlockingStub(channel);
    var cluster = ClusterServiceGrpc.newBlockingStub(channel);
    JobSpec spec =
        JobSpec.newBuilder()
            .setName("hello")
            .setTeam("scale")
            .addAllCommand(List.of("bash", "-c", "echo hello"))
            .setResources(Resources.newBuilder().setGpus(2).setNodes(1))
            .build();
    String id =
        await()
            .atMost(WAIT)
            .ignoreExceptions()
            .until(
                () ->
                    jobs.withDeadlineAfter(5, TimeUnit.SECONDS)
                        .submitJob(SubmitJobRequest.newBuilder().setSpec(spec).build())
                        .getJob()
                        .getId(),
                v -> !v.isEmpty());
    scheduler.awaitOutput("launched node", WAIT);
    // Kill whatever the scheduler started, even if the test fails half way.
    ProcessHandle.of(scheduler.pid()).ifPresent(p -> p.descendants().forEach(started::add));

    Job done =
        await()
            .atMost(WAIT)
            .until(
                () -> jobs.getJob(GetJobRequest.newBuilder().setJobId(id).build()),
                j -> j.getState() == JobState.JOB_STATE_SUCCEEDED);
    String nodeId = done.getAttempts(0).getNodeIds(0);
    assertThat(nodeId).startsWith("local-");
    assertThat(done.getAttempts(0).getPool()).isEqualTo("l4-local");

    Node node =
        await()
            .atMost(WAIT)
            .until(
                () ->
                    cluster.listNodes(ListNodesRequest.getDefaultInstance()).getNodesList().stream()
                        .filter(n -> n.getId().equals(nodeId))
                        .findFirst()
                        .orElseThrow(),
                n -> n.getState() == NodeState.NODE_STATE_LOST);
    assertThat(node.getPool()).isEqualTo("l4-local");
    assertThat(scheduler.output()).contains("terminating node " + nodeId);
    await().atMost(WAIT).until(() -> started.stream().noneMatch(ProcessHandle::isAlive));
  }
}
