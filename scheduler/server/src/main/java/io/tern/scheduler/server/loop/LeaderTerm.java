package io.tern.scheduler.server.loop;

import io.tern.api.v1.Attempt;
import io.tern.api.v1.Budget;
import io.tern.api.v1.Node;
import io.tern.offpeak.OffPeakCalendar;
import io.tern.offpeak.WindowSpec;
import io.tern.scheduler.core.policy.SpotPoolWatch;
import io.tern.scheduler.server.finops.BudgetStatus;
import io.tern.scheduler.server.offpeak.WindowValidation;
import io.tern.scheduler.server.zk.Epoch;
import io.tern.scheduler.server.zk.StoredState;
import io.tern.scheduler.spec.finops.InvalidWindowException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything the leader holds in memory for one term, rebuilt from ZooKeeper when the term starts.
 * Confined to the scheduler loop thread.
 */
final class LeaderTerm {
  private static final Logger log = LoggerFactory.getLogger(LeaderTerm.class);

  final Epoch epoch;

  /** The cluster's id, sent with every start (the agent keeps the job's checkpoints under it). */
  final String clusterId;

  /**
   * The cluster's checkpoint store as ZooKeeper records it when the term began, sent to every agent
   * that registers: its store is the one whose marker names this id. Empty when it records none.
   */
  java.util.Optional<io.tern.checkpoint.StoreIdentity> checkpointStore = java.util.Optional.empty();

  /**
   * When this term began. Every node's lease, and every unstarted attempt's start timeout, counts
   * from here at the earliest: agents get at least one lease to find a new leader.
   */
  final Instant startedAt;

  /** Sorted by id, which is also submission order. Add with {@link #add}. */
  final TreeMap<String, JobEntry> jobs = new TreeMap<>();

  /** {@link #jobs} by id, for lookups that do not walk a tree of 100,000 string keys. */
  private final Map<String, JobEntry> jobsById = new HashMap<>();

  /**
   * The jobs that have not finished, by id: what each plan and lease check walks, rather than every
   * job ever submitted. Kept by {@link #add} and {@link #track}.
   */
  private final TreeMap<String, JobEntry> unfinished = new TreeMap<>();

  final Map<String, String> idempotencyKeys = new HashMap<>();
  final TreeMap<String, NodeSession> nodes = new TreeMap<>();

  /** Why each queued job is still waiting, from the last plan. */
  final PendingExplanations explanations = new PendingExplanations();

  /**
   * Why each deadline job running on on-demand stays there rather than move back to spot, from the
   * last plan ({@code Plan.staysOnDemand}).
   */
  Map<String, String> staysOnDemand = Map.of();

  /** Plans applied in this term; the last one's number is {@code plans}. */
  long plans;

  /**
   * Jobs told to stop (preempted without a checkpoint, or cancelled) whose agents have not said so.
   */
  final Set<String> stopping = new HashSet<>();

  /** Running jobs a user cancelled: they end CANCELLED once their agents stop them. */
  final Set<String> cancelling = new HashSet<>();

  /**
   * Jobs whose earlier attempt turned out to have exited 0 (its exit reported late, after its node
   * was declared lost): their current attempt is being stopped, and they end SUCCEEDED.
   */
  final Set<String> finishedEarlier = new HashSet<>();

  /**
   * Jobs asked to checkpoint so that they move back to spot (the core's RETURN_TO_SPOT); their
   * checkpointed attempt ends "returning to spot", and the requeued job waits for spot a while.
   */
  final Set<String> returningToSpot = new HashSet<>();

  long nextJobNumber;
  private final Map<String, Set<String>> jobsByNode = new HashMap<>();
  private final Map<String, List<String>> indexedNodes = new HashMap<>();

  /** Off-peak windows by name, with the version their znode will have once written. */
  final TreeMap<String, Stored<WindowSpec>> windows = new TreeMap<>();

  /** Off-peak state of {@link #windows}; rebuilt whenever they change. */
  OffPeakCalendar calendar = new OffPeakCalendar(List.of());

  /** Team budgets (inputs only) by team, with their znode versions. */
  final TreeMap<String, Stored<Budget>> budgets = new TreeMap<>();

