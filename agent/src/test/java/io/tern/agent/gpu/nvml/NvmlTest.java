package io.tern.agent.gpu.nvml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The real JNA binding against the fake libnvidia-ml.so. */
class NvmlTest {
  @BeforeEach
  @AfterEach
  void resetFake() {
    FakeNvml.reset();
  }

  @Test
  void readsEveryQueryFromTheLibrary() {
    try (Nvml nvml = Nvml.open()) {
      assertThat(nvml.driverVersion()).isEqualTo("550.54.15");
      assertThat(nvml.deviceCount()).isEqualTo(2);
      NvmlDevice gpu0 = nvml.device(0);
      NvmlDevice gpu1 = nvml.device(1);
      assertThat(gpu0.name()).isEqualTo("NVIDIA H100 80GB HBM3");
      assertThat(gpu1.uuid()).isEqualTo("GPU-fa4e0000-0000-4000-8000-000000000001");
      assertThat(gpu0.memory()).isEqualTo(new NvmlDevice.Memory(81559, 1024));
      assertThat(gpu0.utilizationPercent()).isEqualTo(37);
      assertThat(gpu1.temperatureC()).isEqualTo(42);
      assertThat(gpu0.powerWatts()).isEqualTo(123.456);
      assertThat(gpu0.uncorrectedEccErrors()).isZero();
      assertThat(gpu0.computeProcesses())
          .singleElement()
          .satisfies(
              p -> {
                assertThat(p.pid()).isEqualTo(4242);
                assertThat(p.usedMib()).hasValue(1024);
              });
      assertThat(gpu1.computeProcesses()).isEmpty();
    }
  }

  @Test
  void closeShutsNvmlDownOnce() {
    Nvml nvml = Nvml.open();
    assertThat(FakeNvml.initCount()).isEqualTo(1);
    nvml.close();
    nvml.close();
    assertThat(FakeNvml.initCount()).isZero();
    assertThatThrownBy(nvml::deviceCount).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void aLostGpuIsNamedWithItsCode() {
    FakeNvml.set("LOST", "1");
    try (Nvml nvml = Nvml.open()) {
      assertThat(nvml.device(0).powerWatts()).isPositive();
      assertThatThrownBy(() -> nvml.device(1).powerWatts())
          .isInstanceOfSatisfying(
              NvmlException.class,
              e -> {
                assertThat(e.error()).isEqualTo(NvmlError.GPU_IS_LOST);
                assertThat(e.gpuLost()).isTrue();
              })
          .hasMessage("nvmlDeviceGetPowerUsage (GPU 1): NVML_ERROR_GPU_IS_LOST (15): GPU is lost");
    }
  }

  @Test
  void anUnsupportedQueryIsNotSupported() {
    FakeNvml.set("NOT_SUPPORTED", "power,ecc");
    try (Nvml nvml = Nvml.open()) {
      NvmlDevice gpu = nvml.device(0);
      assertThatThrownBy(gpu::powerWatts)
          .isInstanceOfSatisfying(NvmlException.class, e -> assertThat(e.notSupported()).isTrue())
          .hasMessageContaining("NVML_ERROR_NOT_SUPPORTED (3)");
      assertThatThrownBy(gpu::uncorrectedEccErrors).isInstanceOf(NvmlException.class);
      assertThat(gpu.temperatureC()).isEqualTo(41);
    }
  }

  @Test
  void aDriverThatDoesNotLoadFailsTheOpen() {
    FakeNvml.set("INIT_ERROR", "9");
    assertThatThrownBy(Nvml::open)
        .isInstanceOfSatisfying(
            NvmlException.class, e -> assertThat(e.error()).isEqualTo(NvmlError.DRIVER_NOT_LOADED))
        .hasMessageStartingWith("nvmlInit_v2: NVML_ERROR_DRIVER_NOT_LOADED (9)");
    assertThat(FakeNvml.initCount()).isZero();
  }

  @Test
  void aMissingLibrarySaysWhatToDo() {
    assertThatThrownBy(() -> Nvml.open(List.of("tern-no-such-nvml", "libtern-no-such-nvml.so.1")))
        .isInstanceOfSatisfying(
            NvmlException.class, e -> assertThat(e.error()).isEqualTo(NvmlError.LIBRARY_NOT_FOUND))
        .hasMessageStartingWith(
            "libnvidia-ml.so.1 not found: is the NVIDIA driver installed? use --nvml-lib PATH")
        .hasMessageContaining("tern-no-such-nvml");
    assertThatThrownBy(() -> Nvml.open(Path.of("/nonexistent/libnvidia-ml.so.1")))
        .isInstanceOfSatisfying(
            NvmlException.class, e -> assertThat(e.error()).isEqualTo(NvmlError.LIBRARY_NOT_FOUND))
        .hasMessageStartingWith("cannot load NVML from /nonexistent/libnvidia-ml.so.1: ");
  }

  @Test
  void anExplicitPathLoadsThatLibrary() {
    try (Nvml nvml = Nvml.open(FakeNvml.library())) {
      assertThat(nvml.deviceCount()).isEqualTo(2);
    }
  }

  @Test
  void xidEventsAreDrainedOnce() {
    FakeNvml.set("XID", "1:79");
    try (Nvml nvml = Nvml.open();
        XidEventSet events = nvml.xidEvents(List.of(nvml.device(0), nvml.device(1)))) {
      assertThat(events.unsupported()).isEmpty();
      assertThat(events.drain()).containsExactly(new XidEventSet.XidEvent(1, 79));
      assertThat(events.drain()).isEmpty();
    }
  }

  @Test
  void devicesWithoutEventsAreListed() {
    FakeNvml.set("NOT_SUPPORTED", "events");
    try (Nvml nvml = Nvml.open();
        XidEventSet events = nvml.xidEvents(List.of(nvml.device(0), nvml.device(1)))) {
      assertThat(events.unsupported()).containsExactly(0, 1);
    }
  }

  @Test
  void errorCodesHaveTheirHeaderNames() {
    assertThat(NvmlError.of(15).nvmlName()).isEqualTo("NVML_ERROR_GPU_IS_LOST");
    assertThat(NvmlError.of(3)).isEqualTo(NvmlError.NOT_SUPPORTED);
    assertThat(NvmlError.of(12345)).isEqualTo(NvmlError.UNKNOWN);
  }
}
