package io.tern.scheduler.server.cloud.ec2;

import java.util.List;
import java.util.Objects;

/**
 * What every EC2 launch shares.
 *
 * @param cluster the value of the {@code tern:node} tag: marks an instance as a node of this Tern
 *     cluster, and {@link Ec2CloudConnector#describe} lists only those
 * @param schedulerAddress the replicas agents connect to, {@code host:port[,host:port...]}
 * @param securityGroupIds security groups (may be empty for the VPC default)
 * @param instanceProfile IAM instance profile name, or null
 * @param keyName SSH key pair name, or null
 * @param userData the agent boot script template
 */
public record Ec2Settings(
    String cluster,
    String schedulerAddress,
    List<String> securityGroupIds,
    String instanceProfile,
    String keyName,
    UserDataTemplate userData) {

  public Ec2Settings {
    Objects.requireNonNull(cluster, "cluster");
    Objects.requireNonNull(schedulerAddress, "schedulerAddress");
    Objects.requireNonNull(userData, "userData");
    securityGroupIds = List.copyOf(securityGroupIds);
  }
}
