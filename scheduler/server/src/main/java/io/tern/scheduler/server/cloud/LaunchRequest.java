package io.tern.scheduler.server.cloud;

import io.tern.scheduler.core.model.CapacityType;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Launch {@code count} instances into one pool.
 *
 * @param poolId the pool (as in {@code PoolOffer.id} and the agent's {@code --pool})
 * @param capacityType spot or on-demand; must be the pool's
 * @param count how many instances, at least 1
 * @param tags extra tags for cost attribution ({@code tern:team}, ...), sorted
 * @param forJobIds the pending jobs the instances are meant for (for fallbacks and logs)
 */
public record LaunchRequest(
    String poolId,
    CapacityType capacityType,
    int count,
    SortedMap<String, String> tags,
    List<String> forJobIds) {

  public LaunchRequest {
    Objects.requireNonNull(poolId, "poolId");
    Objects.requireNonNull(capacityType, "capacityType");
    if (count < 1) {
      throw new IllegalArgumentException("count must be >= 1, was " + count);
    }
    tags = Collections.unmodifiableSortedMap(new TreeMap<>(tags));
    forJobIds = List.copyOf(forJobIds);
  }

  public static LaunchRequest of(
      String poolId, CapacityType capacityType, int count, Map<String, String> tags) {
    return new LaunchRequest(poolId, capacityType, count, new TreeMap<>(tags), List.of());
  }
}
