package io.tern.scheduler.core.policy;

import io.tern.scheduler.core.model.CapacityType;
import io.tern.scheduler.core.model.Node;
import io.tern.scheduler.core.model.Resources;
import io.tern.scheduler.core.placement.PlacementRequest;
import io.tern.scheduler.core.plan.CapacityRequest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Turns jobs that fit no existing node into capacity requests: for each job in queue order, the
 * first capacity tier with an eligible pool, the cheapest pool per GPU-hour (then id) that has the
 * GPU count, model, memory and cost-cap room, avoiding the pool that last reclaimed the job when
 * another will do. Jobs are packed first-fit onto nodes already launching and nodes requested
 * earlier in this plan, so a plan never asks twice for the same room. Pools stop at their {@code
 * maxNodes}; the plan stops at {@code maxNodesPerPlan}; a team whose hard budget cannot pay for an
 * hour of the nodes gets none. Not thread-safe: one per plan call.
 */
public final class CapacityPlanner {
  private final PolicySnapshot policy;
  private final int maxNodesPerPlan;
  private final Map<String, Integer> nodesInPool = new HashMap<>();
  private final Map<String, List<int[]>> openNodes = new HashMap<>();
  private final Map<String, Integer> requested = new TreeMap<>();
  private final Map<String, List<String>> jobsByPool = new LinkedHashMap<>();
  private int requestedTotal;

  public CapacityPlanner(PolicySnapshot policy, List<Node> nodes, int maxNodesPerPlan) {
    this.policy = policy;
    this.maxNodesPerPlan = maxNodesPerPlan;
    for (Node n : nodes) {
      nodesInPool.merge(n.pool(), 1, Integer::sum);
    }
    for (PoolOffer p : policy.pools()) {
      int launching = policy.launchingNodes().getOrDefault(p.id(), 0);
      List<int[]> open = new ArrayList<>();
      for (int i = 0; i < launching; i++) {
        open.add(new int[] {p.gpusPerNode()});
      }
      openNodes.put(p.id(), open);
    }
  }

  /**
   * Finds room for one blocked job on launching or newly requested capacity.
   *
   * @return the pool it will wait for, or null when no eligible pool has room
   */
  public PoolOffer offer(PlacementRequest request) {
    for (Set<CapacityType> tier : request.tiers()) {
      PoolOffer best = null;
      for (int pass = 0; pass < 2 && best == null; pass++) {
        String avoid = pass == 0 ? request.job().lastReclaimedPool() : null;
        if (pass == 1 && avoid == null) {
          break;
        }
        for (PoolOffer p : policy.pools()) {
          if (tier.contains(p.capacityType())
              && !p.id().equals(avoid)
              && fits(request, p)
              && affordable(request, p)
              && roomFor(request, p, false)
              && (best == null || cheaper(p, best))) {
            best = p;
          }
        }
      }
      if (best != null) {
        roomFor(request, best, true);
        jobsByPool.computeIfAbsent(best.id(), k -> new ArrayList<>()).add(request.job().id());
        return best;
      }
    }
    return null;
  }

  /** The requests collected so far, sorted by pool id. */
  public List<CapacityRequest> requests() {
    List<CapacityRequest> out = new ArrayList<>();
    for (PoolOffer p : policy.pools()) {
      int n = requested.getOrDefault(p.id(), 0);
      if (n > 0) {
        out.add(new CapacityRequest(p.id(), n, p.capacityType(), jobsByPool.get(p.id())));
      }
    }
    return out;
  }

  /**
   * Budget guardrail for launches: the team's hard budget must still cover an hour of the nodes
   * this job would need (a team past its hard limit never gets here: its jobs are held).
   */
  private boolean affordable(PlacementRequest request, PoolOffer p) {
    Budget budget = policy.team(request.job().team()).budget();
    double left = budget.hardLimitUsd() - budget.spentUsd();
    return left == Double.POSITIVE_INFINITY || left >= p.pricePerHourUsd() * request.nodes();
  }

  private static boolean cheaper(PoolOffer a, PoolOffer b) {
    int c = Double.compare(perGpu(a), perGpu(b));
    return c < 0 || (c == 0 && a.id().compareTo(b.id()) < 0);
  }

  private static double perGpu(PoolOffer p) {
    return p.gpusPerNode() == 0 ? p.pricePerHourUsd() : p.pricePerHourUsd() / p.gpusPerNode();
  }

  private static boolean fits(PlacementRequest request, PoolOffer p) {
    Resources r = request.resources();
    double share =
        p.gpusPerNode() == 0 || r.gpusPerNode() == 0
            ? p.pricePerHourUsd()
            : p.pricePerHourUsd() * r.gpusPerNode() / p.gpusPerNode();
    return p.gpusPerNode() >= r.gpusPerNode()
        && r.acceptsModel(p.gpuModel())
        && p.gpuMemoryMiB() >= r.gpuMemoryMiB()
        && p.cpu() >= r.cpu()
        && p.memoryMiB() >= r.memoryMiB()
        && share <= request.maxJobPricePerHourUsd();
  }

  /** Whether the gang fits on open nodes plus new ones within limits; takes the room if asked. */
  private boolean roomFor(PlacementRequest request, PoolOffer p, boolean take) {
    int g = request.gpusPerNode();
    List<int[]> open = openNodes.get(p.id());
    List<int[]> used = new ArrayList<>();
    int members = request.nodes();
    for (int[] node : open) {
      if (members == 0) {
        break;
      }
      if (node[0] >= g) {
        used.add(node);
        members--;
      }
    }
    int current =
        nodesInPool.getOrDefault(p.id(), 0)
            + policy.launchingNodes().getOrDefault(p.id(), 0)
            + requested.getOrDefault(p.id(), 0);
    if (members > 0
        && (current + members > p.maxNodes() || requestedTotal + members > maxNodesPerPlan)) {
      return false;
    }
    if (take) {
      for (int[] node : used) {
        node[0] -= g;
      }
      for (int i = 0; i < members; i++) {
        open.add(new int[] {p.gpusPerNode() - g});
      }
      requested.merge(p.id(), members, Integer::sum);
      requestedTotal += members;
    }
    return true;
  }
}
