package io.tern.scheduler.server.cloud.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tern.scheduler.core.model.CapacityType;
import io.tern.scheduler.server.cloud.CloudInstance;
import io.tern.scheduler.server.cloud.LaunchFailure;
import io.tern.scheduler.server.cloud.LaunchRequest;
import io.tern.scheduler.server.cloud.LaunchResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalCloudConnectorTest {
  @TempDir Path dir;
  private LocalCloudConnector connector;

  private final LocalPool pool =
      new LocalPool("local-spot", CapacityType.SPOT, "sim:2xL4:24", 0.7, 2);

  /** A stand-in for the agent: starts a child, writes both pids, waits. */
  private AgentLaunchCommand shell(String trap) {
    return (nodeId, p) ->
        List.of(
            "sh",
            "-c",
            trap
                + " sleep 300 & echo $$ $! > '"
                + dir.resolve(nodeId + ".pids")
                + "'; echo node="
                + nodeId
                + " pool="
                + p.id()
                + " gpus="
                + p.gpus()
                + "; wait");
  }

  private LocalCloudConnector connector(AgentLaunchCommand command, Duration grace) {
    connector = new LocalCloudConnector(List.of(pool), command, dir, Clock.systemUTC(), grace);
    return connector;
  }

  @AfterEach
  void close() {
    if (connector != null) {
      connector.close();
    }
  }

  @Test
  void launchesProcessesUpToThePoolSizeThenReportsInsufficientCapacity() throws Exception {
    LocalCloudConnector c = connector(shell(""), Duration.ofSeconds(5));

    LaunchResult result = c.launch(LaunchRequest.of("local-spot", CapacityType.SPOT, 3, Map.of()));

    assertThat(result.launched()).hasSize(2);
    assertThat(result.launched())
        .allMatch(i -> i.poolId().equals("local-spot") && i.capacityType() == CapacityType.SPOT);
    assertThat(result.finalReason()).isEqualTo(LaunchFailure.Reason.INSUFFICIENT_CAPACITY);
    String id = result.launched().getFirst().id();
    assertThat(id).startsWith("local-" + ProcessHandle.current().pid() + "-");
    Path log = dir.resolve(id + ".log");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> Files.exists(log) && Files.readString(log).contains("node=" + id));
    assertThat(Files.readString(log)).contains("pool=local-spot gpus=sim:2xL4:24");
    assertThat(c.describe())
        .extracting(CloudInstance::state)
        .containsOnly(CloudInstance.State.RUNNING);
  }

  @Test
  void terminateStopsTheWholeProcessGroupAndFreesRoom() throws Exception {
    LocalCloudConnector c = connector(shell(""), Duration.ofSeconds(5));
    String id =
        c.launch(LaunchRequest.of("local-spot", CapacityType.SPOT, 1, Map.of()))
            .launched()
            .getFirst()
            .id();
    long[] pids = pids(id);

    c.terminate(List.of(id, "local-unknown"));

    await().atMost(Duration.ofSeconds(10)).until(() -> !alive(pids[0]) && !alive(pids[1]));
    assertThat(c.describe())
        .singleElement()
        .satisfies(i -> assertThat(i.state()).isEqualTo(CloudInstance.State.TERMINATED));
    assertThat(c.launch(LaunchRequest.of("local-spot", CapacityType.SPOT, 2, Map.of())).launched())
        .hasSize(2);
  }

  @Test
  void aProcessThatIgnoresSigtermIsKilledAfterTheGrace() throws Exception {
    LocalCloudConnector c = connector(shell("trap '' TERM;"), Duration.ofMillis(300));
    String id =
        c.launch(LaunchRequest.of("local-spot", CapacityType.SPOT, 1, Map.of()))
            .launched()
            .getFirst()
            .id();
    long[] pids = pids(id);

    c.terminate(List.of(id));

    await().atMost(Duration.ofSeconds(10)).until(() -> !alive(pids[0]) && !alive(pids[1]));
  }

  @Test
  void ternAgentCommandLine() {
    List<String> argv =
        AgentLaunchCommand.ternAgent(
                Path.of("/jdk/bin/java"), "/opt/tern.jar", "127.0.0.1:50051", dir)
            .argv("local-1-1", pool);
    assertThat(argv)
        .containsExactly(
            "/jdk/bin/java",
            "-cp",
            "/opt/tern.jar",
            "io.tern.cli.TernCommand",
            "agent",
            "--scheduler",
            "127.0.0.1:50051",
            "--node-id",
            "local-1-1",
            "--capacity",
            "spot",
            "--gpus",
            "sim:2xL4:24",
            "--pool",
            "local-spot",
            "--price",
            "0.7000",
            "--work-dir",
            dir.resolve("local-1-1").toString());
  }

  private long[] pids(String nodeId) {
    Path file = dir.resolve(nodeId + ".pids");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> Files.exists(file) && Files.readString(file).trim().split(" ").length == 2);
    try {
      String[] parts = Files.readString(file).trim().split(" ");
      return new long[] {Long.parseLong(parts[0]), Long.parseLong(parts[1])};
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static boolean alive(long pid) {
    return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }
}
