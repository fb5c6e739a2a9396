package io.tern.scheduler.server.cloud.ec2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tern.scheduler.core.model.CapacityType;
import io.tern.scheduler.core.plan.CapacityRequest;
import io.tern.scheduler.core.policy.PolicySnapshot;
import io.tern.scheduler.core.policy.PoolOffer;
import io.tern.scheduler.server.cloud.CloudInstance;
import io.tern.scheduler.server.cloud.FleetScaler;
import io.tern.scheduler.server.cloud.LaunchFailure;
import io.tern.scheduler.server.cloud.LaunchRequest;
import io.tern.scheduler.server.cloud.LaunchResult;
import io.tern.scheduler.server.cloud.ScalingContext;
import io.tern.scheduler.server.cloud.ScalingSettings;
import io.tern.scheduler.server.cloud.ScalingStep;
import io.tern.scheduler.server.cloud.SpotPrice;
import io.tern.testing.TestClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;

/** The EC2 connector through the real AWS SDK against a local EC2 Query API endpoint. */
class Ec2CloudConnectorTest {
  private static final long GIB = 1024;
  private final TestClock clock = TestClock.at("2026-05-04T12:00:00Z");
  private FakeEc2Server ec2;
  private Ec2CloudConnector connector;

  private final Ec2Pool spot =
      new Ec2Pool(
          "a100-spot",
          CapacityType.SPOT,
          List.of("p4d.24xlarge", "p4de.24xlarge"),
          List.of(
              new Ec2Pool.Placement("us-east-1a", null),
              new Ec2Pool.Placement("us-east-1b", "subnet-b")),
          "ami-tern",
          12.5,
          null);
  private final Ec2Pool onDemand =
      new Ec2Pool(
          "a100-od",
          CapacityType.ON_DEMAND,
          List.of("p4d.24xlarge"),
          List.of(new Ec2Pool.Placement("us-east-1c", null)),
          "ami-tern",
          32.77,
          null);

  @BeforeEach
  void start() throws Exception {
    ec2 = new FakeEc2Server();
    connector =
        new Ec2CloudConnector(
            Ec2Clients.create(
                Region.US_EAST_1,
                ec2.endpoint(),
                StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")),
                false),
            List.of(spot, onDemand),
            new Ec2Settings(
                "prod",
                "sched-1:50051,sched-2:50051",
                List.of("sg-1"),
                "tern-agent",
                null,
                UserDataTemplate.DEFAULT),
            clock);
  }

  @AfterEach
  void stop() {
    connector.close();
    ec2.close();
  }

