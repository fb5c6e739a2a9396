package io.tern.scheduler.core.preemption;

import io.tern.scheduler.core.model.Allocation;
import io.tern.scheduler.core.model.NodeState;
import io.tern.scheduler.core.model.PriorityClass;
import io.tern.scheduler.core.placement.AllocationTable;
import io.tern.scheduler.core.placement.ClusterIndex;
import io.tern.scheduler.core.placement.GpuSelection;
import io.tern.scheduler.core.placement.NodeView;
import io.tern.scheduler.core.placement.PlacementRequest;
import io.tern.scheduler.core.plan.Preemption;
import io.tern.scheduler.core.queue.TeamUsage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Proposes victims for a job that fits nowhere as things stand (phase one of two: the committer
 * re-validates before signalling). A victim is eligible when the job's class outranks it
 * (PRIORITY), or when the job's team is within its guarantee and the victim's team is borrowing and
 * does not outrank the job (QUOTA_RECLAIM). Jobs already stopping count as free room: they cost
 * nothing. Nodes are compared by work lost (non-checkpointable GPU-seconds since their last
 * checkpoint), then the highest priority class among their new victims (the lower the better), then
 * the number of new victims, then GPU-seconds at risk, then position; at most {@code
 * candidateNodes} feasible nodes are compared.
 *
 * <p>Not thread-safe: one per plan call. It remembers victims chosen earlier in the call so no job
 * is preempted twice and claimed GPUs are never promised twice.
 */
public final class PreemptionPlanner {
  private final ClusterIndex index;
  private final TeamUsage usage;
  private final Instant now;
  private final int candidateNodes;
  private final Set<String> chosen = new HashSet<>();
  // The same victims as rows of the index's allocation table.
  private final BitSet chosenRows = new BitSet();
  private final AllocationTable rows;
  private BitSet nodesWithBorrowers;

  public PreemptionPlanner(ClusterIndex index, TeamUsage usage, Instant now, int candidateNodes) {
    this.index = index;
    this.rows = index.allocationRows();
    this.usage = usage;
    this.now = now;
    this.candidateNodes = candidateNodes;
  }

  /** Nodes running jobs of teams past their guarantee at the start of the plan; built on demand. */
  private BitSet nodesWithBorrowers() {
    if (nodesWithBorrowers == null) {
      nodesWithBorrowers = new BitSet();
      for (NodeView v : index.nodes()) {
        for (int l = index.firstLink(v); l >= 0; l = index.nextLink(l)) {
          int k = index.linkedAllocation(l);
          if (!rows.stopping(k) && usage.borrowing(rows.team(k))) {
            nodesWithBorrowers.set(v.position());
          }
        }
      }
    }
    return nodesWithBorrowers;
  }

  /** Victims and room for {@code request}, or null when preempting cannot make it fit. */
  public PreemptionProposal propose(PlacementRequest request) {
    PriorityClass cls = request.job().priority();
    boolean reclaim = usage.withinGuarantee(request.job().team(), request.resources().totalGpus());
    BitSet candidates = (BitSet) index.nodesWithStopping().clone();
    for (PriorityClass other : PriorityClass.values()) {
      if (cls.outranks(other)) {
        candidates.or(index.nodesRunning(other));
      }
    }
    if (reclaim) {
      candidates.or(nodesWithBorrowers());
    }
    int members = request.nodes();
    List<NodeOption> options = new ArrayList<>();
    NodeView[] nodes = index.nodes();
    for (int i = candidates.nextSetBit(0);
        i >= 0 && options.size() < candidateNodes + members - 1;
        i = candidates.nextSetBit(i + 1)) {
      NodeOption o = evaluate(request, nodes[i], reclaim);
      if (o != null) {
        options.add(o);
      }
    }
    if (options.size() < members) {
      return null;
    }
    options.sort(null);
    List<NodeOption> picked = new ArrayList<>(options.subList(0, members));
    picked.sort((a, b) -> Integer.compare(a.node.position(), b.node.position()));
    List<NodeView> outNodes = new ArrayList<>();
    List<Long> outGpus = new ArrayList<>();
    List<Allocation> victims = new ArrayList<>();
    List<Preemption.Reason> reasons = new ArrayList<>();
    for (NodeOption o : picked) {
      outNodes.add(o.node);
      outGpus.add(o.gpus);
      for (int k = 0; k < o.victims.size(); k++) {
        Allocation v = o.victims.get(k);
        if (!v.stopping() && chosen.add(v.jobId())) {
          chosenRows.set(rowOf(o.node, v));
          victims.add(v);
          reasons.add(o.reasons.get(k));
        }
      }
    }
    return new PreemptionProposal(outNodes, outGpus, victims, reasons);
  }

