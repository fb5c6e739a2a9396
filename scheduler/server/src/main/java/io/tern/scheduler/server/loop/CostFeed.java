package io.tern.scheduler.server.loop;

import io.tern.api.v1.Attempt;
import io.tern.api.v1.Gpu;
import io.tern.api.v1.Job;
import io.tern.api.v1.JobState;
import io.tern.api.v1.Node;
import io.tern.api.v1.NodePrice;
import io.tern.scheduler.server.finops.CostLedger;
import io.tern.scheduler.server.finops.TeamSpend;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Feeds the term's {@link CostLedger} from the jobs as the leader stores them. The stored attempts
 * ({@code started_at}, {@code last_checkpoint}, {@code ended_at}, {@code end_reason}) are the only
 * source: {@link #observe} compares a job with what it already booked and books the difference, so
 * a new leader rebuilds the ledger by observing every job once, and the live scheduler keeps it
 * current by observing every job it saves. Also routes GPU utilization samples to the attempt that
 * holds the GPU, for idle time.
 *
 * <p>Confined to the scheduler loop thread.
 */
final class CostFeed {
  /** What was booked for one attempt. */
  private static final class Booked {
    Instant checkpoint;
    boolean ended;
    boolean interrupted;
    List<String> nodeIds;
    List<List<Integer>> gpus;
  }

  private record Holder(String jobId, int attempt) {}

  private final CostLedger ledger = new CostLedger(CostLedger.IdleRule.defaults());

  /**
   * What a node costs on the other capacity type (see {@link CostLedger.Slice}), for the on-demand
   * premium and the spot saving; NaN if unknown.
   */
  private final java.util.function.ToDoubleFunction<Node> comparablePrices;

  CostFeed(java.util.function.ToDoubleFunction<Node> comparablePrices) {
    this.comparablePrices = comparablePrices;
  }

  private final Map<String, Booked> booked = new HashMap<>();

  /** node id → GPU index → the running attempt holding it. */
  private final Map<String, Map<Integer, Holder>> holders = new HashMap<>();

  CostLedger ledger() {
    return ledger;
  }

  /**
   * {@code job} with {@code cost_usd} set to what the ledger says it has cost up to {@code now}.
   */
  Job costed(Job job, Instant now) {
    double cost = ledger.jobCostUsd(job.getId(), now);
    return cost == job.getCostUsd() ? job : job.toBuilder().setCostUsd(cost).build();
  }

  TeamSpend spend(String team, Instant now) {
    return ledger.spend(team, now);
  }

  /**
   * Books whatever changed in {@code job}'s attempts since it was last observed.
   *
   * @param nodes the stored node of an id (price, GPU count, pool), or null when unknown
   */
  void observe(Job job, Function<String, Node> nodes, Instant now) {
    for (int i = 0; i < job.getAttemptsCount(); i++) {
      Attempt a = job.getAttempts(i);
      if (!a.hasStartedAt()) {
        continue;
      }
      String key = job.getId() + "#" + a.getNumber();
      Booked b = booked.get(key);
      if (b == null) {
        b = start(job, a, nodes);
        booked.put(key, b);
      }
      if (b.ended) {
        Instant kept = checkpointAt(a, now);
        if (kept != null && (b.checkpoint == null || kept.isAfter(b.checkpoint))) {
          // A later attempt restored a checkpoint of it the scheduler had not heard of.
          b.checkpoint = kept;
          ledger.workKeptUntil(job.getId(), a.getNumber(), kept);
        }
        if (b.interrupted && a.hasExitCode()) {
          // Given up as lost, then its exit came after all (reported late, or found in the
          // checkpoint store): it finished, so none of its work was lost.
          b.interrupted = false;
          ledger.finishedAfterAll(job.getId(), a.getNumber());
        }
        continue;
      }
      Instant at = checkpointAt(a, now);
      if (at != null) {
        if (b.checkpoint == null || at.isAfter(b.checkpoint)) {
          b.checkpoint = at;
          ledger.checkpointCommitted(job.getId(), a.getNumber(), at);
        }
      }
      if (a.hasEndedAt()) {
        b.ended = true;
        boolean last = i == job.getAttemptsCount() - 1;
        b.interrupted = interrupted(a, last ? job.getState() : JobState.JOB_STATE_PENDING);
        ledger.attemptEnded(
            job.getId(), a.getNumber(), CoreSnapshots.instant(a.getEndedAt()), b.interrupted);
        release(job.getId(), a.getNumber(), b);
      }
    }
    bookLostRestores(job);
  }

  /**
   * What {@code node} costs now, as an attempt placed on it keeps it; no price (and an unknown
   * comparable one) for a node not known.
   */
  static NodePrice price(Node node, java.util.function.ToDoubleFunction<Node> comparablePrices) {
    if (node == null) {
      return NodePrice.newBuilder().setComparableUsdPerHour(Double.NaN).build();
    }
    return NodePrice.newBuilder()
        .setUsdPerHour(Math.max(0, node.getPricePerHourUsd()))
        .setComparableUsdPerHour(comparablePrices.applyAsDouble(node))
        .setNodeGpus(node.getGpusCount())
        .setPool(node.getPool())
        .build();
  }

  /** When the attempt's last checkpoint was committed ({@code now} if unsaid); null for none. */
  private static Instant checkpointAt(Attempt a, Instant now) {
    if (!a.hasLastCheckpoint()) {
      return null;
    }
    return a.getLastCheckpoint().hasCommittedAt()
        ? CoreSnapshots.instant(a.getLastCheckpoint().getCommittedAt())
        : now;
  }

  /**
   * An attempt that restored an older checkpoint than its predecessors committed (theirs failed
   * verification), or none, shows that their work since it is lost: the attempt that wrote the
   * restored checkpoint keeps only the work before it, the attempts after it keep nothing.
   */
  private void bookLostRestores(Job job) {
    for (int i = 1; i < job.getAttemptsCount(); i++) {
      Attempt a = job.getAttempts(i);
      if (!a.hasRestore()) {
        continue;
      }
      var restored = a.getRestore().hasRestored() ? a.getRestore().getRestored() : null;
      for (int j = 0; j < i; j++) {
        int earlier = job.getAttempts(j).getNumber();
        if (restored == null || earlier > restored.getAttempt()) {
          ledger.workLostSince(job.getId(), earlier, null);
        } else if (earlier == restored.getAttempt() && restored.hasCommittedAt()) {
          ledger.workLostSince(
              job.getId(), earlier, CoreSnapshots.instant(restored.getCommittedAt()));
        }
      }
    }
  }

  /** A telemetry sample from {@code nodeId}: utilization of the GPUs that running jobs hold. */
  void telemetry(String nodeId, List<Gpu> gpus, Instant now) {
    Map<Integer, Holder> held = holders.get(nodeId);
    if (held == null) {
      return;
    }
    for (Gpu gpu : gpus) {
      Holder h = held.get(gpu.getIndex());
      if (h != null) {
        ledger.gpuUtilization(
            h.jobId(), h.attempt(), nodeId, gpu.getIndex(), gpu.getUtilizationPercent(), now);
      }
    }
  }

  /**
   * Whether an ended attempt was cut short by the scheduler or the cloud (preempted, reclaimed,
   * lost), so that its work since the last checkpoint counts as lost. An exit, a failed start or a
   * user's cancel is not.
   *
   * @param jobStateAfter the job's state after the attempt ended
   */
  static boolean interrupted(Attempt a, JobState jobStateAfter) {
    if (a.hasExitCode()
        || a.getEndReason().startsWith("start failed")
        || a.getEndReason().startsWith("did not start")) {
      return false;
    }
    return jobStateAfter != JobState.JOB_STATE_CANCELLED;
  }

  private Booked start(Job job, Attempt a, Function<String, Node> nodes) {
    List<CostLedger.Slice> slices = new ArrayList<>();
    var capacity = CoreSnapshots.capacityType(a.getCapacityType());
    Booked b = new Booked();
    b.nodeIds = a.getNodeIdsList();
    b.gpus = new ArrayList<>();
    // Priced as placed; an attempt placed before prices were kept with it, at today's prices.
    boolean kept = a.getNodePricesCount() == a.getNodeIdsCount();
    for (int n = 0; n < a.getNodeIdsCount(); n++) {
      String nodeId = a.getNodeIds(n);
      List<Integer> indices = n < a.getGpusCount() ? a.getGpus(n).getIndexList() : List.of();
      b.gpus.add(indices);
      NodePrice price =
          kept ? a.getNodePrices(n) : price(nodes.apply(nodeId), comparablePrices::applyAsDouble);
      int nodeGpus = price.getNodeGpus();
      slices.add(
          new CostLedger.Slice(
              nodeId,
              price.getPool(),
              capacity,
              nodeGpus == 0 ? indices.size() : Math.min(indices.size(), nodeGpus),
              nodeGpus,
              Math.max(0, price.getUsdPerHour()),
              price.getComparableUsdPerHour()));
    }
    ledger.attemptStarted(
        job.getId(),
        job.getSpec().getTeam(),
        a.getNumber(),
        slices,
        CoreSnapshots.instant(a.getStartedAt()));
    if (!a.hasEndedAt()) {
      Holder h = new Holder(job.getId(), a.getNumber());
      for (int n = 0; n < b.nodeIds.size(); n++) {
        Map<Integer, Holder> held = holders.computeIfAbsent(b.nodeIds.get(n), k -> new HashMap<>());
        for (int index : b.gpus.get(n)) {
          held.put(index, h);
        }
      }
    }
    return b;
  }

  private void release(String jobId, int attempt, Booked b) {
    Holder h = new Holder(jobId, attempt);
    for (int n = 0; n < b.nodeIds.size(); n++) {
      Map<Integer, Holder> held = holders.get(b.nodeIds.get(n));
      if (held != null) {
        held.values().removeIf(h::equals);
        if (held.isEmpty()) {
          holders.remove(b.nodeIds.get(n));
        }
      }
    }
  }
}