  @Test
  void spotLaunchWalksTypesAndZonesPastCapacityErrorsWithUserDataAndTags() {
    ec2.errors.put("p4d.24xlarge/us-east-1a", "InsufficientInstanceCapacity");
    ec2.capacity.put("p4d.24xlarge/us-east-1b", 1);

    LaunchResult result =
        connector.launch(
            LaunchRequest.of("a100-spot", CapacityType.SPOT, 3, Map.of("tern:team", "vision")));

    assertThat(result.launched()).hasSize(3);
    assertThat(result.launched())
        .extracting(i -> i.instanceType() + "/" + i.zone())
        .containsExactly(
            "p4d.24xlarge/us-east-1b", "p4de.24xlarge/us-east-1a", "p4de.24xlarge/us-east-1a");
    assertThat(result.launched()).allMatch(i -> i.poolId().equals("a100-spot"));
    assertThat(result.launched()).allMatch(i -> i.capacityType() == CapacityType.SPOT);
    assertThat(result.failures())
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.reason()).isEqualTo(LaunchFailure.Reason.INSUFFICIENT_CAPACITY);
              assertThat(f.code()).isEqualTo("InsufficientInstanceCapacity");
              assertThat(f.instanceType()).isEqualTo("p4d.24xlarge");
              assertThat(f.zone()).isEqualTo("us-east-1a");
            });
    assertThat(result.shortfall()).isZero();

    List<Map<String, String>> runs = ec2.requests("RunInstances");
    assertThat(runs).extracting(r -> r.get("MaxCount")).containsExactly("3", "3", "2");
    Map<String, String> run = runs.get(1);
    assertThat(run)
        .containsEntry("ImageId", "ami-tern")
        .containsEntry("MinCount", "1")
        .containsEntry("SubnetId", "subnet-b")
        .containsEntry("SecurityGroupId.1", "sg-1")
        .containsEntry("IamInstanceProfile.Name", "tern-agent")
        .containsEntry("InstanceInitiatedShutdownBehavior", "terminate")
        .containsEntry("InstanceMarketOptions.MarketType", "spot")
        .containsEntry("InstanceMarketOptions.SpotOptions.SpotInstanceType", "one-time")
        .containsEntry("TagSpecification.1.ResourceType", "instance")
        .containsEntry("TagSpecification.2.ResourceType", "volume")
        .containsKey("ClientToken");
    assertThat(ec2.instances.values().iterator().next().tags())
        .containsEntry("tern:node", "prod")
        .containsEntry("tern:pool", "a100-spot")
        .containsEntry("tern:capacity", "spot")
        .containsEntry("tern:team", "vision");
    String userData =
        new String(Base64.getDecoder().decode(run.get("UserData")), StandardCharsets.UTF_8);
    assertThat(userData)
        .startsWith("#!/bin/bash")
        .contains("--scheduler 'sched-1:50051,sched-2:50051'")
        .contains("--capacity 'spot' --pool 'a100-spot' --price '12.5000'")
        .contains("meta-data/$1")
        .doesNotContain("{{");
  }

  @Test
  void nextLaunchStartsOneFurtherAlongSoLaunchesSpreadOverTypesAndZones() {
    connector.launch(LaunchRequest.of("a100-spot", CapacityType.SPOT, 1, Map.of()));
    connector.launch(LaunchRequest.of("a100-spot", CapacityType.SPOT, 1, Map.of()));
    assertThat(ec2.requests("RunInstances"))
        .extracting(r -> r.get("InstanceType") + "/" + r.get("Placement.AvailabilityZone"))
        .containsExactly("p4d.24xlarge/us-east-1a", "p4d.24xlarge/us-east-1b");
  }

  @Test
  void priceTooLowMovesOnButALimitStopsTheLaunch() {
    ec2.errors.put("p4d.24xlarge/us-east-1a", "SpotMaxPriceTooLow");
    ec2.errors.put("p4d.24xlarge/us-east-1b", "InstanceLimitExceeded");

    LaunchResult result =
        connector.launch(LaunchRequest.of("a100-spot", CapacityType.SPOT, 2, Map.of()));

    assertThat(result.launched()).isEmpty();
    assertThat(result.failures())
        .extracting(LaunchFailure::reason)
        .containsExactly(LaunchFailure.Reason.PRICE_TOO_LOW, LaunchFailure.Reason.LIMIT_EXCEEDED);
    assertThat(result.finalReason()).isEqualTo(LaunchFailure.Reason.LIMIT_EXCEEDED);
    assertThat(ec2.requests("RunInstances")).hasSize(2);
  }

  @Test
  void spotPoolOutOfCapacityFallsBackToOnDemandThroughTheScaler() {
    for (String type : spot.instanceTypes()) {
      for (String zone : List.of("us-east-1a", "us-east-1b")) {
        ec2.errors.put(type + "/" + zone, "InsufficientInstanceCapacity");
      }
    }
    List<PoolOffer> offers =
        List.of(
            offer("a100-spot", CapacityType.SPOT, 12.5),
            offer("a100-od", CapacityType.ON_DEMAND, 32.77));
    FleetScaler scaler = new FleetScaler(offers, ScalingSettings.defaults(), clock);
    ScalingContext context =
        new ScalingContext(PolicySnapshot.defaults(), job -> "vision", job -> true, Map.of());

    List<LaunchRequest> launches =
        scaler.launches(
            List.of(new CapacityRequest("a100-spot", 2, CapacityType.SPOT, List.of("job-1"))),
            context);
    LaunchResult spotResult = connector.launch(launches.getFirst());
    assertThat(spotResult.failures()).hasSize(4);
    assertThat(spotResult.finalReason()).isEqualTo(LaunchFailure.Reason.INSUFFICIENT_CAPACITY);

    ScalingStep step = scaler.onLaunchResult(spotResult, context);
    assertThat(step.cooldowns()).extracting(c -> c.poolId()).containsExactly("a100-spot");
    LaunchResult odResult = connector.launch(step.launches().getFirst());

    assertThat(odResult.launched())
        .hasSize(2)
        .allMatch(i -> i.capacityType() == CapacityType.ON_DEMAND && i.poolId().equals("a100-od"));
    Map<String, String> odRun = ec2.requests("RunInstances").getLast();
    assertThat(odRun).doesNotContainKey("InstanceMarketOptions.MarketType");
    assertThat(odRun).containsEntry("Placement.AvailabilityZone", "us-east-1c");
    assertThat(scaler.onLaunchResult(odResult, context).launches()).isEmpty();
    assertThat(scaler.launchingNodes()).containsExactly(Map.entry("a100-od", 2));
    assertThat(scaler.availablePools()).extracting(PoolOffer::id).containsExactly("a100-od");
  }

  @Test
  void describeListsTaggedInstancesWithStatesAndTerminateIsIdempotent() {
    LaunchResult result =
        connector.launch(LaunchRequest.of("a100-spot", CapacityType.SPOT, 2, Map.of()));
    String first = result.launched().get(0).id();
    String second = result.launched().get(1).id();
    ec2.setState(first, "running");

    List<CloudInstance> described = connector.describe();
    assertThat(described).extracting(CloudInstance::id).containsExactly(first, second);
    assertThat(described)
        .extracting(CloudInstance::state)
        .containsExactly(CloudInstance.State.RUNNING, CloudInstance.State.PENDING);
    assertThat(described.getFirst().poolId()).isEqualTo("a100-spot");
    assertThat(described.getFirst().launchedAt()).isEqualTo(Instant.parse("2026-05-04T12:00:00Z"));
    assertThat(ec2.requests("DescribeInstances").getFirst())
        .containsEntry("Filter.1.Name", "tag:tern:node")
        .containsEntry("Filter.1.Value.1", "prod");

    connector.terminate(List.of(first, "i-gone"));

    assertThat(connector.describe())
        .filteredOn(i -> i.id().equals(first))
        .extracting(CloudInstance::state)
        .containsExactly(CloudInstance.State.STOPPING);
    assertThat(ec2.requests("TerminateInstances"))
        .as("the batch failed on the unknown id, then one by one")
        .hasSize(3);
  }

  @Test
  void spotPriceHistoryKeepsThePoolsZonesNewestFirst() {
    ec2.spotPrices.add(new String[] {"p4d.24xlarge", "us-east-1a", "9.80", "2026-05-04T10:00:00Z"});
    ec2.spotPrices.add(
        new String[] {"p4d.24xlarge", "us-east-1a", "10.10", "2026-05-04T11:00:00Z"});
    ec2.spotPrices.add(
        new String[] {"p4de.24xlarge", "us-east-1b", "11.00", "2026-05-04T09:00:00Z"});
    ec2.spotPrices.add(new String[] {"p4d.24xlarge", "us-east-1f", "7.00", "2026-05-04T11:30:00Z"});

    List<SpotPrice> prices = connector.spotPriceHistory("a100-spot");

    assertThat(prices).extracting(SpotPrice::pricePerHourUsd).containsExactly(10.10, 9.80, 11.00);
    assertThat(ec2.requests("DescribeSpotPriceHistory").getFirst())
        .containsEntry("InstanceType.1", "p4d.24xlarge")
        .containsEntry("InstanceType.2", "p4de.24xlarge")
        .containsEntry("ProductDescription.1", "Linux/UNIX")
        .containsEntry("StartTime", "2026-05-04T06:00:00Z");
    assertThat(connector.spotPriceHistory("a100-od")).isEmpty();
  }

  @Test
  void userDataTemplateIsTheDeployedScriptAndRefusesUnsafeValues() throws Exception {
    Path deployed = Path.of("../../deploy/ec2/agent-user-data.sh");
    assertThat(UserDataTemplate.DEFAULT.text())
        .as("UserDataTemplate.DEFAULT must be deploy/ec2/agent-user-data.sh, read from the jar")
        .isEqualTo(Files.readString(deployed));
    assertThatThrownBy(() -> UserDataTemplate.DEFAULT.render(Map.of("SCHEDULER", "x")))
        .hasMessageContaining("{{CAPACITY}}");
    assertThatThrownBy(
            () ->
                UserDataTemplate.DEFAULT.render(
                    Map.of(
                        "SCHEDULER", "x'; rm -rf /; '",
                        "CAPACITY", "spot",
                        "POOL", "p",
                        "PRICE", "1")))
        .hasMessageContaining("unsafe");
    assertThat(Ec2CloudConnector.classify("VcpuLimitExceeded"))
        .isEqualTo(LaunchFailure.Reason.LIMIT_EXCEEDED);
    assertThat(Ec2CloudConnector.classify("UnauthorizedOperation"))
        .isEqualTo(LaunchFailure.Reason.OTHER);
  }

  private static PoolOffer offer(String id, CapacityType type, double price) {
    return new PoolOffer(
        id, type, "p4d.24xlarge", "us-east-1a", 8, "A100", 40 * GIB, 96, 1152 * GIB, price, 10);
  }
}
