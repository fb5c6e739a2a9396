package io.tern.scheduler.core.placement;

import io.tern.scheduler.core.model.CapacityType;
import io.tern.scheduler.core.model.Job;
import io.tern.scheduler.core.model.NodeAssignment;
import io.tern.scheduler.core.plan.Placement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Finds where a request fits without looking at every node: capacity tiers in order of preference;
 * inside a tier, buckets from the tightest fit (fewest free GPUs that still suffice) upwards, nodes
 * in id order; it stops once {@code candidatesPerJob} feasible nodes (plus the gang size) are found
 * and lets the scorers choose among them. A tier that allows both capacity types has no preference
 * between them, so the cheapest wins: each type is searched on its own (the scorers choosing within
 * it, every type with its own candidates) and the choice with the lowest price per GPU-hour is
 * taken; on equal prices the higher score, then the tier's order (spot first). A job that was
 * interrupted by a reclaim first searches the whole tier outside the reclaimed pool. Not
 * thread-safe: one per plan call.
 */
public final class CandidateSearch {
  private final ClusterIndex index;
  private final FilterChain filters;
  private final ScorerChain scorers;
  private final int candidatesPerJob;
  private NodeView[] found = new NodeView[16];
  private long[] foundGpus = new long[16];
  private double[] foundScore = new double[16];
  private int count;

  /** The summed score of the members {@link #choose} picked last. */
  private double chosenScore;

  /** One single-type tier per capacity type, by ordinal. */
  private static final Set<CapacityType>[] SINGLE = singles();

  @SuppressWarnings("unchecked")
  private static Set<CapacityType>[] singles() {
    CapacityType[] types = CapacityType.values();
    Set<CapacityType>[] sets = new Set[types.length];
    for (CapacityType t : types) {
      sets[t.ordinal()] = java.util.Collections.unmodifiableSet(java.util.EnumSet.of(t));
    }
    return sets;
  }

  public CandidateSearch(
      ClusterIndex index, FilterChain filters, ScorerChain scorers, int candidatesPerJob) {
    this.index = index;
    this.filters = filters;
    this.scorers = scorers;
    this.candidatesPerJob = candidatesPerJob;
  }

  /**
   * Where the request fits best, or null when it fits nowhere. Changes nothing; the caller commits
   * a choice with {@link #commit}.
   */
  public Choice find(PlacementRequest request) {
    int members = request.nodes();
    int limit = candidatesPerJob + members - 1;
    String avoid = request.job().lastReclaimedPool();
    for (Set<CapacityType> tier : request.tiers()) {
      Choice c = findInTier(request, tier, avoid, limit, members);
      if (c == null && avoid != null) {
        c = findInTier(request, tier, null, limit, members);
      }
      if (c != null) {
        return c;
      }
    }
    return null;
  }

  private Choice findInTier(
      PlacementRequest request, Set<CapacityType> tier, String avoid, int limit, int members) {
    if (tier.size() == 1) {
      collect(request, tier, avoid, limit);
      return count >= members ? choose(request, members) : null;
    }
    // Both types, no preference: the cheapest wins. A gang also runs on one capacity type this way
    // (a reclaim of part of it would stall all of it anyway).
    Choice best = null;
    double bestPrice = 0;
    double bestScore = 0;
    for (CapacityType type : tier) {
      collect(request, SINGLE[type.ordinal()], avoid, limit);
      if (count < members) {
        continue;
      }
      Choice c = choose(request, members);
      double price = pricePerGpuHour(c);
      if (best == null || price < bestPrice || (price == bestPrice && chosenScore > bestScore)) {
        best = c;
        bestPrice = price;
        bestScore = chosenScore;
      }
    }
    return best;
  }

  /** What a choice costs per GPU-hour: its nodes' prices, weighted by the GPUs it takes on each. */
  private static double pricePerGpuHour(Choice c) {
    double usd = 0;
    long gpus = 0;
    for (int i = 0; i < c.nodes().length; i++) {
      int n = Long.bitCount(c.gpus()[i]);
      usd += c.nodes()[i].node().pricePerGpuHourUsd() * n;
      gpus += n;
    }
    return gpus == 0 ? 0 : usd / gpus;
  }

  /** Gives the chosen GPUs to the request's job in the working index. */
  public void commit(PlacementRequest request, Choice choice) {
    for (int i = 0; i < choice.nodes().length; i++) {
      index.take(choice.nodes()[i], choice.gpus()[i], request);
    }
  }

