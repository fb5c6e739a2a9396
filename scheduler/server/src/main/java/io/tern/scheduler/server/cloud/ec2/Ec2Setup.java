package io.tern.scheduler.server.cloud.ec2;

import io.tern.scheduler.server.cloud.CloudSetup;
import io.tern.scheduler.server.cloud.PoolsFile;
import io.tern.scheduler.server.cloud.PoolsFile.InvalidPoolsException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.regions.Region;

/** The {@link CloudSetup} of {@code tern scheduler --cloud ec2 --pools FILE}. */
public final class Ec2Setup {
  private Ec2Setup() {}

  /**
   * Autoscaling into EC2 as a pools file parsed for ec2 says. Everything that can be checked
   * without AWS is checked here, before the replica starts: the user data template is read and
   * rendered once. The client is built when the replica opens the connector; credentials are
   * resolved on the first call.
   *
   * @param pools a file from {@link PoolsFile#parseEc2}
   * @param baseDir what a relative {@code ec2.userData} path is relative to (the file's folder)
   * @param credentials e.g. {@code DefaultCredentialsProvider.builder().build()}: environment,
   *     profile, instance role
   * @param clock the connector's clock
   * @throws InvalidPoolsException for a template that cannot be read or rendered
   */
  public static CloudSetup cloudSetup(
      PoolsFile pools, Path baseDir, AwsCredentialsProvider credentials, Clock clock) {
    Ec2Config ec2 = Objects.requireNonNull(pools.ec2(), "not a pools file parsed for ec2");
    UserDataTemplate template = UserDataTemplate.DEFAULT;
    if (ec2.userData() != null) {
      Path path = baseDir.resolve(ec2.userData());
      try {
        template = UserDataTemplate.fromFile(path);
      } catch (IOException e) {
        throw new InvalidPoolsException("ec2.userData: cannot read " + path + ": " + e);
      }
      try {
        template.render(
            Map.of(
                "SCHEDULER", "scheduler:50051",
                "CAPACITY", "spot",
                "POOL", "pool",
                "PRICE", "1.0000"));
      } catch (IllegalArgumentException e) {
        throw new InvalidPoolsException("ec2.userData " + path + ": " + e.getMessage());
      }
    }
    UserDataTemplate userData = template;
    Region region = Region.of(ec2.region());
    return new CloudSetup(
        pools.pools(),
        pools.settings(),
        address ->
            new Ec2CloudConnector(
                Ec2Clients.create(region, ec2.endpoint(), credentials, true),
                pools.ec2Pools(),
                new Ec2Settings(
                    ec2.cluster(),
                    address,
                    ec2.securityGroupIds(),
                    ec2.instanceProfile(),
                    ec2.keyName(),
                    userData),
                clock));
  }
}
