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
  /** Returned by {@link #usableGpus} for a vetoed node. */
  public static final long VETOED = -1L;

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
   * The GPUs of {@code node} that every GPU filter accepts, or {@link #VETOED} when a filter vetoes
   * the node or fewer than {@code gpusPerNode} GPUs remain.
   */
  public long usableGpus(PlacementRequest request, NodeView node) {
    for (PlacementFilter f : nodeFilters) {
      if (f.check(request, node).isPresent()) {
        return VETOED;
      }
    }
    int need = request.gpusPerNode();
    long mask = node.allGpus();
    for (GpuFilter f : gpuFilters) {
      mask = f.accepted(request, node, mask);
      if (Long.bitCount(mask) < need) {
        return VETOED;
      }
    }
    return mask;
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
