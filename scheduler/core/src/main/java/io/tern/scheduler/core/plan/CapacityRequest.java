package io.tern.scheduler.core.plan;

import io.tern.scheduler.core.model.CapacityType;
import java.util.List;

/**
 * Ask the cloud connector for more nodes.
 *
 * @param poolId the pool to launch into
 * @param count how many nodes
 * @param capacityType the pool's capacity type
 * @param forJobIds the pending jobs these nodes are meant for, in queue order
 */
public record CapacityRequest(
    String poolId, int count, CapacityType capacityType, List<String> forJobIds) {

  public CapacityRequest {
    forJobIds = List.copyOf(forJobIds);
  }
}
