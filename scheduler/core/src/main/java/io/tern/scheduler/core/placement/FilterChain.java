package io.tern.scheduler.core.placement;

import io.tern.scheduler.core.EngineConfig;
import io.tern.scheduler.core.placement.filters.CapacityTypeFilter;
import io.tern.scheduler.core.placement.filters.CostCapFilter;
import io.tern.scheduler.core.placement.filters.CpuFilter;
import io.tern.scheduler.core.placement.filters.GpuAvailabilityFilter;
import io.tern.scheduler.core.placement.filters.GpuHealthFilter;
import io.tern.scheduler.core.placement.filters.GpuMemoryFilter;
import io.tern.scheduler.core.placement.filters.GpuModelFilter;
import io.tern.scheduler.core.placement.filters.GpuUtilizationFilter;
import io.tern.scheduler.core.placement.filters.MemoryFilter;
import io.tern.scheduler.core.placement.filters.NodeStateFilter;
import io.tern.scheduler.core.placement.filters.ReservationFilter;
import java.util.List;
import java.util.Optional;

/**
 * All hard rules in a fixed order: node-level filters first (cheapest, and the state of a node is
 * the most useful thing to tell a user), then GPU filters, whose accepted GPU sets are intersected.
 * Immutable and thread-safe.
 */
public final class FilterChain {
  private final PlacementFilter[] nodeFilters;
  private final GpuFilter[] gpuFilters;

  public FilterChain(List<PlacementFilter> nodeFilters, List<GpuFilter> gpuFilters) {
    this.nodeFilters = nodeFilters.toArray(PlacementFilter[]::new);
    this.gpuFilters = gpuFilters.toArray(GpuFilter[]::new);
  }

  /** The standard rules, configured. */
  public static FilterChain standard(EngineConfig config) {
    return new FilterChain(
        List.of(
            new NodeStateFilter(),
            new ReservationFilter(),
            new CapacityTypeFilter(),
            new CostCapFilter(),
            new CpuFilter(),
            new MemoryFilter()),
        List.of(
            new GpuAvailabilityFilter(config.maxJobsPerSharedGpu()),
            new GpuHealthFilter(),
            new GpuModelFilter(),
            new GpuMemoryFilter(config.shareMemoryMarginMiB()),
            new GpuUtilizationFilter(config.shareMaxUtilizationPercent())));
  }

  /**
   * The GPUs of {@code node} the request may use: every GPU filter accepts them and no node filter
   * vetoes the node. Whether that is enough is the caller's test ({@code Long.bitCount(mask) >=
   * gpusPerNode}): no mask value is free to mean "vetoed", since a 64-GPU node uses all 64 bits and
   * a job without GPUs fits with none.
   *
   * @return the mask, or 0 as soon as it is known not to fit a request that needs GPUs; for one
   *     that needs none, {@link #nodeAccepts} says whether the node fits
   */
  public long usableGpus(PlacementRequest request, NodeView node) {
    int need = request.gpusPerNode();
    long mask = node.allGpus();
    for (GpuFilter f : gpuFilters) {
      mask = f.accepted(request, node, mask);
      if (Long.bitCount(mask) < need) {
        return 0;
      }
    }
    return mask;
  }

  /** Whether every node filter accepts {@code node} for the request. */
  public boolean nodeAccepts(PlacementRequest request, NodeView node) {
    for (PlacementFilter f : nodeFilters) {
      if (f.check(request, node).isPresent()) {
        return false;
      }
    }
    return true;
  }

  /** The first veto for {@code node}, or empty when it passes: what explanations count. */
  public Optional<Veto> firstVeto(PlacementRequest request, NodeView node) {
    for (PlacementFilter f : nodeFilters) {
      Optional<Veto> v = f.check(request, node);
      if (v.isPresent()) {
        return v;
      }
    }
    int need = request.gpusPerNode();
    long mask = node.allGpus();
    for (GpuFilter f : gpuFilters) {
      mask = f.accepted(request, node, mask);
      if (Long.bitCount(mask) < need) {
        return Veto.of(f.kind());
      }
    }
    return Optional.empty();
  }
}
