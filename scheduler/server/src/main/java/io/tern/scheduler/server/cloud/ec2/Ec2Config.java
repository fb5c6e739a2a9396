package io.tern.scheduler.server.cloud.ec2;

import java.net.URI;
import java.util.List;
import java.util.Objects;

/**
 * The {@code ec2} section of a pools file: where and how the connector launches.
 *
 * @param region the region, e.g. {@code us-east-1}
 * @param endpoint an endpoint override (a VPC endpoint, a test server), or null for AWS's
 * @param cluster the value of the {@code tern:node} tag on every instance
 * @param securityGroupIds security groups (empty for the VPC default)
 * @param instanceProfile IAM instance profile name, or null
 * @param keyName SSH key pair name, or null
 * @param userData path of the boot script template (relative to the pools file), or null for {@link
 *     UserDataTemplate#DEFAULT}
 */
public record Ec2Config(
    String region,
    URI endpoint,
    String cluster,
    List<String> securityGroupIds,
    String instanceProfile,
    String keyName,
    String userData) {

  public Ec2Config {
    Objects.requireNonNull(region, "region");
    Objects.requireNonNull(cluster, "cluster");
    securityGroupIds = List.copyOf(securityGroupIds);
  }
}