  private NodeOption evaluate(PlacementRequest request, NodeView node, boolean reclaim) {
    if (node.node().state() != NodeState.READY
        || (node.reservedFor() != null && !node.reservedFor().equals(request.job().id()))
        || !request.allows(node.node().capacityType())
        || priceShare(request, node) > request.maxJobPricePerHourUsd()
        || !request.resources().acceptsModel(node.node().primaryGpuModel())
        || !mayFreeEnough(request, node, reclaim)) {
      return null;
    }
    var r = request.resources();
    int need = r.gpusPerNode();
    long suitable = 0;
    for (int gpu = 0; gpu < node.gpuCount(); gpu++) {
      var g = node.node().gpus().get(gpu);
      if ((node.healthyGpus() & (1L << gpu)) != 0
          && r.acceptsModel(g.model())
          && g.memoryTotalMiB() >= r.gpuMemoryMiB()) {
        suitable |= 1L << gpu;
      }
    }
    suitable &= ~node.plannedGpus();
    long room = node.freeGpus() & suitable;
    long freeNow = 0;
    for (long m = room; m != 0; m &= m - 1) {
      int gpu = Long.numberOfTrailingZeros(m);
      if (node.gpuMemoryFreeMiB(gpu) >= r.gpuMemoryMiB()) {
        freeNow |= 1L << gpu;
      }
    }
    room = freeNow;
    int cpu = node.freeCpu();
    long mem = node.freeMemoryMiB();
    int[] holders = new int[node.gpuCount()];
    List<Allocation> eligible = new ArrayList<>();
    for (Allocation a : node.allocations()) {
      for (var na : a.assignments()) {
        if (na.nodeId().equals(node.node().id())) {
          for (int gpu : na.gpuIndices()) {
            holders[gpu]++;
          }
        }
      }
      if (reasonFor(request, a, reclaim) != null) {
        eligible.add(a);
      }
    }
    eligible.sort(VictimOrder.at(now, chosen));
    List<Allocation> victims = new ArrayList<>();
    List<Preemption.Reason> reasons = new ArrayList<>();
    long lost = 0;
    long risk = 0;
    int newVictims = 0;
    int topClass = PriorityClass.values().length; // below every class: no new victim
    for (Allocation a : eligible) {
      if (Long.bitCount(room) >= need && cpu >= r.cpu() && mem >= r.memoryMiB()) {
        break;
      }
      victims.add(a);
      reasons.add(reasonFor(request, a, reclaim));
      boolean free = a.stopping() || chosen.contains(a.jobId());
      if (!free) {
        lost += VictimOrder.workLost(a, now);
        risk += a.gpuSecondsAtRisk(now);
        newVictims++;
        topClass = Math.min(topClass, a.job().priority().ordinal());
      }
      cpu += a.job().resources().cpu();
      mem += a.job().resources().memoryMiB();
      for (var na : a.assignments()) {
        if (na.nodeId().equals(node.node().id())) {
          for (int gpu : na.gpuIndices()) {
            if (--holders[gpu] == 0 && (suitable & (1L << gpu)) != 0) {
              room |= 1L << gpu;
            }
          }
        }
      }
    }
    if (Long.bitCount(room) < need || cpu < r.cpu() || mem < r.memoryMiB() || victims.isEmpty()) {
      return null;
    }
    long gpus = GpuSelection.lowest(room, need);
    return new NodeOption(node, gpus, victims, reasons, lost, topClass, newVictims, risk);
  }

