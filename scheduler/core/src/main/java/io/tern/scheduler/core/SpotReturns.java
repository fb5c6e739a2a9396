package io.tern.scheduler.core;

import io.tern.scheduler.core.model.Allocation;
import io.tern.scheduler.core.model.CapacityPreference;
import io.tern.scheduler.core.model.CapacityType;
import io.tern.scheduler.core.model.Job;
import io.tern.scheduler.core.model.NodeAssignment;
import io.tern.scheduler.core.placement.CandidateSearch;
import io.tern.scheduler.core.placement.CapacityTiers;
import io.tern.scheduler.core.placement.ClusterIndex;
import io.tern.scheduler.core.placement.NodeView;
import io.tern.scheduler.core.placement.PlacementRequest;
import io.tern.scheduler.core.plan.CheckpointRequest;
import io.tern.scheduler.core.policy.DeadlineRule;
import io.tern.scheduler.core.policy.PolicySnapshot;
import io.tern.scheduler.core.policy.PoolOffer;
import io.tern.scheduler.core.policy.SpotPolicy;
import io.tern.scheduler.core.policy.SpotPoolHistory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Moves deadline jobs that run on on-demand back to spot. A checkpointable spot-ok job on on-demand
 * is asked to checkpoint (reason {@link CheckpointRequest.Reason#RETURN_TO_SPOT}) when all of these
 * hold:
 *
 * <ul>
 *   <li>spot capacity that fits it is free now, in a pool whose capacity has been back for at least
 *       the configured settle time (hysteresis: a blip of spot does not cost two changeovers), or,
 *       with none free, a settled spot pool it could be launched in;
 *   <li>the deadline stays safe: after the changeover to spot and, should spot be reclaimed at
 *       once, another back to on-demand, the slack is still at least the safety margin;
 *   <li>the expected saving on its remaining work beats the changeover: with reclaim rate λ of the
 *       pool (from its history), work left L and restart overhead d, spot is expected to run {@code
 *       E = (1 - e^(-λL)) / λ} hours before a reclaim, saving {@code (onDemand - spot) × E},
 *       against {@code d × spot + (1 - e^(-λL)) × d × onDemand} (the restart on spot, and the one
 *       back should spot go).
 * </ul>
 *
 * When free spot is scarce it goes to the jobs that gain most (then job id). Every move claims its
 * GPUs in the plan's working index, so two jobs never move to the same free GPUs. Not thread-safe:
 * one per plan call.
 */
final class SpotReturns {
  private final ClusterIndex index;
  private final CandidateSearch search;
  private final PolicySnapshot policy;
  private final DeadlineRule rule;
  private final Duration settle;
  private final Instant now;
  private int moves;

  /** Why each deadline job on on-demand that did not move stays there, by job id, in plan order. */
  private final java.util.Map<String, String> stays = new java.util.LinkedHashMap<>();

  // Computed on the first candidate: the cheapest settled free spot GPU, and nodes per pool.
  private double cheapestFreeSpotPerGpu = Double.NaN;
  private int mostFreeSpotGpus;
  private int mostFreeUnsettledSpotGpus;
  private java.util.Map<String, Integer> nodesPerPool;

  SpotReturns(
      ClusterIndex index,
      CandidateSearch search,
      PolicySnapshot policy,
      DeadlineRule rule,
      Duration settle,
      Instant now) {
    this.index = index;
    this.search = search;
    this.policy = policy;
    this.rule = rule;
    this.settle = settle;
    this.now = now;
  }

  /** Checkpoint requests for the on-demand attempts among {@code withDeadline} that should move. */
  List<CheckpointRequest> plan(List<Allocation> withDeadline) {
    List<Candidate> candidates = new ArrayList<>();
    for (Allocation a : withDeadline) {
      Candidate c = candidate(a);
      if (c != null) {
        candidates.add(c);
      }
    }
    if (candidates.isEmpty()) {
      return List.of();
    }
    candidates.sort(
        Comparator.comparingDouble((Candidate c) -> -c.gain)
            .thenComparing(c -> c.allocation.jobId()));
    List<CheckpointRequest> out = new ArrayList<>();
    for (Candidate c : candidates) {
      Job job = c.allocation.job();
      PlacementRequest request =
          new PlacementRequest(job, CapacityTiers.SPOT_ONLY, JobFacts.priceCap(job));
      CandidateSearch.Choice choice = search.find(request);
      boolean move;
      String stay;
      if (choice != null) {
        String pool = choice.nodes()[0].node().pool();
        boolean settled = settled(pool);
        move = settled && gain(c, spotPrice(choice), pool) > 0;
        stay = settled ? wouldNotPay(c.left) : notSettled();
        if (move) {
          search.commit(request, choice);
        }
      } else {
        // Nothing free (any more): a settled pool it could be launched in, with room for the wait.
        move = c.launchable != null && c.launchSafe;
        stay =
            c.launchable == null
                ? NO_SPOT
                : "no spot capacity is free for it, and its deadline leaves no room to wait for a"
                    + " spot node to be launched";
      }
      if (!move) {
        stays.put(c.allocation.jobId(), stay);
      }
      if (move) {
        moves++;
        out.add(
            new CheckpointRequest(
                c.allocation.jobId(),
                c.allocation.attempt(),
                CheckpointRequest.Reason.RETURN_TO_SPOT));
      }
    }
    return out;
  }

  /** How many moves the last {@link #plan} proposed. */
  int moves() {
    return moves;
  }

  /**
   * Why each checkpointable spot-ok deadline job running on on-demand that the last {@link #plan}
   * did not move back to spot stays there, by job id: for {@code tern explain}.
   */
  java.util.Map<String, String> stays() {
    return stays;
  }

  private static final String NO_SPOT = "no spot capacity fits it now";

  private Candidate candidate(Allocation a) {
    Job job = a.job();
    if (a.stopping()
        || a.capacityType() != CapacityType.ON_DEMAND
        || job.capacity() != CapacityPreference.SPOT_OK
        || job.deadline() == null
        || job.workLeft() == null) {
      return null;
    }
    if (!job.checkpointable()) {
      stays.put(a.jobId(), "it cannot checkpoint, so a move to spot would lose its work");
      return null;
    }
    Duration left = rule.workLeftNow(a, now);
    if (left.isZero()) {
      return null;
    }
    Duration d = rule.restartOverhead();
    // Slack after a changeover to spot and, in the worst case, one straight back.
    Duration slack = Duration.between(now, job.deadline()).minus(left).minus(d).minus(d);
    if (slack.compareTo(rule.safetyMargin()) < 0) {
      stays.put(
          a.jobId(),
          String.format(
              java.util.Locale.ROOT,
              "its deadline is too close to risk spot: %.1f h of work left and %.1f h to the"
                  + " deadline, and a move to spot and back would take %.1f h with a %.1f h margin",
              hours(left),
              hours(Duration.between(now, job.deadline())),
              hours(d.multipliedBy(2)),
              hours(rule.safetyMargin())));
      return null;
    }
    double onDemand = onDemandPrice(a);
    Candidate c = new Candidate(a, hours(left), hours(d), onDemand);
    c.left = left;
    // The best case for ordering: the cheapest settled spot price there is (free or launchable).
    scanFreeSpot();
    double cheapest = Double.POSITIVE_INFINITY;
    if (mostFreeSpotGpus >= job.resources().gpusPerNode()) {
      cheapest = cheapestFreeSpotPerGpu * gpus(a);
    }
    for (PoolOffer p : policy.pools()) {
      if (p.capacityType() == CapacityType.SPOT
          && p.gpusPerNode() >= job.resources().gpusPerNode()
          && job.resources().acceptsModel(p.gpuModel())
          && settled(p.id())
          && room(p)) {
        double price = p.pricePerHourUsd() / Math.max(1, p.gpusPerNode()) * gpus(a);
        if (c.launchable == null || price < c.launchablePrice) {
          c.launchable = p;
          c.launchablePrice = price;
        }
        cheapest = Math.min(cheapest, price);
      }
    }
    if (cheapest == Double.POSITIVE_INFINITY) {
      stays.put(
          a.jobId(),
          mostFreeUnsettledSpotGpus >= job.resources().gpusPerNode() ? notSettled() : NO_SPOT);
      return null;
    }
    c.gain = gain(c, cheapest, null);
    if (!(c.gain > 0)) {
      stays.put(a.jobId(), wouldNotPay(left));
      return null;
    }
    c.launchSafe =
        c.launchable != null
            && gain(c, c.launchablePrice, c.launchable.id()) > 0
            && slack.minus(SpotPolicy.RETURN_TO_SPOT_WAIT).compareTo(rule.safetyMargin()) >= 0;
    return c;
  }

  private boolean settled(String pool) {
    SpotPoolHistory h = policy.spotHistory(pool);
    return h == null || h.settled(now, settle);
  }

  private boolean room(PoolOffer p) {
    int launching = policy.launchingNodes().getOrDefault(p.id(), 0);
    return nodesPerPool.getOrDefault(p.id(), 0) + launching < p.maxNodes();
  }

  /** One pass over the nodes, on the first candidate: free settled spot GPUs, nodes per pool. */
  private void scanFreeSpot() {
    if (nodesPerPool != null) {
      return;
    }
    nodesPerPool = new java.util.HashMap<>();
    double cheapest = Double.POSITIVE_INFINITY;
    for (NodeView v : index.nodes()) {
      nodesPerPool.merge(v.node().pool(), 1, Integer::sum);
      if (v.node().capacityType() == CapacityType.SPOT && v.freeGpuCount() > 0) {
        if (settled(v.node().pool())) {
          cheapest = Math.min(cheapest, v.node().pricePerGpuHourUsd());
          mostFreeSpotGpus = Math.max(mostFreeSpotGpus, v.freeGpuCount());
        } else {
          mostFreeUnsettledSpotGpus = Math.max(mostFreeUnsettledSpotGpus, v.freeGpuCount());
        }
      }
    }
    cheapestFreeSpotPerGpu = cheapest;
  }

  /** Expected saving minus changeover cost of moving to spot at {@code spot} $/h. */
  private double gain(Candidate c, double spot, String pool) {
    // What the running attempt has cost so far counts towards the job's cost guarantee.
    Allocation a = c.allocation;
    double running = hours(Duration.between(a.startedAt(), now)) * c.onDemand;
    Job spent = a.job().toBuilder().spentUsd(a.job().spentUsd() + Math.max(0, running)).build();
    if (!SpotPolicy.spotAffordable(spent, rule.restartOverhead(), c.onDemand, spot, c.left)) {
      return Double.NEGATIVE_INFINITY;
    }
    SpotPoolHistory h = pool == null ? null : policy.spotHistory(pool);
    double rate = h != null ? h.reclaimsPerHour() : SpotPoolHistory.priorReclaimsPerHour();
    double reclaimed = 1 - Math.exp(-rate * c.leftHours);
    double spotHours = reclaimed / rate;
    double saving = (c.onDemand - spot) * spotHours;
    double cost = c.overheadHours * spot + reclaimed * c.overheadHours * c.onDemand;
    return saving - cost;
  }

  private double onDemandPrice(Allocation a) {
    double price = 0;
    for (NodeAssignment na : a.assignments()) {
      NodeView v = index.node(na.nodeId());
      if (v != null) {
        price += v.node().pricePerGpuHourUsd() * Math.max(1, na.gpuIndices().size());
      }
    }
    return price;
  }

  private static double spotPrice(CandidateSearch.Choice choice) {
    double price = 0;
    for (int i = 0; i < choice.nodes().length; i++) {
      price +=
          choice.nodes()[i].node().pricePerGpuHourUsd()
              * Math.max(1, Long.bitCount(choice.gpus()[i]));
    }
    return price;
  }

  private String notSettled() {
    return "the spot capacity that fits it came back less than "
        + settle.toMinutes()
        + " min ago (a job moves to spot once it has stayed that long)";
  }

  private String wouldNotPay(Duration left) {
    return String.format(
        java.util.Locale.ROOT,
        "a move to spot would not pay on its %.1f h of work left (a changeover takes %.1f h)",
        hours(left),
        hours(rule.restartOverhead()));
  }

  private static int gpus(Allocation a) {
    return Math.max(1, a.gpuCount());
  }

  private static double hours(Duration d) {
    return d.toMillis() / 3_600_000.0;
  }

  private static final class Candidate {
    final Allocation allocation;
    final double leftHours;
    final double overheadHours;
    final double onDemand;
    PoolOffer launchable;
    double launchablePrice;
    boolean launchSafe;
    double gain;
    Duration left;

    Candidate(Allocation allocation, double leftHours, double overheadHours, double onDemand) {
      this.allocation = allocation;
      this.leftHours = leftHours;
      this.overheadHours = overheadHours;
      this.onDemand = onDemand;
    }
  }
}