  /**
   * Every finished job whose last attempt ended before this instant has had its checkpoints retired
   * ({@link CheckpointRetirement}); null before the first retirement.
   */
  Stored<Instant> checkpointsRetired;

  /** Each budgeted team's status at the last plan, to report changes once. */
  final Map<String, BudgetStatus> budgetStatus = new HashMap<>();

  /** The cost ledger, rebuilt from the stored attempts. */
  final CostFeed costs = new CostFeed(this::comparablePricePerHour);

  /** Job shard znodes that exist or are being created. */
  final Set<String> jobShards = new HashSet<>();

  /** Reclaims and returns of capacity seen per spot pool (the core's pool risk and settle time). */
  final SpotPoolWatch spotPools;

  LeaderTerm(Epoch epoch, StoredState stored, Instant now) {
    this.epoch = epoch;
    this.clusterId = stored.clusterId();
    this.startedAt = now;
    Instant earliest = now;
    for (var v : stored.jobs().values()) {
      Instant submitted = CoreSnapshots.instant(v.value().getSubmittedAt());
      if (submitted.isBefore(earliest) && submitted.getEpochSecond() > 0) {
        earliest = submitted;
      }
    }
    this.spotPools = new SpotPoolWatch(earliest);
    stored
        .jobs()
        .forEach(
            (id, v) -> {
              JobEntry loaded = new JobEntry(v.value(), v.version());
              add(loaded);
              reindex(loaded);
              if (!v.value().getIdempotencyKeySha256().isEmpty()) {
                idempotencyKeys.put(v.value().getIdempotencyKeySha256(), id);
              }
              for (var attempt : v.value().getAttemptsList()) {
                if (attempt.getReclaimed() && attempt.hasEndedAt()) {
                  spotPools.reclaimed(
                      attempt.getPool(), CoreSnapshots.instant(attempt.getEndedAt()));
                }
              }
              if (v.value().getCancelRequested() && !jobs.get(id).finished()) {
                cancelling.add(id);
              } else if (!jobs.get(id).finished() && JobChanges.finishedEarlier(v.value()) > 0) {
                finishedEarlier.add(id);
              }
            });
    // Every known node gets a fresh lease: its agent needs time to find the new leader.
    stored.nodes().forEach((id, v) -> nodes.put(id, new NodeSession(v.value(), v.version(), now)));
    nextJobNumber = stored.nextJobNumber();
    jobShards.addAll(stored.jobShards());
    stored
        .offPeakWindows()
        .forEach(
            (name, v) -> {
              try {
                windows.put(
                    v.value().getName(),
                    new Stored<>(WindowValidation.fromProto(v.value()), v.version()));
              } catch (InvalidWindowException e) {
                log.warn("ignoring stored off-peak window {}: {}", name, e.getMessage());
              }
            });
    calendar = new OffPeakCalendar(windowSpecs());
    stored
        .budgets()
        .forEach((k, v) -> budgets.put(v.value().getTeam(), new Stored<>(v.value(), v.version())));
    for (JobEntry entry : jobs.values()) {
      costs.observe(entry.job, this::node, now);
    }
    checkpointsRetired =
        stored.checkpointsRetired().map(v -> new Stored<>(v.value(), v.version())).orElse(null);
  }

  /** A value kept in ZooKeeper, with the version its znode will have once queued writes commit. */
  static final class Stored<T> {
    T value;
    int version;

    Stored(T value, int version) {
      this.value = value;
      this.version = version;
    }
  }

  /** A command to agents, fenced by this term's epoch. */
  io.tern.api.v1.SchedulerMessage.Builder command() {
    return io.tern.api.v1.SchedulerMessage.newBuilder().setEpoch(epoch.value());
  }

  /**
   * Whether an agent's report of an attempt names another cluster as the one that started it: an
   * agent that outlived its cluster's ZooKeeper may run jobs whose ids this cluster also uses. An
   * empty id (an agent from before cluster ids, or an attempt started without one) is not foreign.
   */
  boolean foreign(String reportedClusterId) {
    return !reportedClusterId.isEmpty() && !reportedClusterId.equals(clusterId);
  }