  /**
   * A cheap, allocation-free upper bound: free GPUs plus every GPU an eligible victim holds here.
   * Most nodes fail it, which keeps a search over a busy cluster cheap.
   */
  private boolean mayFreeEnough(PlacementRequest request, NodeView node, boolean reclaim) {
    long possible = node.freeGpus() & ~node.plannedGpus();
    PriorityClass mine = request.job().priority();
    for (int l = index.firstLink(node); l >= 0; l = index.nextLink(l)) {
      int k = index.linkedAllocation(l);
      if (eligible(request, mine, k, reclaim)) {
        possible |= index.linkedGpus(l);
      }
    }
    possible &= node.healthyGpus() & ~node.plannedGpus();
    return Long.bitCount(possible) >= request.gpusPerNode();
  }

  /** {@code reasonFor(request, allocation k, reclaim) != null}, read from the allocation rows. */
  private boolean eligible(PlacementRequest request, PriorityClass mine, int k, boolean reclaim) {
    if (rows.stopping(k) || chosenRows.get(k)) {
      return true;
    }
    PriorityClass theirs = rows.priority(k);
    if (mine.outranks(theirs)) {
      return true;
    }
    return reclaim
        && !theirs.outranks(mine)
        && !rows.team(k).equals(request.job().team())
        && usage.borrowing(rows.team(k));
  }

  /** The row of {@code victim}, one of the snapshot allocations on {@code node}. */
  private int rowOf(NodeView node, Allocation victim) {
    for (int l = index.firstLink(node); l >= 0; l = index.nextLink(l)) {
      int k = index.linkedAllocation(l);
      if (rows.allocation(k) == victim) {
        return k;
      }
    }
    throw new IllegalStateException("victim " + victim.jobId() + " is not on " + node);
  }

  private Preemption.Reason reasonFor(PlacementRequest request, Allocation a, boolean reclaim) {
    if (a.stopping() || chosen.contains(a.jobId())) {
      return Preemption.Reason.PRIORITY;
    }
    PriorityClass mine = request.job().priority();
    PriorityClass theirs = a.job().priority();
    if (mine.outranks(theirs)) {
      return Preemption.Reason.PRIORITY;
    }
    if (reclaim
        && !theirs.outranks(mine)
        && !a.job().team().equals(request.job().team())
        && usage.borrowing(a.job().team())) {
      return Preemption.Reason.QUOTA_RECLAIM;
    }
    return null;
  }

  private static double priceShare(PlacementRequest request, NodeView node) {
    if (request.maxJobPricePerHourUsd() == Double.POSITIVE_INFINITY) {
      return 0;
    }
    int gpus = node.gpuCount();
    return gpus == 0 || request.gpusPerNode() == 0
        ? node.node().pricePerHourUsd()
        : node.node().pricePerHourUsd() * request.gpusPerNode() / gpus;
  }

  /**
   * A node that fits the job once its victims stop; sorted best first.
   *
   * @param victims every job that must stop here, those stopping already included
   * @param topClass the ordinal of the highest priority class among the new victims (a larger one
   *     is a lesser class); past every class when there is none
   * @param newVictims the victims not stopping already: what preempting here costs
   */
  private record NodeOption(
      NodeView node,
      long gpus,
      List<Allocation> victims,
      List<Preemption.Reason> reasons,
      long workLost,
      int topClass,
      int newVictims,
      long atRisk)
      implements Comparable<NodeOption> {

    @Override
    public int compareTo(NodeOption o) {
      int c = Long.compare(workLost, o.workLost);
      if (c != 0) {
        return c;
      }
      c = Integer.compare(o.topClass, topClass);
      if (c != 0) {
        return c;
      }
      c = Integer.compare(newVictims, o.newVictims);
      if (c != 0) {
        return c;
      }
      c = Long.compare(atRisk, o.atRisk);
      return c != 0 ? c : Integer.compare(node.position(), o.node.position());
    }
  }
}
