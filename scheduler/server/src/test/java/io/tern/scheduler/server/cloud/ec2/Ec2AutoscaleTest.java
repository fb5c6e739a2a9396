package io.tern.scheduler.server.cloud.ec2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.tern.api.v1.SubmitJobRequest;
import io.tern.scheduler.server.SchedulerConfig;
import io.tern.scheduler.server.SchedulerServer;
import io.tern.scheduler.server.cloud.CloudSetup;
import io.tern.scheduler.server.cloud.PoolsFile;
import io.tern.scheduler.server.loop.SchedulerLoop;
import io.tern.scheduler.server.loop.SchedulerSettings;
import io.tern.scheduler.server.testing.Clients;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * {@code tern scheduler --cloud ec2 --pools FILE}, short of the CLI: a real replica on a real
 * ZooKeeper, its {@link CloudSetup} built from a pools file by {@link Ec2Setup}, launching through
 * the AWS SDK into a local EC2 Query API endpoint.
 */
class Ec2AutoscaleTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  private TestingServer zk;
  private FakeEc2Server ec2;
  private SchedulerServer server;
  private Clients clients;
  @TempDir Path dir;

  @BeforeEach
  void start() throws Exception {
    zk = new TestingServer(true);
    ec2 = new FakeEc2Server();
  }

  @AfterEach
  void stop() throws Exception {
    if (clients != null) {
      clients.close();
    }
    if (server != null) {
      server.close();
    }
    ec2.close();
    zk.close();
  }

  private String poolsFile(String extraEc2) {
    return """
        ec2:
          region: us-east-1
          endpoint: %s
          cluster: prod
          securityGroups: [sg-1]
          instanceProfile: tern-agent
        %s
        pools:
          - id: a100-spot
            capacity: spot
            instanceTypes: [p4d.24xlarge, p4de.24xlarge]
            placements: [{zone: us-east-1b, subnet: subnet-0b}, {zone: us-east-1a}]
            imageId: ami-0tern
            maxSpotPriceUsd: 20
            gpusPerNode: 8
            gpuModel: A100
            gpuMemoryGiB: 80
            cpu: 96
            memoryGiB: 1152
            pricePerHourUsd: 12.5
            maxNodes: 4
        """
        .formatted(ec2.endpoint(), extraEc2);
  }

  private CloudSetup setup(String yaml) {
    return Ec2Setup.cloudSetup(
        PoolsFile.parseEc2(yaml),
        dir,
        StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")),
        Clock.systemUTC());
  }

  @Test
  void aJobThatFitsNoNodeRunsAnInstanceOnEc2TaggedForThePool() throws Exception {
    Files.writeString(
        dir.resolve("boot.sh"),
        "#!/bin/sh\ntern agent --scheduler '{{SCHEDULER}}' --pool '{{POOL}}'"
            + " --capacity '{{CAPACITY}}' --price '{{PRICE}}'\n");
    CloudSetup cloud = setup(poolsFile("  userData: boot.sh"));
    SchedulerConfig config =
        SchedulerConfig.local(zk.getConnectString(), 0)
            .withSettings(
                SchedulerSettings.defaults()
                    .withNodeLease(Duration.ofSeconds(30))
                    .withPacing(Duration.ofMillis(5), Duration.ofMillis(200)));
    server = new SchedulerServer(config, Clock.systemUTC(), cloud).start();
    await().atMost(WAIT).until(() -> server.loop().role().get() == SchedulerLoop.Role.LEADER);
    clients = new Clients(server.address());

    String id =
        clients
            .jobs
            .submitJob(SubmitJobRequest.newBuilder().setSpec(Clients.spec("train", 8)).build())
            .getJob()
            .getId();

    await().atMost(WAIT).until(() -> !ec2.requests("RunInstances").isEmpty());
    Map<String, String> run = ec2.requests("RunInstances").getFirst();
    assertThat(run)
        .containsEntry("InstanceType", "p4d.24xlarge")
        .containsEntry("Placement.AvailabilityZone", "us-east-1b")
        .containsEntry("SubnetId", "subnet-0b")
        .containsEntry("ImageId", "ami-0tern")
        .containsEntry("MinCount", "1")
        .containsEntry("MaxCount", "1")
        .containsEntry("InstanceMarketOptions.MarketType", "spot")
        .containsEntry("InstanceMarketOptions.SpotOptions.MaxPrice", "20.0")
        .containsEntry("SecurityGroupId.1", "sg-1")
        .containsEntry("IamInstanceProfile.Name", "tern-agent");
    String userData =
        new String(Base64.getDecoder().decode(run.get("UserData")), StandardCharsets.UTF_8);
    assertThat(userData)
        .isEqualTo(
            "#!/bin/sh\ntern agent --scheduler '"
                + server.address()
                + "' --pool 'a100-spot' --capacity 'spot' --price '12.5000'\n");
    assertThat(ec2.instances.values())
        .singleElement()
        .satisfies(
            i -> {
              assertThat(i.type()).isEqualTo("p4d.24xlarge");
              assertThat(i.spot()).isTrue();
              assertThat(i.tags())
                  .containsEntry(Ec2CloudConnector.NODE_TAG, "prod")
                  .containsEntry(Ec2CloudConnector.POOL_TAG, "a100-spot")
                  .containsEntry(Ec2CloudConnector.CAPACITY_TAG, "spot")
                  .containsEntry("tern:team", "vision");
            });
    assertThat(id).isNotEmpty();
  }

  @Test
  void aUserDataTemplateThatCannotBeUsedFailsBeforeAnythingStarts() throws Exception {
    assertThatThrownBy(() -> setup(poolsFile("  userData: missing.sh")))
        .isInstanceOf(PoolsFile.InvalidPoolsException.class)
        .hasMessageContaining("ec2.userData: cannot read");
    Files.writeString(dir.resolve("bad.sh"), "tern agent --zone {{ZONE}}\n");
    assertThatThrownBy(() -> setup(poolsFile("  userData: bad.sh")))
        .hasMessageContaining("{{ZONE}}");
  }
}
