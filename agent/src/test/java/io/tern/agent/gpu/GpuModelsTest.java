package io.tern.agent.gpu;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GpuModelsTest {
  @ParameterizedTest
  @CsvSource({
    "NVIDIA H100 80GB HBM3, H100",
    "NVIDIA H100 PCIe, H100",
    "NVIDIA A100-SXM4-80GB, A100",
    "Tesla V100-SXM2-16GB, V100",
    "Tesla T4, T4",
    "NVIDIA A10G, A10G",
    "NVIDIA L40S, L40S",
    "NVIDIA GeForce RTX 4090, RTX4090",
    "NVIDIA RTX A6000, A6000",
    "NVIDIA GH200 480GB, GH200",
    "'  ', ''"
  })
  void normalizesDriverNames(String name, String model) {
    assertThat(GpuModels.normalize(name)).isEqualTo(model);
  }
}
