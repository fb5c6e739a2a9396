package io.tern.scheduler.server.cloud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tern.scheduler.core.model.CapacityType;
import io.tern.scheduler.core.policy.PoolOffer;
import io.tern.scheduler.server.cloud.ec2.Ec2Config;
import io.tern.scheduler.server.cloud.ec2.Ec2Pool;
import io.tern.scheduler.server.cloud.local.LocalPool;
import java.net.URI;
import java.time.Duration;
import java.util.List;
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

  static final String EC2_FILE =
      """
      ec2:
        region: us-east-1
        endpoint: http://127.0.0.1:4566
        cluster: prod
        securityGroups: [sg-1, sg-2]
        instanceProfile: tern-agent
      pools:
        - id: a100-spot
          capacity: spot
          instanceTypes: [p4d.24xlarge, p4de.24xlarge]
          placements: [{zone: us-east-1a, subnet: subnet-123}, {zone: us-east-1b}]
          imageId: ami-0abc
          maxSpotPriceUsd: 20
          gpusPerNode: 8
          gpuModel: A100
          gpuMemoryGiB: 80
          cpu: 96
          memoryGiB: 1152
          pricePerHourUsd: 12.5
          maxNodes: 4
        - id: h100-od
          capacity: on-demand
          instanceType: p5.48xlarge
          zone: us-east-1c
          imageId: ami-0def
          gpusPerNode: 8
          gpuModel: H100
          gpuMemoryGiB: 80
          cpu: 192
          memoryGiB: 2048
          pricePerHourUsd: 98.32
          maxNodes: 2
      """;

  @Test
  void parsesEc2PoolsAndTheEc2Section() {
    PoolsFile f = PoolsFile.parseEc2(EC2_FILE);

    assertThat(f.ec2Pools())
        .containsExactly(
            new Ec2Pool(
                "a100-spot",
                CapacityType.SPOT,
                List.of("p4d.24xlarge", "p4de.24xlarge"),
                List.of(
                    new Ec2Pool.Placement("us-east-1a", "subnet-123"),
                    new Ec2Pool.Placement("us-east-1b", null)),
                "ami-0abc",
                12.5,
                "20.0"),
            new Ec2Pool(
                "h100-od",
                CapacityType.ON_DEMAND,
                List.of("p5.48xlarge"),
                List.of(new Ec2Pool.Placement("us-east-1c", null)),
                "ami-0def",
                98.32,
                null));
    assertThat(f.ec2())
        .isEqualTo(
            new Ec2Config(
                "us-east-1",
                URI.create("http://127.0.0.1:4566"),
                "prod",
                List.of("sg-1", "sg-2"),
                "tern-agent",
                null,
                null));
    // The core plans on the first type and zone.
    assertThat(f.pools().getFirst().instanceType()).isEqualTo("p4d.24xlarge");
    assertThat(f.pools().getFirst().zone()).isEqualTo("us-east-1a");
    assertThat(f.pools().getFirst().gpuMemoryMiB()).isEqualTo(80 * 1024);
    assertThat(f.localPools()).isEmpty();

    PoolsFile minimal =
        PoolsFile.parseEc2(
            EC2_FILE.replaceAll(
                "(?m)^  (endpoint|cluster|securityGroups|instanceProfile):.*\n", ""));
    assertThat(minimal.ec2())
        .isEqualTo(new Ec2Config("us-east-1", null, "tern", List.of(), null, null, null));
  }

  @Test
  void ec2ErrorsNameThePoolAndKey() {
    assertThatThrownBy(() -> PoolsFile.parseEc2(EC2_FILE.replace("  region: us-east-1\n", "")))
        .isInstanceOf(PoolsFile.InvalidPoolsException.class)
        .hasMessageContaining("ec2: missing key region");
    assertThatThrownBy(() -> PoolsFile.parseEc2(EC2_FILE.substring(EC2_FILE.indexOf("pools:"))))
        .hasMessageContaining("ec2: missing section");
    assertThatThrownBy(
            () -> PoolsFile.parseEc2(EC2_FILE.replace("{zone: us-east-1b}", "{subnet: subnet-9}")))
        .hasMessageContaining("pool a100-spot.placements[1]: missing key zone");
    assertThatThrownBy(
            () -> PoolsFile.parseEc2(EC2_FILE.replace("subnet: subnet-123", "subnetId: subnet-1")))
        .hasMessageContaining("pool a100-spot.placements[0]: unknown key \"subnetId\"");
    assertThatThrownBy(
            () -> PoolsFile.parseEc2(EC2_FILE.replace("subnet: subnet-123", "subnet: net-1")))
        .hasMessageContaining("pool a100-spot.placements[0].subnet: expected a subnet id");
    assertThatThrownBy(() -> PoolsFile.parseEc2(EC2_FILE.replace("    imageId: ami-0def\n", "")))
        .hasMessageContaining("pool h100-od: missing key imageId");
    assertThatThrownBy(() -> PoolsFile.parseEc2(EC2_FILE.replace("    zone: us-east-1c\n", "")))
        .hasMessageContaining("pool h100-od: missing key placements (or zone)");
    assertThatThrownBy(
            () ->
                PoolsFile.parseEc2(
                    EC2_FILE.replace(
                        "    instanceType: p5.48xlarge\n",
                        "    instanceType: p5.48xlarge\n    instanceTypes: [p5.48xlarge]\n")))
        .hasMessageContaining("pool h100-od.instanceType: give instanceType or instanceTypes");
    assertThatThrownBy(
            () ->
                PoolsFile.parseEc2(
                    EC2_FILE.replace(
                        "    imageId: ami-0def\n",
                        "    imageId: ami-0def\n    maxSpotPriceUsd: 3\n")))
        .hasMessageContaining("pool h100-od.maxSpotPriceUsd: only for spot pools");
    assertThatThrownBy(() -> PoolsFile.parseEc2(EC2_FILE.replace("region: us-east-1", "region: 1")))
        .hasMessageContaining("ec2.region");
    assertThatThrownBy(
            () -> PoolsFile.parseEc2(EC2_FILE.replace("http://127.0.0.1:4566", "localhost")))
        .hasMessageContaining("ec2.endpoint");
    assertThatThrownBy(() -> PoolsFile.parseEc2(EC2_FILE.replace("sg-2", "default")))
        .hasMessageContaining("ec2.securityGroups");
    assertThatThrownBy(() -> PoolsFile.parseEc2(EC2_FILE.replace("cluster:", "clusterName:")))
        .hasMessageContaining("ec2: unknown key \"clusterName\"");
    // ec2 keys are for ec2 only.
    assertThatThrownBy(() -> PoolsFile.parse(EC2_FILE, false, 2, 8))
        .hasMessageContaining("ec2: only for --cloud ec2");
    assertThatThrownBy(() -> PoolsFile.parse(EC2_POOL + "    imageId: ami-1\n", false, 2, 8))
        .hasMessageContaining("pool a100-spot-a.imageId: only for --cloud ec2");
  }

  @Test
  void theDeployExampleParses() throws Exception {
    PoolsFile f =
        PoolsFile.parseEc2(
            java.nio.file.Files.readString(
                java.nio.file.Path.of("../../deploy/ec2/pools.example.yaml")));

    assertThat(f.ec2Pools()).extracting(Ec2Pool::id).containsExactly("a100-spot", "a100-on-demand");
    assertThat(f.ec2().region()).isEqualTo("us-east-1");
    assertThat(f.ec2().userData()).isNull();
  }
}
