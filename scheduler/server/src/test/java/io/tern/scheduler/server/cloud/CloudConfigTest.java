package io.tern.scheduler.server.cloud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tern.scheduler.server.cloud.CloudConfig.InvalidCloudConfigException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CloudConfigTest {
  private static final String LOCAL_POOLS =
      """
      pools:
        - id: l4
          capacity: on-demand
          gpus: sim:2xL4:24
          pricePerHourUsd: 0.8
          maxNodes: 3
      """;

  @TempDir Path dir;
  private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);

  @Test
  void noCloudIsTheDefaultAndNeedsNoFile() throws Exception {
    CloudSetup setup = CloudConfig.none().setup(Clock.systemUTC(), out);

    assertThat(setup.enabled()).isFalse();
    assertThat(setup.pools()).isEmpty();
  }

  @Test
  void aLocalCloudReadsItsPoolsAndMakesTheAgentsDirectory() throws Exception {
    Path pools = Files.writeString(dir.resolve("pools.yaml"), LOCAL_POOLS);
    Path local = dir.resolve("local");

    CloudSetup setup =
        new CloudConfig("Local", pools, local, null, false).setup(Clock.systemUTC(), out);

    assertThat(setup.enabled()).isTrue();
    assertThat(setup.pools()).singleElement().satisfies(p -> assertThat(p.id()).isEqualTo("l4"));
    assertThat(local).isDirectory();
    assertThat(printed.toString(StandardCharsets.UTF_8))
        .startsWith("local cloud: 1 pool(s), agents work in " + local.resolve("agents"));
  }

  @Test
  void eachMistakeNamesTheSettingItIsIn() throws Exception {
    Path pools = Files.writeString(dir.resolve("pools.yaml"), LOCAL_POOLS);
    Path broken = Files.writeString(dir.resolve("broken.yaml"), "pools: [{id: x}]\n");

    assertRefused(new CloudConfig("gcp", null, null, null, false), "cloud", "expected none");
    assertRefused(new CloudConfig("none", pools, null, null, false), "poolsFile", "only with");
    assertRefused(new CloudConfig("ec2", null, null, null, false), "poolsFile", "required");
    assertRefused(
        new CloudConfig("local", dir.resolve("missing.yaml"), null, null, false),
        "poolsFile",
        "cannot read");
    assertRefused(new CloudConfig("local", broken, null, null, false), "poolsFile", "broken.yaml");
    assertRefused(new CloudConfig("local", pools, dir, null, true), "tlsDir", "CA key");
    assertRefused(
        new CloudConfig("local", pools, dir, dir.resolve("no-tls"), true),
        "tlsDir",
        "issues agents' certificates");
  }

  private void assertRefused(CloudConfig config, String field, String problem) {
    assertThatThrownBy(() -> config.setup(Clock.systemUTC(), out))
        .isInstanceOfSatisfying(
            InvalidCloudConfigException.class,
            e -> {
              assertThat(e.field()).isEqualTo(field);
              assertThat(e.problem()).contains(problem);
              assertThat(e.getMessage()).isEqualTo(field + ": " + e.problem());
            });
  }
}
