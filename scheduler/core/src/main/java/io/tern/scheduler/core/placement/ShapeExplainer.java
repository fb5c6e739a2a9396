package io.tern.scheduler.core.placement;

import io.tern.scheduler.core.explain.PendingReason;
import io.tern.scheduler.core.explain.ReasonCounter;
import io.tern.scheduler.core.explain.ReasonKind;
import io.tern.scheduler.core.model.NodeState;
import io.tern.scheduler.core.model.Resources;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Explains why a request fits nowhere, cheaply: whole groups and buckets are counted at once (wrong
 * capacity type, wrong model, too few free GPUs, node states), and only nodes that have enough free
 * GPUs are run through the filters, at most {@code nodeBudget} of them. Not thread-safe: one per
 * plan call.
 */
public final class ShapeExplainer {
  private final ClusterIndex index;
  private final FilterChain filters;
  private final int nodeBudget;

  public ShapeExplainer(ClusterIndex index, FilterChain filters, int nodeBudget) {
    this.index = index;
    this.filters = filters;
    this.nodeBudget = nodeBudget;
  }

  /** Node-level reasons, counted; {@code detailed} false skips the per-node filter pass. */
  public List<PendingReason> explain(PlacementRequest request, boolean detailed) {
    ReasonCounter counter = new ReasonCounter();
    if (index.nodes().length == 0) {
      return List.of(PendingReason.of(ReasonKind.NO_NODES, "no nodes in the cluster"));
    }
    counter.add(ReasonKind.NODE_DRAINING, index.nodesIn(NodeState.DRAINING));
    counter.add(ReasonKind.NODE_LOST, index.nodesIn(NodeState.LOST));
    counter.add(ReasonKind.NODE_CORDONED, index.nodesIn(NodeState.CORDONED));
    counter.add(ReasonKind.NODE_UNREACHABLE, index.nodesIn(NodeState.UNREACHABLE));
    counter.add(ReasonKind.NODE_RESTING, index.nodesIn(NodeState.RESTING));
    Resources r = request.resources();
    int g = request.gpusPerNode();
    int examined = 0;
    int passing = 0;
    String notEnough = notEnoughGpus(g);
    int[][] sickByBucket = null;
    for (ClusterIndex.Group group : index.groups()) {
      if (!request.allows(group.capacityType)) {
        counter.add(
            ReasonKind.CAPACITY_TYPE,
            group.size,
            group.capacityType.label() + " not allowed for this job");
        continue;
      }
      if (!r.acceptsModel(group.model)) {
        counter.add(
            ReasonKind.GPU_MODEL, group.size, "GPU model " + group.model + " not in " + models(r));
        continue;
      }
      int reserved = group.size;
      for (int free = 0; free < group.byFree.length; free++) {
        int inBucket = group.byFree[free].cardinality();
        reserved -= inBucket;
        var bucket = group.byFree[free];
        boolean enoughFree = free >= g;
        if (!enoughFree && !(request.shareable() && group.shared.intersects(bucket))) {
          // Too few free healthy GPUs; say "unhealthy" where the sick ones are what is missing.
          if (sickByBucket == null) {
            sickByBucket = sickByBucket(g);
          }
          int sick = sickByBucket[group.id][free];
          counter.add(ReasonKind.GPU_UNHEALTHY, sick);
          counter.add(ReasonKind.NOT_ENOUGH_GPUS, inBucket - sick, notEnough);
          continue;
        }
        for (int i = bucket.nextSetBit(0); i >= 0; i = bucket.nextSetBit(i + 1)) {
          if (!enoughFree && !group.shared.get(i)) {
            // A shareable job could only join this node's shared GPUs, and it has none.
            counter.add(ReasonKind.NOT_ENOUGH_GPUS, 1, notEnough);
          } else if (!detailed) {
            counter.add(ReasonKind.NOT_EXAMINED, 1, "did not fit (not examined in detail)");
          } else if (examined >= nodeBudget) {
            counter.add(ReasonKind.NOT_EXAMINED, 1, "not examined (explanation budget spent)");
          } else {
            examined++;
            Optional<Veto> veto = filters.firstVeto(request, index.nodes()[i]);
            if (veto.isPresent()) {
              ReasonKind kind = veto.get().kind();
              // Only the first node of a kind pays for formatting its text.
              counter.add(kind, 1, counter.count(kind) == 0 ? detail(kind, request) : null);
            } else {
              passing++;
            }
          }
        }
      }
      counter.add(ReasonKind.RESERVED, reserved, "reserved for a job ahead in the queue");
    }
    List<PendingReason> out = new ArrayList<>();
    if (passing > 0) {
      // Only a gang gets here: some nodes fit one member, not enough fit all of them.
      out.add(
          PendingReason.of(
              ReasonKind.GANG_INCOMPLETE,
              "gang needs "
                  + request.nodes()
                  + " nodes with "
                  + g
                  + (g == 1 ? " GPU; " : " GPUs; ")
                  + passing
                  + " fit"));
    }
    out.addAll(counter.toReasons());
    if (out.isEmpty()) {
      out.add(PendingReason.of(ReasonKind.NO_NODES, "no READY node matches"));
    }
    return List.copyOf(out);
  }

  /**
   * Per group and free-GPU bucket: nodes with an unhealthy GPU that would have {@code g} GPUs if
   * the sick ones were well (one pass over the few such nodes, not one per bucket).
   */
  private int[][] sickByBucket(int g) {
    int[][] sick = new int[index.groups().size()][index.maxGpusPerNode() + 1];
    NodeView[] nodes = index.nodes();
    var unhealthy = index.nodesWithUnhealthyGpus();
    for (int i = unhealthy.nextSetBit(0); i >= 0; i = unhealthy.nextSetBit(i + 1)) {
      NodeView v = nodes[i];
      if (v.bucketGroup >= 0 && v.bucketFree >= 0 && Long.bitCount(v.unallocatedGpus()) >= g) {
        sick[v.bucketGroup][v.bucketFree]++;
      }
    }
    return sick;
  }

  private static String notEnoughGpus(int g) {
    return "not enough free GPUs (needs " + g + ")";
  }

  private static String models(Resources r) {
    return r.gpuModels().toString();
  }

  /** Kind text plus what the job asked for, so the user sees the number to compare. */
  static String detail(ReasonKind kind, PlacementRequest request) {
    Resources r = request.resources();
    return switch (kind) {
      case NOT_ENOUGH_GPUS -> notEnoughGpus(r.gpusPerNode());
      case GPU_MEMORY -> kind.text() + " (needs " + r.gpuMemoryMiB() + " MiB per GPU)";
      case GPU_MODEL -> kind.text() + " (accepts " + models(r) + ")";
      case CPU -> kind.text() + " (needs " + r.cpu() + " cores)";
      case MEMORY -> kind.text() + " (needs " + r.memoryMiB() + " MiB)";
      default -> kind.text();
    };
  }
}
