package io.tern.scheduler.core;

import io.tern.scheduler.core.model.ClusterSnapshot;
import io.tern.scheduler.core.model.QueueSnapshot;
import io.tern.scheduler.core.plan.Plan;
import io.tern.scheduler.core.policy.PolicySnapshot;
import java.time.Instant;
import java.util.Objects;

/**
 * The scheduling core's one call: immutable snapshots in, a {@link Plan} out.
 *
 * <p>Contract:
 *
 * <ul>
 *   <li>Pure: no I/O, no wall clock ({@code now} is the only time), no shared mutable state. The
 *       same inputs always give an {@code equals} plan.
 *   <li>Thread-safe: an engine holds only its immutable configuration, so one instance may serve
 *       concurrent {@code plan} calls (each call builds its own working state).
 *   <li>Every queued job is either placed or explained; nothing is placed on a node that is not
 *       READY or on an unhealthy GPU; gangs are placed whole or not at all.
 * </ul>
 */
public final class PlacementEngine {

  private final EngineConfig config;

  public PlacementEngine(EngineConfig config) {
    this.config = Objects.requireNonNull(config, "config");
  }

  /** An engine with {@link EngineConfig#defaults()}. */
  public PlacementEngine() {
    this(EngineConfig.defaults());
  }

  public EngineConfig config() {
    return config;
  }

  /**
   * Plans one scheduling round.
   *
   * @param cluster nodes with live telemetry and the running allocations
   * @param queue pending and held jobs
   * @param policy off-peak window, team quotas and budgets, launchable pools
   * @param now the plan's notion of the current time
   * @return placements, preemptions, checkpoint requests, capacity requests, node releases and a
   *     reason for every job left pending
   */
  public Plan plan(
      ClusterSnapshot cluster, QueueSnapshot queue, PolicySnapshot policy, Instant now) {
    Objects.requireNonNull(cluster, "cluster");
    Objects.requireNonNull(queue, "queue");
    Objects.requireNonNull(policy, "policy");
    Objects.requireNonNull(now, "now");
    return new PlanningRound(config, cluster, queue, policy, now).run();
  }
}
