package io.tern.scheduler.server.cloud;

import io.tern.scheduler.core.model.CapacityType;
import io.tern.scheduler.core.plan.CapacityRequest;
import io.tern.scheduler.core.policy.Budget;
import io.tern.scheduler.core.policy.PoolOffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Decides launches, fallbacks and terminations for the cloud pools; does no I/O. The scheduler loop
 * owns it: it turns the core's {@link CapacityRequest}s into {@link LaunchRequest}s (which a cloud
 * worker runs through a {@link CloudConnector}), hears back each {@link LaunchResult}, and tells it
 * which nodes registered.
 *
 * <p>Guards applied to every launch, in order: the pool is known and not cooling down; at least one
 * of the jobs it is for belongs to a team under its hard budget (and, for on-demand, under its soft
 * budget: past soft, a team runs on spot only); the pool stays within {@code maxNodes} counting
 * registered, launching and in-flight nodes; the fleet stays within {@code maxHourlyUsd}.
 *
 * <p>On a launch that came back short with a capacity, price or limit error, the pool cools down
 * (it leaves {@link #availablePools()}, which the loop puts into the core's {@code PolicySnapshot},
 * so the core stops planning on it) and the shortfall goes at once to the cheapest other pool of
 * the same capacity type and at least the same shape (GPU model, GPUs, GPU memory, CPU, memory),
 * then, for spot, to such an on-demand pool when every job it is for may run on on-demand.
 *
 * <p>Not thread-safe: one instance per leader term, used only on the loop thread. Deterministic for
 * the same calls and clock.
 */
public final class FleetScaler {
  /** Tag with the teams whose jobs a launch is for: AWS cost allocation can group by it. */
  public static final String TEAM_TAG = "tern:team";

  private final SortedMap<String, PoolOffer> pools = new TreeMap<>();
  private final ScalingSettings settings;
  private final Clock clock;
  private final Map<String, Instant> cooling = new HashMap<>();
  private final Map<String, Integer> inFlight = new HashMap<>();

  /** Launched, not registered: instance id → its pool and launch time. */
  private final Map<String, CloudInstance> launching = new LinkedHashMap<>();

  private final Set<String> terminating = new HashSet<>();

  public FleetScaler(Collection<PoolOffer> pools, ScalingSettings settings, Clock clock) {
    for (PoolOffer p : pools) {
      if (this.pools.put(p.id(), p) != null) {
        throw new IllegalArgumentException("pool " + p.id() + " listed twice");
      }
    }
    this.settings = settings;
    this.clock = clock;
  }

  /** Pools the core may plan on now: all pools except those cooling down, sorted by id. */
  public List<PoolOffer> availablePools() {
    Instant now = clock.instant();
    List<PoolOffer> out = new ArrayList<>();
    for (PoolOffer p : pools.values()) {
      if (!isCooling(p.id(), now)) {
        out.add(p);
      }
    }
    return out;
  }

  /** Pools cooling down now, with the time each may be tried again. */
  public SortedMap<String, Instant> coolingPools() {
    Instant now = clock.instant();
    SortedMap<String, Instant> out = new TreeMap<>();
    cooling.forEach(
        (pool, until) -> {
          if (until.isAfter(now)) {
            out.put(pool, until);
          }
        });
    return out;
  }

  /**
   * Nodes asked for and not registered yet, per pool: for {@code
   * PolicySnapshot.withLaunchingNodes}, so the core packs jobs onto them instead of asking again.
   */
  public SortedMap<String, Integer> launchingNodes() {
    SortedMap<String, Integer> out = new TreeMap<>();
    inFlight.forEach((pool, n) -> out.merge(pool, n, Integer::sum));
    for (CloudInstance i : launching.values()) {
      out.merge(i.poolId(), 1, Integer::sum);
    }
    out.values().removeIf(n -> n == 0);
    return out;
  }

  /** Turns a plan's capacity requests into launches; records them as in flight. */
  public List<LaunchRequest> launches(List<CapacityRequest> requests, ScalingContext context) {
    List<LaunchRequest> out = new ArrayList<>();
    for (CapacityRequest r : requests) {
      PoolOffer pool = pools.get(r.poolId());
      if (pool == null) {
        continue;
      }
      LaunchRequest launch =
          isCooling(pool.id(), clock.instant())
              ? fallback(pool, r.count(), r.forJobIds(), context)
              : guarded(pool, r.count(), r.forJobIds(), context);
      if (launch != null) {
        out.add(launch);
      }
    }
    return out;
  }

  /**
   * Hears back a launch: tracks what started, cools the pool down and falls back on a shortfall.
   */
  public ScalingStep onLaunchResult(LaunchResult result, ScalingContext context) {
    LaunchRequest request = result.request();
    inFlight.merge(request.poolId(), -request.count(), Integer::sum);
    if (inFlight.getOrDefault(request.poolId(), 0) <= 0) {
      inFlight.remove(request.poolId());
    }
    for (CloudInstance i : result.launched()) {
      launching.put(i.id(), i.launchedAt() != null ? i : withLaunchedAt(i, clock.instant()));
    }
    LaunchFailure.Reason reason = result.finalReason();
    if (reason == null || !reason.tryElsewhere()) {
      return new ScalingStep(List.of(), List.of());
    }
    Instant until = clock.instant().plus(settings.coolDown());
    cooling.put(request.poolId(), until);
    PoolCooldown cooldown = new PoolCooldown(request.poolId(), reason, until);
    PoolOffer pool = pools.get(request.poolId());
    LaunchRequest next =
        pool == null ? null : fallback(pool, result.shortfall(), request.forJobIds(), context);
    return new ScalingStep(next == null ? List.of() : List.of(next), List.of(cooldown));
  }

  /** A node registered: it no longer counts as launching. */
  public void onNodeRegistered(String nodeId) {
    launching.remove(nodeId);
  }

  /**
   * Idle cloud nodes past the grace period, to terminate; each is returned once. Nodes of pools
   * this scaler does not know (your own hosts, local agents started by hand) are never returned.
   */
  public List<String> scaleIn(Collection<IdleNode> idle) {
    Instant now = clock.instant();
    SortedSet<String> out = new TreeSet<>();
    for (IdleNode n : idle) {
      if (pools.containsKey(n.poolId())
          && !terminating.contains(n.nodeId())
          && Duration.between(n.idleSince(), now).compareTo(settings.idleGrace()) >= 0) {
        out.add(n.nodeId());
      }
    }
    terminating.addAll(out);
    return new ArrayList<>(out);
  }

  /**
   * Compares the connector's instances with the registered nodes. A new leader calls it once before
   * its first launch (it adopts instances still booting as launching), then periodically.
   *
   * @param described what {@link CloudConnector#describe()} returned
   * @param registered the nodes registered now (node id → pool id), in any pool
   */
  public Reconciliation reconcile(List<CloudInstance> described, Map<String, String> registered) {
    Instant now = clock.instant();
    Map<String, CloudInstance> byId = new HashMap<>();
    SortedSet<String> terminate = new TreeSet<>();
    for (CloudInstance i : described) {
      byId.put(i.id(), i);
      if (!i.state().live() || registered.containsKey(i.id())) {
        launching.remove(i.id());
        continue;
      }
      CloudInstance known = launching.get(i.id());
      Instant since = known != null ? known.launchedAt() : i.launchedAt();
      if (since == null) {
        since = now;
      }
      if (Duration.between(since, now).compareTo(settings.registrationTimeout()) >= 0) {
        terminate.add(i.id());
        launching.remove(i.id());
      } else if (known == null && pools.containsKey(i.poolId())) {
        launching.put(i.id(), withLaunchedAt(i, since));
      }
    }
    // A launched instance the provider no longer lists is not coming.
    launching.keySet().removeIf(id -> !byId.containsKey(id));
    SortedSet<String> lost = new TreeSet<>();
    registered.forEach(
        (nodeId, poolId) -> {
          CloudInstance i = byId.get(nodeId);
          boolean gone = i == null ? pools.containsKey(poolId) : !i.state().live();
          if (gone) {
            lost.add(nodeId);
          }
        });
    terminating.retainAll(byId.keySet());
    terminating.addAll(terminate);
    return new Reconciliation(new ArrayList<>(terminate), new ArrayList<>(lost));
  }

  // ---- decisions ---------------------------------------------------------------------------

  private LaunchRequest guarded(
      PoolOffer pool, int count, List<String> jobs, ScalingContext context) {
    SortedSet<String> teams = new TreeSet<>();
    List<String> allowed = new ArrayList<>();
    for (String job : jobs) {
      String team = context.teamOfJob().apply(job);
      Budget.Status status =
          team == null ? Budget.Status.WITHIN : context.policy().team(team).budget().status();
      boolean blocked =
          status == Budget.Status.HARD_EXCEEDED
              || (status == Budget.Status.SOFT_EXCEEDED
                  && pool.capacityType() == CapacityType.ON_DEMAND);
      if (!blocked) {
        allowed.add(job);
        if (team != null) {
          teams.add(team);
        }
      }
    }
    if (!jobs.isEmpty() && allowed.isEmpty()) {
      return null;
    }
    int n = Math.min(count, pool.maxNodes() - nodesIn(pool.id(), context));
    if (pool.pricePerHourUsd() > 0 && settings.maxHourlyUsd() != Double.POSITIVE_INFINITY) {
      double room = settings.maxHourlyUsd() - fleetHourlyUsd(context);
      n = Math.min(n, (int) Math.floor(room / pool.pricePerHourUsd() + 1e-9));
    }
    if (n <= 0) {
      return null;
    }
    inFlight.merge(pool.id(), n, Integer::sum);
    SortedMap<String, String> tags = new TreeMap<>();
    if (!teams.isEmpty()) {
      tags.put(TEAM_TAG, String.join(",", teams));
    }
    return new LaunchRequest(pool.id(), pool.capacityType(), n, tags, allowed);
  }

  private LaunchRequest fallback(
      PoolOffer failed, int count, List<String> jobs, ScalingContext context) {
    if (count <= 0) {
      return null;
    }
    List<PoolOffer> candidates = candidates(failed, failed.capacityType());
    if (failed.capacityType() == CapacityType.SPOT
        && settings.onDemandFallback()
        && !jobs.isEmpty()
        && jobs.stream().allMatch(context.mayUseOnDemand())) {
      candidates.addAll(candidates(failed, CapacityType.ON_DEMAND));
    }
    for (PoolOffer p : candidates) {
      LaunchRequest launch = guarded(p, count, jobs, context);
      if (launch != null) {
        return launch;
      }
    }
    return null;
  }

  /** Other pools of a capacity type at least the failed pool's shape, cheapest first. */
  private List<PoolOffer> candidates(PoolOffer failed, CapacityType type) {
    Instant now = clock.instant();
    List<PoolOffer> out = new ArrayList<>();
    for (PoolOffer p : pools.values()) {
      if (!p.id().equals(failed.id())
          && p.capacityType() == type
          && !isCooling(p.id(), now)
          && p.gpuModel().equals(failed.gpuModel())
          && p.gpusPerNode() >= failed.gpusPerNode()
          && p.gpuMemoryMiB() >= failed.gpuMemoryMiB()
          && p.cpu() >= failed.cpu()
          && p.memoryMiB() >= failed.memoryMiB()) {
        out.add(p);
      }
    }
    out.sort(Comparator.comparingDouble(PoolOffer::pricePerHourUsd).thenComparing(PoolOffer::id));
    return out;
  }

  private int nodesIn(String poolId, ScalingContext context) {
    return context.registeredNodes().getOrDefault(poolId, 0)
        + launchingNodes().getOrDefault(poolId, 0);
  }

  private double fleetHourlyUsd(ScalingContext context) {
    Map<String, Integer> counts = new HashMap<>(launchingNodes());
    context.registeredNodes().forEach((pool, n) -> counts.merge(pool, n, Integer::sum));
    double sum = 0;
    for (var e : counts.entrySet()) {
      PoolOffer p = pools.get(e.getKey());
      if (p != null) {
        sum += p.pricePerHourUsd() * e.getValue();
      }
    }
    return sum;
  }

  private boolean isCooling(String poolId, Instant now) {
    Instant until = cooling.get(poolId);
    return until != null && until.isAfter(now);
  }

  private static CloudInstance withLaunchedAt(CloudInstance i, Instant at) {
    return new CloudInstance(
        i.id(), i.poolId(), i.capacityType(), i.instanceType(), i.zone(), i.state(), at);
  }

  /** For tests and logs: instances launched and not registered, sorted. */
  Set<String> launchingInstances() {
    return Collections.unmodifiableSet(new TreeSet<>(launching.keySet()));
  }
}
