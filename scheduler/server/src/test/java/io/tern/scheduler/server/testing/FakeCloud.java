package io.tern.scheduler.server.testing;

import io.tern.api.v1.CapacityType;
import io.tern.scheduler.server.cloud.CloudConnector;
import io.tern.scheduler.server.cloud.CloudInstance;
import io.tern.scheduler.server.cloud.LaunchFailure;
import io.tern.scheduler.server.cloud.LaunchRequest;
import io.tern.scheduler.server.cloud.LaunchResult;
import io.tern.scheduler.server.cloud.SpotPrice;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A cloud whose instances are {@link FakeAgent}s of 8 A100s that connect to the scheduler as soon
 * as they are launched, with the instance id as node id. Records launches and terminations; pools
 * listed in {@link #outOfCapacity} fail with INSUFFICIENT_CAPACITY. Thread-safe.
 */
public final class FakeCloud implements CloudConnector {
  public final List<LaunchRequest> launches = new CopyOnWriteArrayList<>();
  public final List<String> terminated = new CopyOnWriteArrayList<>();
  public final Set<String> outOfCapacity = ConcurrentHashMap.newKeySet();

  /** Live agents by node id. */
  public final Map<String, FakeAgent> agents = new ConcurrentHashMap<>();

  private final Map<String, Double> prices;
  private final Map<String, CloudInstance> instances = new TreeMap<>();
  private String target;
  private int next;

  /**
   * @param prices the price each pool's agents report, by pool id
   */
  public FakeCloud(Map<String, Double> prices) {
    this.prices = Map.copyOf(prices);
  }

  /** The opener for {@code CloudSetup}: remembers the scheduler's address. */
  public FakeCloud open(String schedulerAddress) {
    this.target = schedulerAddress;
    return this;
  }

  @Override
  public synchronized LaunchResult launch(LaunchRequest request) {
    launches.add(request);
    if (outOfCapacity.contains(request.poolId())) {
      return new LaunchResult(
          request,
          List.of(),
          List.of(
              new LaunchFailure(
                  request.poolId(),
                  "p4d.24xlarge",
                  "us-east-1a",
                  LaunchFailure.Reason.INSUFFICIENT_CAPACITY,
                  "InsufficientInstanceCapacity",
                  "no capacity")));
    }
    List<CloudInstance> launched = new ArrayList<>();
    for (int i = 0; i < request.count(); i++) {
      String id = "i-fake" + (++next);
      CloudInstance instance =
          new CloudInstance(
              id,
              request.poolId(),
              request.capacityType(),
              "p4d.24xlarge",
              "us-east-1a",
              CloudInstance.State.RUNNING,
              Instant.now());
      instances.put(id, instance);
      launched.add(instance);
      CapacityType capacity =
          request.capacityType() == io.tern.scheduler.core.model.CapacityType.SPOT
              ? CapacityType.CAPACITY_TYPE_SPOT
              : CapacityType.CAPACITY_TYPE_ON_DEMAND;
      FakeAgent agent =
          new FakeAgent(
              target,
              id,
              8,
              capacity,
              request.poolId(),
              prices.getOrDefault(request.poolId(), 0.0));
      agents.put(id, agent.connect());
    }
    return new LaunchResult(request, launched, List.of());
  }

  @Override
  public synchronized List<CloudInstance> describe() {
    return new ArrayList<>(instances.values());
  }

  @Override
  public synchronized void terminate(Collection<String> instanceIds) {
    for (String id : instanceIds) {
      CloudInstance i = instances.get(id);
      if (i == null || i.state() == CloudInstance.State.TERMINATED) {
        continue;
      }
      terminated.add(id);
      instances.put(
          id,
          new CloudInstance(
              id,
              i.poolId(),
              i.capacityType(),
              i.instanceType(),
              i.zone(),
              CloudInstance.State.TERMINATED,
              i.launchedAt()));
      FakeAgent agent = agents.remove(id);
      if (agent != null) {
        agent.close();
      }
    }
  }

  @Override
  public List<SpotPrice> spotPriceHistory(String poolId) {
    return List.of();
  }

  @Override
  public void close() {
    agents.values().forEach(FakeAgent::close);
    agents.clear();
  }
}
