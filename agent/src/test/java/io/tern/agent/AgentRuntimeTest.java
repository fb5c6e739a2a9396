package io.tern.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.tern.agent.gpu.GpuProbeSpec;
import io.tern.agent.spot.LocalImds;
import io.tern.api.v1.AgentMessage.KindCase;
import io.tern.api.v1.CapacityType;
import io.tern.checkpoint.config.CheckpointStoreLocation;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One agent process wired from its settings, against a scheduler and IMDS over loopback. */
class AgentRuntimeTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path dir;

  private AgentRuntime.Settings settings(String scheduler, Optional<URI> imds) {
    return new AgentRuntime.Settings(
        AgentConfig.builder("spot-1", List.of(scheduler), dir.resolve("work"))
            .capacityType(CapacityType.CAPACITY_TYPE_SPOT)
            .build(),
        null,
        new GpuProbeSpec.Simulated(2, "L4", 24),
        Optional.empty(),
        imds,
        Duration.ofMillis(100),
        CheckpointStoreLocation.parse(dir.resolve("checkpoints").toString()),
        2);
  }

  @Test
  void registersWithItsGpusAndReportsASpotNoticeFromTheMetadataService() throws Exception {
    try (FakeScheduler leader = FakeScheduler.leaderOnLoopback(1, 200);
        LocalImds imds = LocalImds.start()) {
      AgentRuntime.Settings settings =
          settings("127.0.0.1:" + leader.port(), Optional.of(imds.endpoint()));
      AgentRuntime.requireImds(settings);
      try (AgentRuntime runtime = AgentRuntime.start(settings, Clock.systemUTC())) {
        assertThat(runtime.describe())
            .startsWith("node agent spot-1 (")
            .contains("(plaintext)")
            .contains("checkpoints in " + dir.resolve("checkpoints"))
            .endsWith("spot notices from " + imds.endpoint());
        assertThat(dir.resolve("checkpoints"))
            .as("an agent makes no store folder: it may be a volume not mounted")
            .doesNotExist();
        await().atMost(WAIT).until(() -> !leader.ofKind(KindCase.REGISTER).isEmpty());
        assertThat(leader.ofKind(KindCase.REGISTER).getFirst().getRegister().getGpusCount())
            .isEqualTo(2);

        imds.announceInstanceAction(Instant.now().plusSeconds(120));
        await().atMost(WAIT).until(() -> !leader.ofKind(KindCase.SPOT_NOTICE).isEmpty());
      }
    }
  }

  @Test
  void aMetadataServiceThatDoesNotAnswerIsRefusedBeforeStart() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    AgentRuntime.Settings settings =
        settings("127.0.0.1:1", Optional.of(URI.create("http://127.0.0.1:" + port)));

    assertThatThrownBy(() -> AgentRuntime.requireImds(settings)).isInstanceOf(IOException.class);
  }
}
