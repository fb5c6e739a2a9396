package io.tern.scheduler.server.loop;

import io.tern.scheduler.core.plan.Plan;
import io.tern.scheduler.core.policy.PolicySnapshot;
import io.tern.scheduler.core.policy.PoolOffer;
import java.util.List;

/**
 * What the planner and the agent sessions ask of the cloud fleet ({@link Autoscaler}): which pools
 * the core may launch into, which nodes are going away, and what a plan asked for. Loop thread
 * only.
 */
interface Fleet {
  /** The policy with the pools the core may plan on now and the nodes already launching. */
  PolicySnapshot withPools(PolicySnapshot policy);

  /** Whether {@code nodeId} is being given back (the planner must not place on it). */
  boolean releasing(String nodeId);

  /** After a plan: launches for its capacity requests; releases for its node releases. */
  void afterPlan(LeaderTerm term, Plan plan, PolicySnapshot policy);

  /** Every pool the cloud connector may launch into; none without one. */
  List<PoolOffer> pools();

  /** A node registered: if it was launched, it no longer counts as launching. */
  void onRegistered(String nodeId);
}
