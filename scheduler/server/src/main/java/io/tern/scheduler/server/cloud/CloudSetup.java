package io.tern.scheduler.server.cloud;

import io.tern.scheduler.core.policy.PoolOffer;
import java.util.List;
import java.util.Objects;

/**
 * How a scheduler replica autoscales: the pools it may launch into, how, and the connector that
 * launches. The connector is opened once the replica knows its own address (agents it starts must
 * reach it), and only then.
 *
 * @param pools the pools, offered to the core while leading
 * @param settings cool-downs, timeouts, idle grace, spending cap
 * @param connector opens the connector given this replica's advertised {@code host:port}; null for
 *     no cloud (nodes are only the agents started by hand)
 */
public record CloudSetup(List<PoolOffer> pools, ScalingSettings settings, Opener connector) {

  /** Opens a connector; called once, from the thread that starts the replica. */
  @FunctionalInterface
  public interface Opener {
    CloudConnector open(String schedulerAddress);
  }

  public CloudSetup {
    pools = List.copyOf(pools);
    Objects.requireNonNull(settings, "settings");
  }

  /** No cloud: today's behavior, nodes come only from agents started by hand. */
  public static CloudSetup none() {
    return new CloudSetup(List.of(), ScalingSettings.defaults(), null);
  }

  public boolean enabled() {
    return connector != null;
  }
}
