package io.tern.cli.agent;

import static io.tern.cli.agent.TernRun.tern;
import static org.assertj.core.api.Assertions.assertThat;

import io.tern.agent.AgentRuntime;
import io.tern.agent.gpu.GpuProbeSpec;
import io.tern.agent.job.JobShim;
import io.tern.api.v1.CapacityType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

class AgentCommandTest {
  private static final List<String> GOOD =
      List.of(
          "agent",
          "--scheduler",
          "s1:50051,s2:50051",
          "--node-id",
          "gpu-07",
          "--capacity",
          "spot",
          "--gpus",
          "sim:8xH100");

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      value = {
        "gpu| --gpus: 'gpu' is neither; expected nvml or sim:COUNTxMODEL[:MEMGiB]",
        "sim:0xH100| --gpus: GPU count must be 1 to 64, got 0",
        "sim:8xFOO| --gpus: unknown model FOO: give its memory in GiB",
        "sim:8xH100:big| --gpus: 'sim:8xH100:big' is malformed",
        "\"\"| --gpus: empty"
      })
  void badGpusExitTwoNamingTheFlag(String gpus, String message) {
    TernRun run = tern(with("--gpus", gpus));
    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.err()).startsWith("tern agent: ").contains(message.strip());
    assertThat(run.out()).isEmpty();
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "--capacity| reserved| --capacity: expected spot or on-demand, got \"reserved\"",
        "--job-shim| python| --job-shim: expected auto, native or bash, got \"python\"",
        "--scheduler| s1:50051,s2| --scheduler: expected HOST:PORT[,HOST:PORT...], got \"s2\"",
        "--scheduler| s1:99999| --scheduler: expected HOST:PORT",
        "--scheduler| http://s1:50051| --scheduler: expected HOST:PORT[,HOST:PORT...], got \"http://s1:50051\" (no scheme: the client speaks gRPC)",
        "--node-id| ../x| --node-id: \"../x\" must be",
        "--price| -1| --price: must be 0 or more",
        "--imds-endpoint| 169.254.169.254| --imds-endpoint: \"169.254.169.254\" is not a usable URL",
        "--imds-endpoint| http://127.0.0.1:| --imds-endpoint: \"http://127.0.0.1:\" is not a usable URL (a colon but no port)",
        "--imds-endpoint| http://127.0.0.1:99999| (the port must be a number from 1 to 65535)",
        "--imds-endpoint| http://127.0.0.1:x| (the port must be a number from 1 to 65535)",
        "--imds-endpoint| http://:80| --imds-endpoint: \"http://:80\" is not a usable URL",
        "--imds-endpoint| ftp://127.0.0.1:21| (the scheme must be http or https)",
        "--checkpoint-store| s3://b/p?endpoint=http://127.0.0.1:| --checkpoint-store: endpoint http://127.0.0.1: in the location is not",
        "--stop-grace| -5| --stop-grace: must be 0 or more seconds",
        "--keep-finished| 5m| --keep-finished: must be at least 10m (e.g. 12h, 7d) or forever, got \"5m\"",
        "--keep-finished| a week| --keep-finished: expected a duration (e.g. 12h, 7d) or forever, got \"a week\"",
        "--keep-finished| 9999999999999999d| --keep-finished: expected a duration (e.g. 12h, 7d)",
        "--nvml-lib| /nonexistent/libnvidia-ml.so.1| --nvml-lib /nonexistent/libnvidia-ml.so.1: no such file"
      })
  void badFlagsExitTwoNamingTheFlag(String flag, String value, String message) {
    TernRun run = tern(with(flag, value));
    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.err()).contains(message.strip());
  }

  /**
   * Nothing listens on the endpoint: the agent does not start (a spot node that cannot read its
   * metadata never hears of a reclaim), and says why, naming the flag.
   */
  @Test
  void anUnreachableImdsAtStartExitsTwoNamingTheFlag() throws Exception {
    int port;
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    TernRun run = tern(with("--imds-endpoint", "http://127.0.0.1:" + port));
    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.err())
        .contains(
            "--imds-endpoint: no instance metadata service answers at http://127.0.0.1:" + port)
        .contains("never hears of a reclaim");
  }

  @Test
  void requiredFlagsAreRequired() {
    TernRun run = tern("agent", "--scheduler", "s1:50051", "--node-id", "n", "--capacity", "spot");
    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.err()).contains("Missing required option: '--gpus");
  }

  @Test
  void goodFlagsMakeTheAgentsConfig() {
    AgentCommand command = new AgentCommand();
    new CommandLine(command)
        .parseArgs(
            Stream.concat(
                    GOOD.stream().skip(1),
                    Stream.of(
                        "--pool",
                        "p4d.24xlarge/us-east-1a",
                        "--price",
                        "9.83",
                        "--label",
                        "rack=r7",
                        "--stop-grace",
                        "30",
                        "--keep-jobs-on-exit",
                        "--imds-endpoint",
                        "http://127.0.0.1:1338",
                        "--job-shim",
                        "bash"))
                .toArray(String[]::new));

    AgentRuntime.Settings settings = command.settings();

    assertThat(settings.gpus()).isEqualTo(new GpuProbeSpec.Simulated(8, "H100", 80));
    assertThat(settings.config().schedulers()).containsExactly("s1:50051", "s2:50051");
    assertThat(settings.config().nodeId()).isEqualTo("gpu-07");
    assertThat(settings.config().capacityType()).isEqualTo(CapacityType.CAPACITY_TYPE_SPOT);
    assertThat(settings.config().pool()).isEqualTo("p4d.24xlarge/us-east-1a");
    assertThat(settings.config().pricePerHourUsd()).isEqualTo(9.83);
    assertThat(settings.config().labels()).isEqualTo(Map.of("rack", "r7"));
    assertThat(settings.config().defaultGrace()).isEqualTo(Duration.ofSeconds(30));
    assertThat(settings.config().stopJobsOnClose()).isFalse();
    assertThat(settings.config().jobShim()).isEqualTo(JobShim.BASH);
    assertThat(settings.config().workDir())
        .isEqualTo(Path.of(System.getProperty("user.home"), ".tern", "agent", "gpu-07"));
    assertThat(settings.imdsEndpoint())
        .hasValueSatisfying(u -> assertThat(u.getPort()).isEqualTo(1338));
    assertThat(settings.imdsInterval()).isEqualTo(Duration.ofSeconds(5));
    assertThat(settings.nvmlLibrary()).isEmpty();
    assertThat(settings.checkpointStore().uri())
        .isEqualTo(AgentCommand.ternHome().resolve("checkpoints").toAbsolutePath().toUri());
    assertThat(settings.config().reportsStore())
        .as("the default store, on the agent's own disk, is not named to the leader")
        .isFalse();
    assertThat(settings.keepCheckpoints()).isEqualTo(3);
    assertThat(settings.config().keepFinished()).isEqualTo(Duration.ofDays(7));
    AgentCommand forever = new AgentCommand();
    new CommandLine(forever)
        .parseArgs(
            Stream.concat(GOOD.stream().skip(1), Stream.of("--keep-finished", "forever"))
                .toArray(String[]::new));
    assertThat(forever.settings().config().keepFinished()).isNull();
    AgentCommand twelveHours = new AgentCommand();
    new CommandLine(twelveHours)
        .parseArgs(
            Stream.concat(GOOD.stream().skip(1), Stream.of("--keep-finished", "12h"))
                .toArray(String[]::new));
    assertThat(twelveHours.settings().config().keepFinished()).isEqualTo(Duration.ofHours(12));
  }

  @Test
  void checkpointStoreAndSpotFlags() {
    AgentCommand command = new AgentCommand();
    new CommandLine(command)
        .parseArgs(
            "--scheduler",
            "localhost:50051",
            "--node-id",
            "n1",
            "--capacity",
            "spot",
            "--gpus",
            "sim:1xL4",
            "--checkpoint-store",
            "s3://ckpts/tern?endpoint=http://127.0.0.1:9000",
            "--keep-checkpoints",
            "5",
            "--imds-endpoint",
            "http://169.254.169.254",
            "--imds-interval-ms",
            "250");
    AgentRuntime.Settings settings = command.settings();
    assertThat(settings.checkpointStore().uri().getScheme()).isEqualTo("s3");
    assertThat(settings.checkpointStore().uri().getHost()).isEqualTo("ckpts");
    assertThat(settings.keepCheckpoints()).isEqualTo(5);
    assertThat(settings.imdsInterval()).isEqualTo(Duration.ofMillis(250));

    AgentCommand relative = new AgentCommand();
    new CommandLine(relative)
        .parseArgs(
            "--scheduler",
            "localhost:50051",
            "--node-id",
            "n1",
            "--capacity",
            "spot",
            "--gpus",
            "sim:1xL4",
            "--checkpoint-store",
            "some/dir");
    assertThat(relative.settings().checkpointStore().uri())
        .isEqualTo(Path.of("some/dir").toAbsolutePath().toUri());
    assertThat(relative.settings().config().reportsStore()).isTrue();
  }

  @Test
  void badCheckpointFlagsNameTheFlag() {
    TernRun bad =
        TernRun.tern(
            "agent",
            "--scheduler",
            "localhost:50051",
            "--node-id",
            "n1",
            "--capacity",
            "spot",
            "--gpus",
            "sim:1xL4",
            "--checkpoint-store",
            "ftp://x/y");
    assertThat(bad.exit()).isEqualTo(2);
    assertThat(bad.err()).contains("--checkpoint-store");
    TernRun keep =
        TernRun.tern(
            "agent",
            "--scheduler",
            "localhost:50051",
            "--node-id",
            "n1",
            "--capacity",
            "spot",
            "--gpus",
            "sim:1xL4",
            "--keep-checkpoints",
            "0");
    assertThat(keep.exit()).isEqualTo(2);
    assertThat(keep.err()).contains("--keep-checkpoints");
  }

  @Test
  void onDemandIsOnDemand() {
    AgentCommand command = new AgentCommand();
    new CommandLine(command)
        .parseArgs(
            "--scheduler",
            "localhost:50051",
            "--node-id",
            "n1",
            "--capacity",
            "on-demand",
            "--gpus",
            "nvml",
            "--work-dir",
            "/tmp/w");
    AgentRuntime.Settings settings = command.settings();
    assertThat(settings.config().capacityType()).isEqualTo(CapacityType.CAPACITY_TYPE_ON_DEMAND);
    assertThat(settings.gpus()).isInstanceOf(GpuProbeSpec.Nvml.class);
    assertThat(settings.config().workDir()).isEqualTo(Path.of("/tmp/w"));
    assertThat(settings.config().jobShim()).isEqualTo(JobShim.AUTO);
    assertThat(settings.config().stopJobsOnClose()).isTrue();
  }

  /** The good flags with {@code flag} set to {@code value} instead (or added). */
  private static String[] with(String flag, String value) {
    List<String> args = new java.util.ArrayList<>(GOOD);
    int at = args.indexOf(flag);
    if (at >= 0) {
      args.set(at + 1, value);
    } else {
      args.add(flag);
      args.add(value);
    }
    return args.toArray(String[]::new);
  }
}
