package io.tern.scheduler.core.placement;

import io.tern.scheduler.core.model.Allocation;
import io.tern.scheduler.core.model.Gpu;
import io.tern.scheduler.core.model.Node;
import java.util.List;

/**
 * A node's remaining room during one plan call: what the snapshot's allocations and this plan's
 * earlier placements left. Filters and scorers read it; only the {@link ClusterIndex} changes it.
 * Not thread-safe: it belongs to one plan call.
 *
 * <p>GPU sets are bit masks (bit {@code i} is GPU index {@code i}); nodes have at most 64 GPUs.
 */
public final class NodeView {
  private final Node node;
  private final int position;
  private final long allGpus;
  private final long healthyGpus;
  // Both made on first change; until then the snapshot's figures (free memory) and zero (sharers)
  // hold. Most nodes never see a shareable job in a plan, so most nodes never need them.
  private long[] gpuMemoryFreeMiB;
  private int[] sharers;
  private final ClusterIndex.AllocationLinks links;
  // The snapshot's allocations on this node, as a chain through the index's links (first and last
  // link, or -1); the list is built when first asked for.
  int firstLink = -1;
  int lastLink = -1;
  private List<Allocation> allocations;
  long exclusiveGpus;
  long sharedGpus;
  long plannedGpus;
  int freeCpu;
  long freeMemoryMiB;

  /** Jobs on the node: the snapshot's allocations and this plan's placements. */
  int jobs;

  String reservedFor;
  boolean touched;
  int bucketGroup = -1;
  int bucketFree = -1;
  boolean inSharedIndex;

  NodeView(
      Node node, int position, ClusterIndex.AllocationLinks links, long allGpus, long healthyGpus) {
    this.node = node;
    this.position = position;
    this.links = links;
    this.allGpus = allGpus;
    this.healthyGpus = healthyGpus;
    this.freeCpu = node.cpu();
    this.freeMemoryMiB = node.memoryMiB();
  }

  public Node node() {
    return node;
  }

  /** Position of the node in id order; the final tie-break. */
  public int position() {
    return position;
  }

  public int gpuCount() {
    return node.gpus().size();
  }

  /** Every GPU of the node as a mask. */
  public long allGpus() {
    return allGpus;
  }

  /** GPUs whose health is OK. */
  public long healthyGpus() {
    return healthyGpus;
  }

  /** GPUs nobody holds (healthy or not). */
  public long unallocatedGpus() {
    return allGpus & ~(exclusiveGpus | sharedGpus);
  }

  /** Healthy GPUs nobody holds: what an exclusive job can take. */
  public long freeGpus() {
    return unallocatedGpus() & healthyGpus;
  }

  public int freeGpuCount() {
    return Long.bitCount(freeGpus());
  }

  /** GPUs held only by shareable work, so another shareable job may join. */
  public long sharedGpus() {
    return sharedGpus & ~exclusiveGpus;
  }

  public boolean isFree(int gpu) {
    return (freeGpus() & (1L << gpu)) != 0;
  }

  public boolean isShared(int gpu) {
    return (sharedGpus() & (1L << gpu)) != 0;
  }

  /** Shareable jobs on the GPU. */
  public int sharers(int gpu) {
    return sharers == null ? 0 : sharers[gpu];
  }

  public long gpuMemoryFreeMiB(int gpu) {
    return gpuMemoryFreeMiB == null ? node.gpus().get(gpu).memoryFreeMiB() : gpuMemoryFreeMiB[gpu];
  }

  public int utilizationPercent(int gpu) {
    return node.gpus().get(gpu).utilizationPercent();
  }

  public String gpuModel(int gpu) {
    return node.gpus().get(gpu).model();
  }

  public int freeCpu() {
    return freeCpu;
  }

  public long freeMemoryMiB() {
    return freeMemoryMiB;
  }

  /** The job this node is held for in this plan (reservation or preemption), or null. */
  public String reservedFor() {
    return reservedFor;
  }

  /** Allocations from the snapshot on this node, sorted by job id. */
  public List<Allocation> allocations() {
    if (allocations == null) {
      allocations = links.list(firstLink);
    }
    return allocations;
  }

  /** True when nothing runs here and nothing was placed or claimed here in this plan. */
  public boolean idle() {
    return firstLink < 0 && !touched && reservedFor == null;
  }

  /**
   * Counts the GPUs ({@code gpus}, a mask), cores and memory of a snapshot allocation (its link is
   * added by the index).
   */
  void addAllocation(boolean shareable, long gpus, int cpu, long memoryMiB) {
    if (shareable) {
      sharedGpus |= gpus;
      int[] count = sharers();
      for (long m = gpus; m != 0; m &= m - 1) {
        count[Long.numberOfTrailingZeros(m)]++;
      }
    } else {
      exclusiveGpus |= gpus;
    }
    freeCpu -= cpu;
    freeMemoryMiB -= memoryMiB;
    jobs++;
  }

  private int[] sharers() {
    if (sharers == null) {
      sharers = new int[node.gpus().size()];
    }
    return sharers;
  }

  private long[] gpuMemoryFreeMiB() {
    if (gpuMemoryFreeMiB == null) {
      List<Gpu> gpus = node.gpus();
      gpuMemoryFreeMiB = new long[gpus.size()];
      for (int i = 0; i < gpuMemoryFreeMiB.length; i++) {
        gpuMemoryFreeMiB[i] = gpus.get(i).memoryFreeMiB();
      }
    }
    return gpuMemoryFreeMiB;
  }

  /** GPUs given to (or claimed for) a job in this plan; never freed by preempting anyone. */
  public long plannedGpus() {
    return plannedGpus;
  }

  void take(long gpus, boolean shareable, long gpuMemoryMiB, int cpu, long memoryMiB) {
    touched = true;
    plannedGpus |= gpus;
    if (shareable) {
      sharedGpus |= gpus;
      int[] count = sharers();
      long[] memory = gpuMemoryFreeMiB();
      for (long m = gpus; m != 0; m &= m - 1) {
        int gpu = Long.numberOfTrailingZeros(m);
        count[gpu]++;
        memory[gpu] = Math.max(0, memory[gpu] - gpuMemoryMiB);
      }
    } else {
      exclusiveGpus |= gpus;
    }
    freeCpu -= cpu;
    freeMemoryMiB -= memoryMiB;
    jobs++;
  }

  /** How many jobs run on the node or were placed on it in this plan. */
  public int jobs() {
    return jobs;
  }

  @Override
  public String toString() {
    return node.id() + "[free=" + Long.toBinaryString(freeGpus()) + "]";
  }
}
