package io.tern.scheduler.server.cloud.local;

import io.tern.scheduler.core.model.CapacityType;
import java.util.Objects;

/**
 * A pool of agent processes on this machine.
 *
 * @param id the pool id the agents report ({@code --pool})
 * @param capacityType what the agents claim to be (the demo reclaims "spot" ones)
 * @param gpus the simulated GPUs of each agent, e.g. {@code sim:4xH100} or {@code sim:2xL4:24}
 * @param pricePerHourUsd the price each agent reports ({@code --price})
 * @param maxInstances more live instances than this fail with INSUFFICIENT_CAPACITY, as a cloud
 *     pool out of capacity would
 */
public record LocalPool(
    String id, CapacityType capacityType, String gpus, double pricePerHourUsd, int maxInstances) {

  public LocalPool {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(capacityType, "capacityType");
    Objects.requireNonNull(gpus, "gpus");
    if (maxInstances < 0 || !(pricePerHourUsd >= 0)) {
      throw new IllegalArgumentException("pool " + id + ": bad price or size");
    }
  }
}
