package io.tern.agent.gpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GpuProbeSpecTest {
  @Test
  void nvml() {
    assertThat(GpuProbeSpec.parse("nvml")).isInstanceOf(GpuProbeSpec.Nvml.class);
    assertThat(GpuProbeSpec.parse(" NVML ")).isInstanceOf(GpuProbeSpec.Nvml.class);
  }

  @ParameterizedTest
  @CsvSource({
    "sim:8xH100, 8, H100, 80",
    "sim:2xa100:40, 2, A100, 40",
    "SIM:1XT4, 1, T4, 16",
    "sim:4xRTX4090:24, 4, RTX4090, 24",
    "sim:64xL4, 64, L4, 24"
  })
  void simulated(String value, int count, String model, int memoryGib) {
    assertThat(GpuProbeSpec.parse(value))
        .isEqualTo(new GpuProbeSpec.Simulated(count, model, memoryGib));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      value = {
        "\"\"| empty; expected nvml or sim:COUNTxMODEL[:MEMGiB]",
        "cuda| 'cuda' is neither; expected nvml or sim:",
        "sim:| 'sim:' is malformed",
        "sim:8| 'sim:8' is malformed",
        "sim:xH100| is malformed",
        "sim:8xH100:| is malformed",
        "sim:8xH100:80:1| is malformed",
        "sim:-1xH100| is malformed",
        "sim:0xH100| GPU count must be 1 to 64, got 0",
        "sim:65xH100| GPU count must be 1 to 64, got 65",
        "sim:99999999999xH100| GPU count '99999999999' is too large",
        "sim:2xH100:0| memory must be 1 to 4096 GiB, got 0",
        "sim:2xFOO| unknown model FOO: give its memory in GiB, e.g. sim:2xFOO:24"
      })
  void badValuesSayWhatIsWrong(String value, String message) {
    assertThatThrownBy(() -> GpuProbeSpec.parse(value))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message.strip());
  }

  @Test
  void simulatedSpecOpensASimulatedProbe() {
    try (GpuProbe probe =
        GpuProbeSpec.parse("sim:3xV100").open("node-a", java.util.Optional.empty())) {
      assertThat(probe).isInstanceOf(SimulatedGpuProbe.class);
      assertThat(probe.read()).hasSize(3);
    }
  }
}
