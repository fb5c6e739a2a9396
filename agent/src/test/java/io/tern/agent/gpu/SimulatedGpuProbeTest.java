package io.tern.agent.gpu;

import static org.assertj.core.api.Assertions.assertThat;

import io.tern.api.v1.Gpu;
import io.tern.api.v1.GpuHealth;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SimulatedGpuProbeTest {
  private final GpuProbeSpec.Simulated spec = new GpuProbeSpec.Simulated(4, "H100", 80);

  @Test
  void idleGpusAreIdle() {
    List<Gpu> gpus = new SimulatedGpuProbe(spec, "node-a").sample();
    assertThat(gpus).hasSize(4);
    assertThat(gpus)
        .allSatisfy(
            g -> {
              assertThat(g.getModel()).isEqualTo("H100");
              assertThat(g.getMemoryTotalMib()).isEqualTo(80 * 1024);
              assertThat(g.getMemoryUsedMib()).isLessThan(100);
              assertThat(g.getUtilizationPercent()).isZero();
              assertThat(g.getHealth()).isEqualTo(GpuHealth.GPU_HEALTH_OK);
            });
  }

  @Test
  void busyGpusFollowTheJobs() {
    SimulatedGpuProbe probe = new SimulatedGpuProbe(spec, "node-a");
    probe.assignmentsChanged(Set.of(1, 3));
    for (int reading = 0; reading < 5; reading++) {
      List<Gpu> gpus = probe.sample();
      for (int i : List.of(1, 3)) {
        assertThat(gpus.get(i).getUtilizationPercent()).isBetween(88, 97);
        assertThat(gpus.get(i).getMemoryUsedMib()).isGreaterThan(80 * 1024 * 6 / 10);
        assertThat(gpus.get(i).getPowerW()).isGreaterThan(gpus.get(0).getPowerW());
      }
      assertThat(gpus.get(0).getUtilizationPercent()).isZero();
      assertThat(gpus.get(2).getUtilizationPercent()).isZero();
    }
    probe.assignmentsChanged(Set.of());
    assertThat(probe.sample()).allSatisfy(g -> assertThat(g.getUtilizationPercent()).isZero());
  }

  @Test
  void uuidsAreStablePerNodeAndUniqueAcrossNodes() {
    List<String> a = uuids(new SimulatedGpuProbe(spec, "node-a"));
    assertThat(a).doesNotHaveDuplicates().allMatch(u -> u.startsWith("GPU-"));
    assertThat(uuids(new SimulatedGpuProbe(spec, "node-a"))).isEqualTo(a);
    assertThat(uuids(new SimulatedGpuProbe(spec, "node-b"))).doesNotContainAnyElementsOf(a);
  }

  private static List<String> uuids(GpuProbe probe) {
    return probe.sample().stream().map(Gpu::getUuid).toList();
  }
}
