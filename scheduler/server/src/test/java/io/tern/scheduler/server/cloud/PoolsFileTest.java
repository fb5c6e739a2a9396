package io.tern.scheduler.server.cloud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tern.scheduler.core.model.CapacityType;
import io.tern.scheduler.core.policy.PoolOffer;
import io.tern.scheduler.server.cloud.local.LocalPool;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class PoolsFileTest {
  private static final String EC2_POOL =
      """
      pools:
        - id: a100-spot-a
          capacity: spot
          instanceType: p4d.24xlarge
          zone: us-east-1a
          gpusPerNode: 8
          gpuModel: A100
          gpuMemoryGiB: 80
          cpu: 96
          memoryGiB: 1152
          pricePerHourUsd: 12.5
          maxNodes: 4
      """;

  @Test
  void parsesACloudPoolAndDefaultSettings() {
    PoolsFile f = PoolsFile.parse(EC2_POOL, false, 2, 8);

    assertThat(f.pools())
        .containsExactly(
            new PoolOffer(
                "a100-spot-a",
                CapacityType.SPOT,
                "p4d.24xlarge",
                "us-east-1a",
                8,
                "A100",
                80 * 1024,
                96,
                1152 * 1024,
                12.5,
                4));
    assertThat(f.localPools()).isEmpty();
    assertThat(f.settings()).isEqualTo(ScalingSettings.defaults());
  }

  @Test
  void aLocalPoolTakesItsGpusFromTheSimSpecAndItsHostFromThisMachine() {
    PoolsFile f =
        PoolsFile.parse(
            """
            pools:
              - id: l4
                capacity: on-demand
                gpus: sim:2xl4:24
                pricePerHourUsd: 0.8
                maxNodes: 3
            scaling:
              idleGraceSeconds: 30
              maxHourlyUsd: 10
            """,
            true,
            4,
            16);

    PoolOffer p = f.pools().getFirst();
    assertThat(p.gpusPerNode()).isEqualTo(2);
    assertThat(p.gpuModel()).isEqualTo("L4");
    assertThat(p.gpuMemoryMiB()).isEqualTo(24 * 1024);
    assertThat(p.cpu()).isEqualTo(4);
    assertThat(p.memoryMiB()).isEqualTo(16 * 1024);
    assertThat(p.instanceType()).isEqualTo("local");
    assertThat(f.localPools())
        .containsExactly(new LocalPool("l4", CapacityType.ON_DEMAND, "sim:2xl4:24", 0.8, 3));
    assertThat(f.settings().idleGrace()).isEqualTo(Duration.ofSeconds(30));
    assertThat(f.settings().maxHourlyUsd()).isEqualTo(10);
  }

  @Test
  void errorsNameTheKey() {
    assertThatThrownBy(() -> PoolsFile.parse(EC2_POOL.replace("maxNodes", "maxNode"), false, 2, 8))
        .isInstanceOf(PoolsFile.InvalidPoolsException.class)
        .hasMessageContaining("unknown key \"maxNode\"");
    assertThatThrownBy(
            () -> PoolsFile.parse(EC2_POOL.replace("    zone: us-east-1a\n", ""), false, 2, 8))
        .hasMessageContaining("pool a100-spot-a: missing key zone");
    assertThatThrownBy(() -> PoolsFile.parse(EC2_POOL.replace("cpu: 96", "cpu: lots"), false, 2, 8))
        .hasMessageContaining("pool a100-spot-a.cpu: expected a whole number");
    assertThatThrownBy(() -> PoolsFile.parse(EC2_POOL.replace("spot\n", "cheap\n"), false, 2, 8))
        .hasMessageContaining("pool a100-spot-a.capacity");
    assertThatThrownBy(() -> PoolsFile.parse(EC2_POOL, true, 2, 8))
        .hasMessageContaining("missing key gpus");
    assertThatThrownBy(() -> PoolsFile.parse("pools: []", false, 2, 8))
        .hasMessageContaining("pools: expected a non-empty list");
    assertThatThrownBy(() -> PoolsFile.parse("pools: [", false, 2, 8))
        .hasMessageContaining("not valid YAML");
  }
}
