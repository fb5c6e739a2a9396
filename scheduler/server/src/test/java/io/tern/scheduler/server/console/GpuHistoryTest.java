package io.tern.scheduler.server.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.tern.api.v1.Gpu;
import io.tern.api.v1.Node;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class GpuHistoryTest {
  private static final Instant T0 = Instant.parse("2026-11-23T09:00:00Z");

  private static List<Node> node(String id, int utilization, long usedMib) {
    return List.of(
        Node.newBuilder()
            .setId(id)
            .addGpus(
                Gpu.newBuilder()
                    .setIndex(0)
                    .setUtilizationPercent(utilization)
                    .setMemoryTotalMib(1000)
                    .setMemoryUsedMib(usedMib))
            .build());
  }

  @Test
  void keepsOneSampleAStepInTimeOrder() {
    GpuHistory history = new GpuHistory();
    history.record(node("n1", 10, 100), T0);
    history.record(node("n1", 99, 999), T0.plusSeconds(3)); // within the step: dropped
    history.record(node("n1", 30, 500), T0.plus(GpuHistory.STEP));
    GpuHistory.Series series = history.series("n1", 0);
    assertThat(series.utilization()).containsExactly(10, 30);
    assertThat(series.memory()).containsExactly(10, 50);
    assertThat(series.epochSeconds())
        .containsExactly(T0.getEpochSecond(), T0.plus(GpuHistory.STEP).getEpochSecond());
  }

  @Test
  void holdsAtMostTheWindowAndForgetsGpusNoLongerSeen() {
    GpuHistory history = new GpuHistory();
    for (int i = 0; i < GpuHistory.SAMPLES + 50; i++) {
      history.record(node("n1", i % 101, 0), T0.plus(GpuHistory.STEP.multipliedBy(i)));
    }
    GpuHistory.Series series = history.series("n1", 0);
    assertThat(series.utilization()).hasSize(GpuHistory.SAMPLES);
    assertThat(series.utilization()[0]).isEqualTo(50 % 101);
    assertThat(series.utilization()[GpuHistory.SAMPLES - 1])
        .isEqualTo((GpuHistory.SAMPLES + 49) % 101);

    Instant later = T0.plus(GpuHistory.STEP.multipliedBy(GpuHistory.SAMPLES + 49));
    history.record(node("n2", 5, 0), later.plus(GpuHistory.WINDOW).plus(Duration.ofSeconds(1)));
    assertThat(history.series("n1", 0).utilization()).isEmpty();
    assertThat(history.gpus()).isEqualTo(1);
  }

  @Test
  void clampsWhatAnAgentMisreports() {
    GpuHistory history = new GpuHistory();
    history.record(node("n1", 250, 5000), T0);
    assertThat(history.series("n1", 0).utilization()).containsExactly(100);
    assertThat(history.series("n1", 0).memory()).containsExactly(100);
  }
}
