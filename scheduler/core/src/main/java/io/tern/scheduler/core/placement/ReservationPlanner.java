package io.tern.scheduler.core.placement;

import io.tern.scheduler.core.model.Gpu;
import io.tern.scheduler.core.model.GpuHealth;
import io.tern.scheduler.core.model.Resources;
import java.util.ArrayList;
import java.util.List;

/**
 * Head-of-line reservation (EASY backfill without run-time estimates): the first blocked job gets
 * the nodes that are closest to fitting it (most free GPUs, then id) among nodes that could host it
 * once empty; reserved nodes take no other job in this plan, so backfill cannot delay it. Not
 * thread-safe: one per plan call.
 */
public final class ReservationPlanner {
  private final ClusterIndex index;

  public ReservationPlanner(ClusterIndex index) {
    this.index = index;
  }

  /** Reserves nodes for the request and returns them, or an empty list when none could ever fit. */
  public List<NodeView> reserve(PlacementRequest request) {
    int members = request.nodes();
    List<NodeView> picked = new ArrayList<>();
    for (int free = index.maxGpusPerNode(); free >= 0 && picked.size() < members; free--) {
      for (ClusterIndex.Group group : index.groups()) {
        if (!request.allows(group.capacityType) || !request.resources().acceptsModel(group.model)) {
          continue;
        }
        var bucket = group.byFree[free];
        for (int i = bucket.nextSetBit(0);
            i >= 0 && picked.size() < members;
            i = bucket.nextSetBit(i + 1)) {
          NodeView v = index.nodes()[i];
          if (couldEverHost(request, v)) {
            picked.add(v);
          }
        }
      }
    }
    if (picked.size() < members) {
      return List.of();
    }
    for (NodeView v : picked) {
      index.reserve(v, request.job().id());
    }
    picked.sort((a, b) -> Integer.compare(a.position(), b.position()));
    return picked;
  }

  /** What the holder is told, e.g. {@code holds a reservation on n1 (5 of 8 GPUs free); ...}. */
  public static String describe(List<NodeView> held) {
    StringBuilder b = new StringBuilder("holds a reservation on ");
    for (int i = 0; i < held.size(); i++) {
      NodeView v = held.get(i);
      b.append(i == 0 ? "" : ", ")
          .append(v.node().id())
          .append(" (")
          .append(v.freeGpuCount())
          .append(" of ")
          .append(v.gpuCount())
          .append(" GPUs free)");
    }
    return b.append("; waiting for running jobs to finish").toString();
  }

  /**
   * True when the node would pass the request's static constraints once its jobs end: GPUs that are
   * healthy, of an accepted model, big enough, and either held by a job or free with enough free
   * memory now (memory held by something we do not run will not come back).
   */
  static boolean couldEverHost(PlacementRequest request, NodeView v) {
    Resources r = request.resources();
    var node = v.node();
    // GPUs held by running jobs or by jobs placed earlier in this plan: both end some day.
    long heldByJobs = ~v.unallocatedGpus() & v.allGpus();
    if (heldByJobs == 0 || node.cpu() < r.cpu() || node.memoryMiB() < r.memoryMiB()) {
      return false;
    }
    int usable = 0;
    for (Gpu gpu : node.gpus()) {
      int i = gpu.index();
      boolean willFree =
          (heldByJobs & (1L << i)) != 0
              || ((v.unallocatedGpus() & (1L << i)) != 0
                  && v.gpuMemoryFreeMiB(i) >= r.gpuMemoryMiB());
      if (willFree
          && gpu.health() == GpuHealth.OK
          && r.acceptsModel(gpu.model())
          && gpu.memoryTotalMiB() >= r.gpuMemoryMiB()) {
        usable++;
      }
    }
    if (usable < r.gpusPerNode()) {
      return false;
    }
    double cap = request.maxJobPricePerHourUsd();
    if (cap == Double.POSITIVE_INFINITY) {
      return true;
    }
    return io.tern.scheduler.core.placement.filters.CostCapFilter.affordable(request, v);
  }
}
