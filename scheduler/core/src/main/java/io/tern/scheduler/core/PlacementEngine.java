package io.tern.scheduler.core;

import io.tern.scheduler.core.model.ClusterSnapshot;
import io.tern.scheduler.core.model.QueueSnapshot;
import io.tern.scheduler.core.placement.AllocationTable;
import io.tern.scheduler.core.placement.NodeTable;
import io.tern.scheduler.core.plan.Plan;
import io.tern.scheduler.core.policy.PolicySnapshot;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The scheduling core's one call: immutable snapshots in, a {@link Plan} out.
 *
 * <p>Contract:
 *
 * <ul>
 *   <li>Pure: no I/O, no wall clock ({@code now} is the only time), no mutable state shared by
 *       concurrent calls. The same inputs always give an {@code equals} plan.
 *   <li>Thread-safe: one instance may serve concurrent {@code plan} calls; each call builds its own
 *       working state. Besides its immutable configuration, an engine keeps what the last call
 *       derived from its immutable inputs alone (node table, allocation and job rows), keyed by
 *       object identity, so that the next call given the same node list and mostly the same
 *       allocations reads only what changed. Those tables are pure functions of the objects they
 *       describe: a plan is the same whether they were reused or rebuilt.
 *   <li>Every queued job is either placed or explained; nothing is placed on a node that is not
 *       READY or on an unhealthy GPU; gangs are placed whole or not at all.
 * </ul>
 */
public final class PlacementEngine {

  private final EngineConfig config;
  // Taken by a call and put back when it ends, so concurrent calls never share one; a call that
  // finds it taken derives everything afresh.
  private final AtomicReference<Tables> lastTables = new AtomicReference<>();

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
    Tables previous = lastTables.getAndSet(null);
    NodeTable nodes = NodeTable.of(cluster.nodes(), previous == null ? null : previous.nodes());
    AllocationTable allocations =
        AllocationTable.of(
            cluster.allocations(), nodes, previous == null ? null : previous.allocations());
    JobTable jobs = JobTable.of(queue.jobs(), previous == null ? null : previous.jobs());
    Plan plan =
        new PlanningRound(config, cluster, nodes, allocations, queue, jobs, policy, now).run();
    lastTables.set(new Tables(nodes, allocations, jobs));
    return plan;
  }

  /** What the last call derived from its inputs alone, for the next call to reuse. */
  private record Tables(NodeTable nodes, AllocationTable allocations, JobTable jobs) {}
}
