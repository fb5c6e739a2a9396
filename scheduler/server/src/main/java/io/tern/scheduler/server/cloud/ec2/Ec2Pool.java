package io.tern.scheduler.server.cloud.ec2;

import io.tern.scheduler.core.model.CapacityType;
import java.util.List;
import java.util.Objects;

/**
 * An EC2 pool: interchangeable instance types (same GPU model and count, so the core can plan on
 * the pool as one shape) across one or more zones, bought one way.
 *
 * @param id the pool id nodes report ({@code --pool}) and the core plans on
 * @param capacityType spot or on-demand
 * @param instanceTypes instance types to try, most preferred first
 * @param placements zones (with an optional subnet each) to try, most preferred first
 * @param imageId the AMI, with {@code tern} and a JDK installed
 * @param pricePerHourUsd the price the agent reports and the ledger bills (for spot: the expected
 *     price; the ledger's spot figures are only as good as this)
 * @param maxSpotPriceUsd the most to pay per spot instance-hour, or null for the on-demand price
 */
public record Ec2Pool(
    String id,
    CapacityType capacityType,
    List<String> instanceTypes,
    List<Placement> placements,
    String imageId,
    double pricePerHourUsd,
    String maxSpotPriceUsd) {

  public Ec2Pool {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(capacityType, "capacityType");
    Objects.requireNonNull(imageId, "imageId");
    instanceTypes = List.copyOf(instanceTypes);
    placements = List.copyOf(placements);
    if (instanceTypes.isEmpty() || placements.isEmpty()) {
      throw new IllegalArgumentException("pool " + id + " needs instance types and placements");
    }
  }

  /**
   * A zone to launch in.
   *
   * @param zone e.g. {@code us-east-1a}
   * @param subnetId the subnet in that zone, or null for the default VPC's
   */
  public record Placement(String zone, String subnetId) {
    public Placement {
      Objects.requireNonNull(zone, "zone");
    }
  }
}
