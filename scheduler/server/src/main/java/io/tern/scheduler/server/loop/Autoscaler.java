package io.tern.scheduler.server.loop;

import io.tern.api.v1.Attempt;
import io.tern.api.v1.CapacityPreference;
import io.tern.api.v1.NodeState;
import io.tern.scheduler.core.plan.NodeRelease;
import io.tern.scheduler.core.plan.Plan;
import io.tern.scheduler.core.policy.PolicySnapshot;
import io.tern.scheduler.core.policy.PoolOffer;
import io.tern.scheduler.server.cloud.CloudConnector;
import io.tern.scheduler.server.cloud.CloudInstance;
import io.tern.scheduler.server.cloud.CloudSetup;
import io.tern.scheduler.server.cloud.FleetScaler;
import io.tern.scheduler.server.cloud.IdleNode;
import io.tern.scheduler.server.cloud.LaunchFailure;
import io.tern.scheduler.server.cloud.LaunchRequest;
import io.tern.scheduler.server.cloud.LaunchResult;
import io.tern.scheduler.server.cloud.PoolCooldown;
import io.tern.scheduler.server.cloud.Reconciliation;
import io.tern.scheduler.server.cloud.ScalingContext;
import io.tern.scheduler.server.cloud.ScalingStep;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The loop's side of autoscaling: a {@link FleetScaler} per leader term, fed with the core's
 * capacity requests and idle nodes, and a cloud worker thread that makes every (blocking) {@link
 * CloudConnector} call and hands the result back to the loop as a task.
 *
 * <p>Everything but {@link #close} runs on the loop thread. Results that come back after the term
 * that asked for them ended are dropped: the next leader reconciles with {@link
 * CloudConnector#describe()} instead. Without a connector every method does nothing.
 */
final class Autoscaler implements Fleet, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Autoscaler.class);

  /** How often a leader compares the connector's instances with its nodes. */
  static final Duration RECONCILE_EVERY = Duration.ofSeconds(30);

  private final LoopThread loop;
  private final Clock clock;
  private final NodeLoss nodes;
  private final PlanTrigger plans;
  private final CloudSetup setup;
  private final CloudConnector connector;
  private final ExecutorService worker;

  /** The term the scaler belongs to; read by the worker to skip launches of an ended term. */
  private volatile LeaderTerm active;

  private FleetScaler scaler;
  private PolicySnapshot lastPolicy = PolicySnapshot.defaults();
  private Instant nextReconcile = Instant.MIN;

  /** Cloud nodes that run nothing, since when (loop-confined, per term). */
  private final Map<String, Instant> idleSince = new HashMap<>();

  /**
   * Instances the connector launched or listed in this term: only those are ever given back, not
   * agents started by hand that happen to name a configured pool.
   */
  private final Set<String> instances = new HashSet<>();

  /** Nodes being terminated: never placed on again. */
  private final Set<String> releasing = new HashSet<>();

  /**
   * @param nodes gives up nodes whose instances are gone
   * @param connector the connector that launches into the pools (null: no autoscaling); closed with
   *     this
   * @param worker where the (blocking) connector calls run; shut down with this
   */
  Autoscaler(
      LoopThread loop,
      Clock clock,
      NodeLoss nodes,
      PlanTrigger plans,
      CloudSetup setup,
      CloudConnector connector,
      ExecutorService worker) {
    this.loop = loop;
    this.clock = clock;
    this.nodes = nodes;
    this.plans = plans;
    this.setup = setup;
    this.connector = connector;
    this.worker = worker;
  }

  boolean enabled() {
    return connector != null;
  }

  /** A term starts: a fresh scaler, then a reconciliation before the first launch goes out. */
  void begin(LeaderTerm term) {
    if (!enabled()) {
      return;
    }
    scaler = new FleetScaler(setup.pools(), setup.settings(), clock);
    active = term;
    idleSince.clear();
    releasing.clear();
    instances.clear();
    log.info(
        "autoscaling {} pool(s): {}",
        setup.pools().size(),
        setup.pools().stream().map(PoolOffer::id).toList());
    reconcile(term);
  }

  /** The term ended: no more launches or terminations from this replica until it leads again. */
  void end() {
    scaler = null;
    active = null;
    idleSince.clear();
    releasing.clear();
    instances.clear();
  }

  /** Every pool the cloud connector may launch into; none without one. */
  @Override
  public List<PoolOffer> pools() {
    return enabled() ? setup.pools() : List.of();
  }

  @Override
  public PolicySnapshot withPools(PolicySnapshot policy) {
    if (scaler == null) {
      return policy;
    }
    return new PolicySnapshot(
        policy.offPeak(),
        policy.teams(),
        scaler.availablePools(),
        scaler.launchingNodes(),
        policy.spotHistory());
  }

  @Override
  public boolean releasing(String nodeId) {
    return releasing.contains(nodeId);
  }

  @Override
  public void afterPlan(LeaderTerm term, Plan plan, PolicySnapshot policy) {
    if (scaler == null) {
      return;
    }
    lastPolicy = policy;
    Instant now = clock.instant();
    if (!plan.nodeReleases().isEmpty()) {
      List<IdleNode> idle = new ArrayList<>();
      for (NodeRelease r : plan.nodeReleases()) {
        if (instances.contains(r.nodeId())) {
          idle.add(new IdleNode(r.nodeId(), r.poolId(), now.minus(r.idleFor())));
        }
      }
      release(term, scaler.scaleIn(idle), "idle");
    }
    if (!plan.capacityRequests().isEmpty()) {
      for (LaunchRequest launch : scaler.launches(plan.capacityRequests(), context(term))) {
        launch(term, launch);
      }
    }
  }

  @Override
  public void onRegistered(String nodeId) {
    if (scaler != null) {
      scaler.onNodeRegistered(nodeId);
      idleSince.remove(nodeId);
    }
  }

  /** On the tick: gives back cloud nodes idle past the grace, and reconciles now and then. */
  void tick(LeaderTerm term) {
    if (scaler == null) {
      return;
    }
    Instant now = clock.instant();
    Set<String> busy = new HashSet<>();
    for (JobEntry entry : term.unfinishedJobs()) {
      if (entry.holdsGpus()) {
        Attempt a = entry.currentAttempt().orElseThrow();
        busy.addAll(a.getNodeIdsList());
      }
    }
    Set<String> poolIds = new HashSet<>();
    setup.pools().forEach(p -> poolIds.add(p.id()));
    List<IdleNode> idle = new ArrayList<>();
    for (NodeSession session : term.nodes.values()) {
      String id = session.id();
      boolean candidate =
          poolIds.contains(session.node.getPool())
              && instances.contains(id)
              && session.state() == NodeState.NODE_STATE_READY
              && session.connected()
              && !busy.contains(id)
              && !releasing.contains(id);
      if (!candidate) {
        idleSince.remove(id);
        continue;
      }
      idle.add(new IdleNode(id, session.node.getPool(), idleSince.computeIfAbsent(id, k -> now)));
    }
    release(
        term, scaler.scaleIn(idle), "idle for " + setup.settings().idleGrace().toSeconds() + "s");
    if (!now.isBefore(nextReconcile)) {
      reconcile(term);
    }
  }

  // ---- cloud calls, each on the worker, results back on the loop ----------------------------

  private void launch(LeaderTerm term, LaunchRequest request) {
    log.info(
        "launching {} {} node(s) in pool {} for {}",
        request.count(),
        request.capacityType().label(),
        request.poolId(),
        request.forJobIds().isEmpty() ? "no job in particular" : request.forJobIds());
    worker.execute(
        () -> {
          if (active != term) {
            return; // the term ended before the launch went out
          }
          LaunchResult result;
          try {
            result = connector.launch(request);
          } catch (RuntimeException e) {
            result =
                new LaunchResult(
                    request,
                    List.of(),
                    List.of(
                        new LaunchFailure(
                            request.poolId(),
                            null,
                            null,
                            LaunchFailure.Reason.OTHER,
                            null,
                            String.valueOf(e.getMessage()))));
          }
          LaunchResult done = result;
          toLoop(() -> onLaunched(term, done));
        });
  }

  private void onLaunched(LeaderTerm term, LaunchResult result) {
    for (CloudInstance i : result.launched()) {
      log.info("launched node {} in pool {}", i.id(), i.poolId());
      if (loop.term() == term) {
        instances.add(i.id());
      }
    }
    for (LaunchFailure f : result.failures()) {
      log.warn("launch in pool {} failed ({}): {}", f.poolId(), f.reason(), f.message());
    }
    if (loop.term() != term || scaler == null) {
      return; // the next leader adopts what started through describe()
    }
    ScalingStep step = scaler.onLaunchResult(result, context(term));
    for (PoolCooldown c : step.cooldowns()) {
      log.info("pool {} cools down until {} ({})", c.poolId(), c.until(), c.reason());
    }
    for (LaunchRequest next : step.launches()) {
      launch(term, next);
    }
    plans.requestPlan();
  }

  private void release(LeaderTerm term, List<String> nodeIds, String why) {
    if (nodeIds.isEmpty()) {
      return;
    }
    releasing.addAll(nodeIds);
    for (String id : nodeIds) {
      log.info("terminating node {}: {}", id, why);
    }
    terminate(term, nodeIds);
  }

  private void terminate(LeaderTerm term, List<String> nodeIds) {
    worker.execute(
        () -> {
          try {
            connector.terminate(nodeIds);
          } catch (RuntimeException e) {
            log.warn("terminating {} failed: {}", nodeIds, e.toString());
          }
          toLoop(() -> onTerminated(term, nodeIds));
        });
  }

  private void onTerminated(LeaderTerm term, List<String> nodeIds) {
    if (loop.term() != term) {
      return;
    }
    for (String id : nodeIds) {
      NodeSession session = term.nodes.get(id);
      if (session != null && session.state() != NodeState.NODE_STATE_LOST) {
        nodes.markLost(term, session, "terminated by the autoscaler");
      }
      idleSince.remove(id);
      instances.remove(id);
    }
  }

  private void reconcile(LeaderTerm term) {
    nextReconcile = clock.instant().plus(RECONCILE_EVERY);
    worker.execute(
        () -> {
          if (active != term) {
            return;
          }
          List<CloudInstance> described;
          try {
            described = connector.describe();
          } catch (RuntimeException e) {
            log.warn("could not list cloud instances: {}", e.toString());
            return;
          }
          toLoop(() -> onDescribed(term, described));
        });
  }

  private void onDescribed(LeaderTerm term, List<CloudInstance> described) {
    if (loop.term() != term || scaler == null) {
      return;
    }
    Map<String, String> registered = new TreeMap<>();
    for (NodeSession session : term.nodes.values()) {
      if (session.state() != NodeState.NODE_STATE_LOST) {
        registered.put(session.id(), session.node.getPool());
      }
    }
    for (CloudInstance i : described) {
      if (i.state().live()) {
        instances.add(i.id());
      }
    }
    Reconciliation r = scaler.reconcile(described, registered);
    if (!r.terminate().isEmpty()) {
      log.warn("terminating {}: launched but never registered", r.terminate());
      terminate(term, r.terminate());
    }
    for (String id : r.lostNodes()) {
      NodeSession session = term.nodes.get(id);
      // A connected agent is alive whatever this connector says (another replica may have
      // started it): only silent ones are given up at once.
      if (session != null && !session.connected()) {
        nodes.markLost(term, session, "its instance is gone");
      }
    }
  }

  /** Hands a result to the loop, unless it is shutting down. */
  private void toLoop(Runnable task) {
    try {
      loop.execute(task);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      log.debug("the loop is closed: dropping a cloud result");
    }
  }

  private ScalingContext context(LeaderTerm term) {
    Map<String, Integer> perPool = new HashMap<>();
    for (NodeSession session : term.nodes.values()) {
      if (session.state() != NodeState.NODE_STATE_LOST && !releasing.contains(session.id())) {
        perPool.merge(session.node.getPool(), 1, Integer::sum);
      }
    }
    return new ScalingContext(
        lastPolicy,
        id -> {
          JobEntry e = term.jobs.get(id);
          return e == null ? null : e.job.getSpec().getTeam();
        },
        id -> {
          JobEntry e = term.jobs.get(id);
          return e == null
              || e.job.getSpec().getCapacity() != CapacityPreference.CAPACITY_SPOT_ONLY;
        },
        perPool);
  }

  /** Stops the worker and closes the connector (a local one stops its agents). */
  @Override
  public void close() {
    active = null;
    worker.shutdown();
    try {
      worker.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    worker.shutdownNow();
    if (connector != null) {
      connector.close();
    }
  }
}
