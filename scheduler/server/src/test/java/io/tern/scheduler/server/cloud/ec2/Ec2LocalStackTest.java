package io.tern.scheduler.server.cloud.ec2;

import static org.assertj.core.api.Assertions.assertThat;

import io.tern.scheduler.core.model.CapacityType;
import io.tern.scheduler.server.cloud.CloudInstance;
import io.tern.scheduler.server.cloud.LaunchRequest;
import io.tern.scheduler.server.cloud.LaunchResult;
import java.net.URI;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.utility.DockerImageName;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;

/**
 * The EC2 connector against LocalStack's EC2 emulation, where a Docker engine exists; skipped
 * without one ({@link Ec2CloudConnectorTest} is its twin that runs everywhere).
 */
@Testcontainers(disabledWithoutDocker = true)
class Ec2LocalStackTest {
  @Container
  private static final GenericContainer<?> LOCALSTACK =
      new GenericContainer<>(DockerImageName.parse("localstack/localstack:4.4"))
          .withEnv("SERVICES", "ec2")
          .withExposedPorts(4566)
          .waitingFor(Wait.forHttp("/_localstack/health").forPort(4566).forStatusCode(200));

  @Test
  void launchDescribeTerminate() {
    URI endpoint =
        URI.create("http://" + LOCALSTACK.getHost() + ":" + LOCALSTACK.getMappedPort(4566));
    Ec2Pool pool =
        new Ec2Pool(
            "ls-od",
            CapacityType.ON_DEMAND,
            List.of("t3.micro"),
            List.of(new Ec2Pool.Placement("us-east-1a", null)),
            "ami-df570af1",
            0.01,
            null);
    try (Ec2CloudConnector connector =
        new Ec2CloudConnector(
            Ec2Clients.create(
                Region.US_EAST_1,
                endpoint,
                StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")),
                false),
            List.of(pool),
            new Ec2Settings(
                "localstack", "127.0.0.1:50051", List.of(), null, null, UserDataTemplate.DEFAULT),
            Clock.systemUTC())) {
      LaunchResult result =
          connector.launch(
              LaunchRequest.of("ls-od", CapacityType.ON_DEMAND, 2, Map.of("tern:team", "ops")));
      assertThat(result.launched()).hasSize(2);

      List<CloudInstance> described = connector.describe();
      assertThat(described)
          .extracting(CloudInstance::id)
          .containsExactlyInAnyOrderElementsOf(
              result.launched().stream().map(CloudInstance::id).toList());
      assertThat(described).allMatch(i -> "ls-od".equals(i.poolId()));

      connector.terminate(List.of(described.getFirst().id(), "i-00000000000000000"));
      assertThat(connector.describe())
          .filteredOn(i -> i.id().equals(described.getFirst().id()))
          .allMatch(i -> !i.state().live());
    }
  }
}
