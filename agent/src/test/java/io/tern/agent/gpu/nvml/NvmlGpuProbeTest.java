package io.tern.agent.gpu.nvml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tern.agent.gpu.GpuReading;
import io.tern.api.v1.Gpu;
import io.tern.api.v1.GpuHealth;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class NvmlGpuProbeTest {
  @BeforeEach
  @AfterEach
  void resetFake() {
    FakeNvml.reset();
  }

  @Test
  void readsEveryGpu() {
    try (NvmlGpuProbe probe = NvmlGpuProbe.open(Optional.empty(), true)) {
      assertThat(probe.driverVersion()).isEqualTo("550.54.15");
      List<GpuReading> readings = probe.read();
      assertThat(readings).extracting(GpuReading::index).containsExactly(0, 1);
      GpuReading gpu0 = readings.get(0);
      assertThat(gpu0.model()).isEqualTo("H100");
      assertThat(gpu0.memoryTotalMib()).isEqualTo(81559);
      assertThat(gpu0.processes()).extracting(GpuReading.GpuProcess::pid).containsExactly(4242L);
      assertThat(gpu0.health()).isEqualTo(GpuHealth.GPU_HEALTH_OK);
      assertThat(gpu0.problems()).isEmpty();
      assertThat(probe.xidBlind()).isEmpty();

      Gpu proto = probe.sample().get(1);
      assertThat(proto.getUuid()).isEqualTo("GPU-fa4e0000-0000-4000-8000-000000000001");
      assertThat(proto.getModel()).isEqualTo("H100");
      assertThat(proto.getMemoryUsedMib()).isEqualTo(1024);
      assertThat(proto.getUtilizationPercent()).isEqualTo(37);
      assertThat(proto.getTemperatureC()).isEqualTo(42);
      assertThat(proto.getPowerW()).isEqualTo(123.456);
      assertThat(proto.getHealth()).isEqualTo(GpuHealth.GPU_HEALTH_OK);
    }
  }

  @Test
  void aGpuLostAfterOpeningIsReportedLost() {
    try (NvmlGpuProbe probe = NvmlGpuProbe.open(Optional.empty(), true)) {
      FakeNvml.set("LOST", "0");
      List<GpuReading> readings = probe.read();
      assertThat(readings.get(0).health()).isEqualTo(GpuHealth.GPU_HEALTH_LOST);
      assertThat(readings.get(0).problems()).anyMatch(p -> p.contains("NVML_ERROR_GPU_IS_LOST"));
      assertThat(readings.get(1).health()).isEqualTo(GpuHealth.GPU_HEALTH_OK);
    }
  }

  @Test
  void aGpuLostBeforeOpeningIsReportedLost() {
    FakeNvml.set("HANDLE_LOST", "1");
    try (NvmlGpuProbe probe = NvmlGpuProbe.open(Optional.empty(), true)) {
      List<GpuReading> readings = probe.read();
      assertThat(readings).hasSize(2);
      assertThat(readings.get(1).health()).isEqualTo(GpuHealth.GPU_HEALTH_LOST);
      assertThat(readings.get(1).toProto().getIndex()).isEqualTo(1);
      assertThat(readings.get(0).health()).isEqualTo(GpuHealth.GPU_HEALTH_OK);
    }
  }

  @Test
  void unsupportedQueriesAreUnknownNotProblems() {
    FakeNvml.set("NOT_SUPPORTED", "power,temperature,ecc");
    try (NvmlGpuProbe probe = NvmlGpuProbe.open(Optional.empty(), true)) {
      GpuReading gpu = probe.read().get(0);
      assertThat(gpu.powerW()).isNull();
      assertThat(gpu.temperatureC()).isNull();
      assertThat(gpu.uncorrectedEccErrors()).isNull();
      assertThat(gpu.problems()).isEmpty();
      assertThat(gpu.health()).isEqualTo(GpuHealth.GPU_HEALTH_OK);
      assertThat(gpu.toProto().getPowerW()).isZero();
    }
  }

  @Test
  void uncorrectedEccErrorsMarkTheGpu() {
    FakeNvml.set("ECC", "1:3");
    try (NvmlGpuProbe probe = NvmlGpuProbe.open(Optional.empty(), true)) {
      List<GpuReading> readings = probe.read();
      assertThat(readings.get(1).uncorrectedEccErrors()).isEqualTo(3);
      assertThat(readings.get(1).health()).isEqualTo(GpuHealth.GPU_HEALTH_ECC_ERROR);
      assertThat(readings.get(0).health()).isEqualTo(GpuHealth.GPU_HEALTH_OK);
    }
  }

  @Test
  void anXidMarksTheGpuUntilTheNextReading() {
    try (NvmlGpuProbe probe = NvmlGpuProbe.open(Optional.empty(), true)) {
      FakeNvml.set("XID", "0:48");
      GpuReading first = probe.read().get(0);
      assertThat(first.health()).isEqualTo(GpuHealth.GPU_HEALTH_XID_ERROR);
      assertThat(first.xids()).containsExactly(48L);
      assertThat(probe.read().get(0).health()).isEqualTo(GpuHealth.GPU_HEALTH_OK);
    }
  }

  @Test
  void withoutXidWatchingEveryGpuIsXidBlind() {
    FakeNvml.set("XID", "0:48");
    try (NvmlGpuProbe probe = NvmlGpuProbe.open(Optional.empty(), false)) {
      assertThat(probe.xidBlind()).containsExactly(0, 1);
      assertThat(probe.read().get(0).health()).isEqualTo(GpuHealth.GPU_HEALTH_OK);
    }
  }

  @Test
  void closeShutsDownOnce() {
    NvmlGpuProbe probe = NvmlGpuProbe.open(Optional.of(FakeNvml.library()), true);
    assertThat(FakeNvml.initCount()).isEqualTo(1);
    probe.close();
    probe.close();
    assertThat(FakeNvml.initCount()).isZero();
  }

  @Test
  void aDriverGoneAfterOpeningFailsTheRead() {
    NvmlGpuProbe probe = NvmlGpuProbe.open(Optional.empty(), false);
    probe.close();
    assertThatThrownBy(probe::read).isInstanceOf(IllegalStateException.class);
  }
}
