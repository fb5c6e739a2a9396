package io.tern.scheduler.server.loop;

import io.tern.api.v1.Node;
import io.tern.offpeak.OffPeakCalendar;
import io.tern.scheduler.core.PlacementEngine;
import io.tern.scheduler.server.cloud.CloudConnector;
import io.tern.scheduler.server.cloud.CloudSetup;
import io.tern.scheduler.server.finops.BudgetStatus;
import io.tern.scheduler.server.leader.LeaderElector;
import io.tern.scheduler.server.offpeak.OffPeakListener;
import io.tern.scheduler.server.offpeak.OffPeakTriggers;
import io.tern.scheduler.server.zk.ZkStateStore;
import io.tern.scheduler.server.zk.ZkWrite;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that owns the scheduler's state. gRPC calls, agent messages, timers and leadership
 * changes all become tasks on it; nothing else reads or writes a {@link LeaderTerm}.
 *
 * <p>Writes are applied to memory at once and queued to the {@link Committer}; their side effects
 * (replies to clients, commands to agents) run only once ZooKeeper has them. A write that fails
 * ends the term: the loop rebuilds from ZooKeeper rather than trust memory that disagrees with it.
 */
public final class SchedulerLoop implements LeaderElector.Listener, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SchedulerLoop.class);

  /** Where this replica stands. */
  public enum Role {
    FOLLOWER,
    LOADING,
    LEADER
  }

  /**
   * The threads a loop runs on: the loop itself (the one thread that owns the state), the core's
   * planning thread, the cloud connector's worker and the checkpoint store's (which retires
   * finished jobs' checkpoints). The loop shuts them down when it closes. Tests pass executors they
   * run by hand.
   */
  public record Threads(
      ScheduledExecutorService loop,
      ExecutorService planner,
      ExecutorService cloud,
      ExecutorService checkpoints) {
    /**
     * One daemon thread each, named tern-loop, tern-planner, tern-cloud and tern-checkpoints
     * (started on use).
     */
    public static Threads standard() {
      return new Threads(
          Executors.newSingleThreadScheduledExecutor(
              r -> Thread.ofPlatform().name("tern-loop").daemon().unstarted(r)),
          Executors.newSingleThreadExecutor(
              r -> Thread.ofPlatform().name("tern-planner").daemon().unstarted(r)),
          Executors.newSingleThreadExecutor(
              r -> Thread.ofPlatform().name("tern-cloud").daemon().unstarted(r)),
          Executors.newSingleThreadExecutor(
              r -> Thread.ofPlatform().name("tern-checkpoints").daemon().unstarted(r)));
    }
  }

  private final Clock clock;
  private final SchedulerSettings settings;
  private final ScheduledExecutorService executor;
  private final ExecutorService planThread;
  private final ZkStateStore store;
  private final Committer committer;
  private final LeaderElector elector;
  private final Watchers watchers = new Watchers(this::presented);
  private final LoopThread thread = new OnLoop();
  private final Planner planner;
  private final AgentSessions agents;
  private final LogRelay logs;
  private final Autoscaler autoscaler;
  private final JobRequests jobRequests;
  private final ClusterRequests clusterRequests;
  private final FinOpsRequests finOpsRequests;
  private final HistoryRequests historyRequests;
  private final JobControls jobControls;
  private final OffPeakTriggers triggers;
  private final CheckpointRetirement retirement;
  private final JobLimits limits;

  private Role role = Role.FOLLOWER;
  private String roleReason = "not elected yet";
  private volatile Consumer<Role> roleListener = r -> {};
  private volatile LoopEvents events = LoopEvents.NONE;
  private LeaderTerm term;
  private long generation;
  private boolean planQueued;

  /** Writes made on the loop and not yet handed to the committer; see {@link #write}. */
  private List<Committer.Unit> unflushed = new ArrayList<>();

  /**
   * @param threads what the loop runs on; the loop shuts them down when it closes
   * @param clock the time the loop plans, stamps and times out by (tick and timers come from {@code
   *     threads.loop()})
   * @param budgetStatusChanged told (on the loop) when a budgeted team's status changes, e.g. for a
   *     metric; the loop logs the change itself
   * @param cloud the pools to autoscale and how
   * @param connector the connector that launches into them (null: no autoscaling); the loop closes
   *     it
   */
  public SchedulerLoop(
      Threads threads,
      ZkStateStore store,
      LeaderElector elector,
      PlacementEngine engine,
      Clock clock,
      SchedulerSettings settings,
      BiConsumer<String, BudgetStatus> budgetStatusChanged,
      CloudSetup cloud,
      CloudConnector connector) {
    this.store = store;
    this.elector = elector;
    this.clock = clock;
    this.settings = settings;
    this.executor = threads.loop();
    this.planThread = threads.planner();
    this.committer = new Committer(store, executor);
    StateWrites writes = new StateWrites(thread, this::write, store.paths(), watchers, clock);
    JobCommands commands = new JobCommands(writes);
    this.limits = new JobLimits(clock, commands);
    this.logs = new LogRelay(thread);
    this.autoscaler =
        new Autoscaler(
            thread, clock, this::markLost, this::requestPlan, cloud, connector, threads.cloud());
    this.agents =
        new AgentSessions(
            thread,
            clock,
            settings,
            writes,
            commands,
            logs,
            autoscaler,
            this::requestPlan,
            () -> events);
    this.planner =
        new Planner(
            thread,
            clock,
            engine,
            planThread,
            agents,
            autoscaler,
            new CurrentPolicy(autoscaler, budgetStatusChanged),
            writes,
            commands,
            this::requestPlan,
            () -> events);
    this.jobRequests =
        new JobRequests(
            thread,
            clock,
            writes,
            commands,
            watchers,
            this::requestPlan,
            new SubmitChecks(clock, autoscaler::pools));
    this.clusterRequests =
        new ClusterRequests(thread, clock, agents, writes, commands, this::requestPlan);
    this.finOpsRequests = new FinOpsRequests(thread, clock, writes, this::rearm, this::requestPlan);
    this.historyRequests = new HistoryRequests(thread);
    this.jobControls = new JobControls(thread, clock, writes, commands, this::requestPlan);
    this.retirement =
        new CheckpointRetirement(thread, clock, writes, threads.checkpoints(), () -> events);
    // Quartz only triggers: a fire becomes a plan on the loop, which reads the calendar itself.
    this.triggers =
        new OffPeakTriggers(
            new OffPeakListener() {
              @Override
              public void opened(String name, Instant closesAt) {
                log.info("off-peak window {} is open until {}", name, closesAt);
                execute(SchedulerLoop.this::planIfLeading);
              }

              @Override
              public void closed(String name) {
                log.info("off-peak window {} closed", name);
                execute(SchedulerLoop.this::planIfLeading);
              }
            },
            clock);
    triggers.start();
    long tickMillis = settings.tick().toMillis();
    executor.scheduleWithFixedDelay(this::tick, tickMillis, tickMillis, TimeUnit.MILLISECONDS);
  }

  // ---- leadership -------------------------------------------------------------------------

  @Override
  public void elected() {
    executor.execute(this::becomeLeader);
  }

  @Override
  public void revoked(String why) {
    executor.execute(() -> stepDown("not the leader: " + why));
  }

  private void becomeLeader() {
    long myGeneration = ++generation;
    become(Role.LOADING, "loading state from ZooKeeper");
    try {
      store.ensureLayout();
      var epoch = store.acquireEpoch();
      var stored = store.load();
      var checkpointStore = store.checkpointStore();
      if (myGeneration != generation) {
        return; // revoked while loading
      }
      flushWrites(); // an earlier term's writes go before the new epoch, and fail on the old one
      committer.begin(epoch);
      term = new LeaderTerm(epoch, stored, clock.instant());
      term.checkpointStore = checkpointStore;
      become(Role.LEADER, "leading");
      rearm(term);
      autoscaler.begin(term);
      log.info(
          "leading cluster {} with epoch {}: {} jobs, {} nodes",
          term.clusterId.isEmpty() ? "(from before cluster ids)" : term.clusterId,
          epoch.value(),
          term.jobs.size(),
          term.nodes.size());
      requestPlan();
    } catch (Exception e) {
      log.warn("could not take over as leader: {}", e.toString());
      become(Role.FOLLOWER, "could not load state: " + e.getMessage());
      term = null;
      // Still elected as far as ZooKeeper knows: try again shortly.
      executor.schedule(
          () -> {
            if (myGeneration == generation && role == Role.FOLLOWER) {
              becomeLeader();
            }
          },
          1,
          TimeUnit.SECONDS);
    }
  }

  private void become(Role newRole, String why) {
    role = newRole;
    roleReason = why;
    roleListener.accept(newRole);
  }

  /** Hears what the loop does, for metrics; set before the election starts. */
  public void observe(LoopEvents listener) {
    this.events = listener;
    committer.observe(listener);
  }

  /**
   * Deletes the checkpoints of jobs that finished {@code keep} ago from {@code store} (see {@link
   * CheckpointRetirement}); {@code keep} empty keeps them for ever. Set before the election starts.
   */
  public void retireCheckpoints(io.tern.checkpoint.CheckpointStore store, Optional<Duration> keep) {
    executor.execute(() -> retirement.configure(store, keep));
  }

  /**
   * Hears every change of this replica's role, on the loop's thread; set before the election
   * starts.
   */
  public void onRoleChanged(Consumer<Role> listener) {
    this.roleListener = listener;
  }

  private void stepDown(String why) {
    generation++;
    if (term != null) {
      log.warn("stepping down: {}", why);
      agents.closeAll(why, elector.leaderAddress().orElse(""));
    }
    watchers.closeAll();
    logs.closeAll();
    triggers.disarm();
    autoscaler.end();
    term = null;
    become(Role.FOLLOWER, why);
  }

  /** Called on the loop when a write failed: memory may disagree with ZooKeeper, so rebuild. */
  private void writeFailed(long writeGeneration, Exception e) {
    if (writeGeneration != generation) {
      return;
    }
    Throwable cause =
        e instanceof UnknownOutcomeException && e.getCause() != null ? e.getCause() : e;
    stepDown("a write to ZooKeeper failed (" + cause.getClass().getSimpleName() + ")");
    if (elector.isLeader()) {
      executor.schedule(this::becomeLeaderIfStillElected, 500, TimeUnit.MILLISECONDS);
    }
  }

  private void becomeLeaderIfStillElected() {
    if (role == Role.FOLLOWER && term == null && elector.isLeader()) {
      becomeLeader();
    }
  }

  /** Runs {@code task} on the loop whatever the role. */
  private void execute(Runnable task) {
    executor.execute(task);
  }

  private LeaderTerm requireLeader() {
    if (role != Role.LEADER || term == null) {
      Optional<String> leader = role == Role.LOADING ? Optional.empty() : leaderAddress();
      throw new NotLeaderException(reason(leader), leader);
    }
    return term;
  }

  /**
   * Why this replica does not lead: once another replica leads, that (why this one stepped down, a
   * lost ZooKeeper connection say, is history by then and would read as if it still held).
   */
  private String reason(Optional<String> leader) {
    return role == Role.FOLLOWER && leader.isPresent()
        ? "not the leader: " + leader.get() + " leads"
        : roleReason;
  }

  /** The leader's address as the election knows it, if it is another replica. */
  private Optional<String> leaderAddress() {
    return elector.leaderAddress();
  }

  /**
   * Queues {@code writes}; on the loop, runs {@code onCommitted} once ZooKeeper has them, or {@code
   * onFailed} if they never will (the term ends).
   */
  private void write(List<ZkWrite> writes, Runnable onCommitted, Consumer<Exception> onFailed) {
    long writeGeneration = generation;
    boolean flushNow = false;
    if (unflushed.isEmpty()) {
      try {
        // Runs after the tasks queued so far: a burst of submits reaches the committer in one list.
        executor.execute(this::flushWrites);
      } catch (RejectedExecutionException shuttingDown) {
        flushNow = true; // the last tasks before shutdown: hand this write over at once
      }
    }
    unflushed.add(
        new Committer.Unit(
            writes,
            () -> {
              if (writeGeneration == generation) {
                onCommitted.run();
              } else {
                // Stored, though this term can no longer answer for it: not "not taken".
                onFailed.accept(UnknownOutcomeException.storedUnanswered());
              }
            },
            e -> {
              onFailed.accept(e);
              writeFailed(writeGeneration, e);
            }));
    if (flushNow) {
      flushWrites();
    }
  }

  /** Hands the writes of this turn of the loop to the committer, in the order they were made. */
  private void flushWrites() {
    if (!unflushed.isEmpty()) {
      committer.submit(unflushed);
      unflushed = new ArrayList<>();
    }
  }

  /** A stored job as clients are shown it: with what it has cost so far. */
  private io.tern.api.v1.Job presented(io.tern.api.v1.Job job) {
    return term == null ? job : term.costs.costed(job, clock.instant());
  }

  /** Re-arms the off-peak triggers with the term's windows (after they changed). */
  private void rearm(LeaderTerm term) {
    term.calendar = new OffPeakCalendar(term.windowSpecs());
    triggers.arm(term.windowSpecs());
  }

  private void markLost(LeaderTerm term, NodeSession session, String why) {
    agents.markLost(term, session, why);
  }

  private void planIfLeading() {
    if (role == Role.LEADER) {
      requestPlan();
    }
  }

  public LogRelay logs() {
    return logs;
  }

  public AgentSessions agents() {
    return agents;
  }

  /** What JobService asks of the scheduler. */
  public JobRequests jobs() {
    return jobRequests;
  }

  /** What ClusterService asks of the scheduler. */
  public ClusterRequests cluster() {
    return clusterRequests;
  }

  /** What FinOpsService asks of the scheduler. */
  public FinOpsRequests finOps() {
    return finOpsRequests;
  }

  /** Hold, release, requeue and update, for JobService. */
  public JobControls jobControls() {
    return jobControls;
  }

  /** The cluster's own history, for ExportHistory. */
  public HistoryRequests history() {
    return historyRequests;
  }

  /** The leader's state in numbers; fails with NotLeaderException where this does not lead. */
  public CompletableFuture<ClusterFigures> figures() {
    return ClusterFigures.of(thread, clock);
  }

  /** What the spot and deadline policy did; safe from any thread. */
  public SpotCounters spot() {
    return planner.spot();
  }

  /** How long the last plan took; 0 before the first. Safe from any thread (approximate). */
  public long lastPlanNanos() {
    return planner.lastPlanNanos();
  }

  /** This loop as its helpers see it. */
  private final class OnLoop implements LoopThread {
    @Override
    public void execute(Runnable task) {
      executor.execute(task);
    }

    @Override
    public void schedule(Runnable task, java.time.Duration delay) {
      executor.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    public LeaderTerm requireLeader() {
      return SchedulerLoop.this.requireLeader();
    }

    @Override
    public LeaderTerm term() {
      return term;
    }
  }

  /**
   * Plans soon: after {@code planDelay}, to gather changes arriving together, and never sooner than
   * four times the last plan's cost (on the planning thread and on the loop) after it, so that
   * planning a large queue takes at most a fifth of the time and submits and agent messages keep
   * flowing.
   */
  private void requestPlan() {
    if (!planQueued) {
      planQueued = true;
      long delay = Math.max(settings.planDelay().toNanos(), planner.paceNanos());
      executor.schedule(
          () -> {
            planQueued = false;
            if (role == Role.LEADER) {
              planner.planAndApply();
            }
          },
          Math.min(delay, TimeUnit.SECONDS.toNanos(1)),
          TimeUnit.NANOSECONDS);
    }
  }

  private void tick() {
    if (role == Role.LEADER) {
      try {
        agents.expireLeases();
        autoscaler.tick(term);
        retirement.tick(term);
        limits.tick(term);
        requestPlan();
      } catch (RuntimeException e) {
        log.error("scheduler tick failed", e);
      }
    }
  }

  // ---- status -------------------------------------------------------------------------------

  /** This replica's role and why, for health checks and the CLI. Safe from any thread. */
  public CompletableFuture<String> describeRole() {
    return CompletableFuture.supplyAsync(() -> role + ": " + reason(leaderAddress()), executor);
  }

  public CompletableFuture<Role> role() {
    return CompletableFuture.supplyAsync(() -> role, executor);
  }

  /** Test hook: every known node as stored. */
  public CompletableFuture<List<Node>> storedNodes() {
    return thread.call(t -> new ArrayList<>(t.nodes.values().stream().map(s -> s.node).toList()));
  }

  /** Test hook: when the armed trigger of window {@code name} next opens it, if it is armed. */
  public Optional<Instant> armedOpening(String name) {
    return Optional.ofNullable(triggers.nextFire(name, false));
  }

  @Override
  public void close() {
    triggers.close();
    executor.execute(() -> stepDown("shutting down"));
    executor.shutdown();
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    committer.close();
    autoscaler.close();
    retirement.close();
    planThread.shutdownNow();
  }
}