  /** A StopJob for {@code attempt} of {@code jobId}, fenced by this term's epoch. */
  io.tern.api.v1.SchedulerMessage stopCommand(String jobId, int attempt, String reason) {
    return command()
        .setStopJob(
            io.tern.api.v1.StopJob.newBuilder()
                .setJobId(jobId)
                .setAttempt(attempt)
                .setReason(reason))
        .build();
  }

  void add(JobEntry entry) {
    jobs.put(entry.id(), entry);
    jobsById.put(entry.id(), entry);
    track(entry);
  }

  /** Keeps {@link #unfinishedJobs} current: called whenever a job's state may have changed. */
  void track(JobEntry entry) {
    if (entry.finished()) {
      unfinished.remove(entry.id());
    } else {
      unfinished.put(entry.id(), entry);
    }
  }

  /**
   * The jobs that have not finished, in id (submission) order: a copy, so that jobs may change
   * while it is walked.
   */
  List<JobEntry> unfinishedJobs() {
    return new ArrayList<>(unfinished.values());
  }

  /**
   * The jobs submitted before {@code id} that have not finished, in id order; not to be changed.
   */
  Collection<JobEntry> unfinishedBefore(String id) {
    return Collections.unmodifiableCollection(unfinished.headMap(id, false).values());
  }

  /** The job with this id, or null. */
  JobEntry entry(String id) {
    return jobsById.get(id);
  }

  List<WindowSpec> windowSpecs() {
    return windows.values().stream().map(s -> s.value).toList();
  }

  /**
   * What a node like {@code node} costs per hour on the other capacity type, among the nodes known
   * now ({@link io.tern.scheduler.server.finops.ComparablePrice}); NaN when none compares.
   */
  double comparablePricePerHour(Node node) {
    return io.tern.scheduler.server.finops.ComparablePrice.perHour(
        node, () -> nodes.values().stream().map(s -> s.node).iterator());
  }

  /** The node as last stored, or null. */
  Node node(String id) {
    NodeSession session = nodes.get(id);
    return session == null ? null : session.node;
  }

  /** Jobs whose current attempt runs (or starts, or checkpoints) on {@code nodeId}, by id. */
  List<JobEntry> jobsOn(String nodeId) {
    List<JobEntry> on = new ArrayList<>();
    for (String id : jobsByNode.getOrDefault(nodeId, Set.of())) {
      JobEntry entry = entry(id);
      if (entry != null && entry.holdsGpus()) {
        on.add(entry);
      }
    }
    on.sort(java.util.Comparator.comparing(JobEntry::id));
    return on;
  }

  /**
   * Keeps {@link #jobsOn} current: called whenever a job changes, so that a node's jobs are found
   * without walking every job (1,000 agents registering against 100,000 jobs).
   */
  void reindex(JobEntry entry) {
    track(entry);
    List<String> before = indexedNodes.remove(entry.id());
    if (before != null) {
      for (String node : before) {
        Set<String> ids = jobsByNode.get(node);
        if (ids != null) {
          ids.remove(entry.id());
          if (ids.isEmpty()) {
            jobsByNode.remove(node);
          }
        }
      }
    }
    if (entry.holdsGpus()) {
      List<String> nodes = entry.currentAttempt().orElseThrow().getNodeIdsList();
      indexedNodes.put(entry.id(), nodes);
      for (String node : nodes) {
        jobsByNode.computeIfAbsent(node, k -> new HashSet<>()).add(entry.id());
      }
    }
  }

  /** GPU indices per node held by jobs, to re-check a plan before committing it. */
  Map<String, Set<Integer>> heldGpus() {
    Map<String, Set<Integer>> held = new HashMap<>();
    // Only the jobs that hold GPUs, from the index, not every job ever submitted.
    for (String id : indexedNodes.keySet()) {
      Attempt a = entry(id).currentAttempt().orElseThrow();
      for (int i = 0; i < a.getNodeIdsCount(); i++) {
        held.computeIfAbsent(a.getNodeIds(i), k -> new HashSet<>())
            .addAll(a.getGpus(i).getIndexList());
      }
    }
    return held;
  }
}