  private void collect(PlacementRequest request, Set<CapacityType> tier, String avoid, int limit) {
    count = 0;
    var groups = index.groups();
    int g = request.gpusPerNode();
    if (request.shareable()) {
      for (ClusterIndex.Group group : groups) {
        if (inTier(group, tier, request)) {
          scan(request, group.shared, avoid, limit);
          if (count >= limit) {
            return;
          }
        }
      }
    }
    for (int free = g; free <= index.maxGpusPerNode(); free++) {
      for (ClusterIndex.Group group : groups) {
        if (inTier(group, tier, request)) {
          scan(request, group.byFree[free], avoid, limit);
          if (count >= limit) {
            return;
          }
        }
      }
    }
  }

  private static boolean inTier(
      ClusterIndex.Group group, Set<CapacityType> tier, PlacementRequest request) {
    // A group whose model is refused is skipped whole; mixed-model nodes are still judged GPU by
    // GPU by the model filter, since a group is keyed by the node's first GPU.
    return tier.contains(group.capacityType) && request.resources().acceptsModel(group.model);
  }

  private void scan(PlacementRequest request, java.util.BitSet bucket, String avoid, int limit) {
    NodeView[] nodes = index.nodes();
    for (int i = bucket.nextSetBit(0); i >= 0; i = bucket.nextSetBit(i + 1)) {
      NodeView v = nodes[i];
      if (avoid != null && avoid.equals(v.node().pool())) {
        continue;
      }
      if (alreadyFound(v)) {
        continue;
      }
      if (!filters.nodeAccepts(request, v)) {
        continue;
      }
      long usable = filters.usableGpus(request, v);
      if (Long.bitCount(usable) < request.gpusPerNode()) {
        continue;
      }
      long gpus = GpuSelection.choose(v, usable, request.gpusPerNode(), request.shareable());
      add(v, gpus, scorers.score(request, v, gpus));
      if (count >= limit) {
        return;
      }
    }
  }

  private boolean alreadyFound(NodeView v) {
    for (int i = 0; i < count; i++) {
      if (found[i] == v) {
        return true;
      }
    }
    return false;
  }

  private void add(NodeView v, long gpus, double score) {
    if (count == found.length) {
      found = java.util.Arrays.copyOf(found, count * 2);
      foundGpus = java.util.Arrays.copyOf(foundGpus, count * 2);
      foundScore = java.util.Arrays.copyOf(foundScore, count * 2);
    }
    found[count] = v;
    foundGpus[count] = gpus;
    foundScore[count] = score;
    count++;
  }

  /** The best {@code members} candidates: score descending, then node id (position) ascending. */
  private Choice choose(PlacementRequest request, int members) {
    NodeView[] nodes = new NodeView[members];
    long[] gpus = new long[members];
    boolean[] used = new boolean[count];
    chosenScore = 0;
    for (int m = 0; m < members; m++) {
      int best = -1;
      for (int i = 0; i < count; i++) {
        if (used[i]) {
          continue;
        }
        if (best < 0
            || foundScore[i] > foundScore[best]
            || (foundScore[i] == foundScore[best]
                && found[i].position() < found[best].position())) {
          best = i;
        }
      }
      used[best] = true;
      chosenScore += foundScore[best];
      nodes[m] = found[best];
      gpus[m] = foundGpus[best];
    }
    // Assignments are reported in node-id order.
    for (int a = 1; a < members; a++) {
      for (int b = a; b > 0 && nodes[b - 1].position() > nodes[b].position(); b--) {
        NodeView t = nodes[b];
        nodes[b] = nodes[b - 1];
        nodes[b - 1] = t;
        long tg = gpus[b];
        gpus[b] = gpus[b - 1];
        gpus[b - 1] = tg;
      }
    }
    boolean shared = false;
    for (int m = 0; m < members; m++) {
      shared |= (gpus[m] & nodes[m].sharedGpus()) != 0;
    }
    return new Choice(nodes, gpus, nodes[0].node().capacityType(), shared);
  }

  /**
   * Where a request goes: one node per gang member, sorted by node id.
   *
   * @param nodes the nodes
   * @param gpus the GPU mask taken on each node
   * @param capacityType capacity type of the first node (a gang may mix types only within a tier
   *     that allows both)
   * @param shared whether any GPU is shared with other shareable jobs
   */
  public record Choice(NodeView[] nodes, long[] gpus, CapacityType capacityType, boolean shared) {

    /** The placement of {@code job}'s next attempt on this choice. */
    public Placement toPlacement(Job job) {
      List<NodeAssignment> assignments = new ArrayList<>(nodes.length);
      for (int i = 0; i < nodes.length; i++) {
        List<Integer> indices = new ArrayList<>(Long.bitCount(gpus[i]));
        for (long m = gpus[i]; m != 0; m &= m - 1) {
          indices.add(Long.numberOfTrailingZeros(m));
        }
        assignments.add(new NodeAssignment(nodes[i].node().id(), indices));
      }
      return new Placement(job.id(), job.attempt() + 1, assignments, capacityType, shared);
    }
  }
}
