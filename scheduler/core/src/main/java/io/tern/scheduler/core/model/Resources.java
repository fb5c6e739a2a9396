package io.tern.scheduler.core.model;

import java.util.Collection;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * What a job asks for. A job with {@code nodes > 1} is a gang: {@code nodes} nodes with {@code
 * gpusPerNode} GPUs each, placed whole or not at all.
 *
 * @param gpusPerNode GPUs on each node (0 for CPU-only work)
 * @param nodes number of nodes (1 unless a gang)
 * @param gpuMemoryMiB minimum free memory on each GPU
 * @param gpuModels acceptable GPU models; empty means any (kept sorted for determinism)
 * @param cpu cores on each node
 * @param memoryMiB host memory on each node
 */
public record Resources(
    int gpusPerNode,
    int nodes,
    long gpuMemoryMiB,
    SortedSet<String> gpuModels,
    int cpu,
    long memoryMiB) {

  public Resources {
    if (gpusPerNode < 0 || gpusPerNode > 64) {
      throw new IllegalArgumentException("gpusPerNode must be 0..64: " + gpusPerNode);
    }
    if (nodes < 1) {
      throw new IllegalArgumentException("nodes must be >= 1: " + nodes);
    }
    if (gpuMemoryMiB < 0 || cpu < 0 || memoryMiB < 0) {
      throw new IllegalArgumentException("resources must be >= 0");
    }
    Objects.requireNonNull(gpuModels, "gpuModels");
    gpuModels = ModelSet.of(gpuModels);
  }

  /** {@code gpus} GPUs of any model on one node, no CPU or memory demand. */
  public static Resources gpus(int gpus) {
    return new Resources(gpus, 1, 0, new TreeSet<>(), 0, 0);
  }

  public static Resources of(
      int gpusPerNode,
      int nodes,
      long gpuMemoryMiB,
      Collection<String> gpuModels,
      int cpu,
      long memoryMiB) {
    return new Resources(
        gpusPerNode, nodes, gpuMemoryMiB, new TreeSet<>(gpuModels), cpu, memoryMiB);
  }

  public int totalGpus() {
    return gpusPerNode * nodes;
  }

  public boolean acceptsModel(String model) {
    return gpuModels.isEmpty() || gpuModels.contains(model);
  }

  // equals and hashCode are written out, not left to the record's generated ones: every queued
  // job's shape is compared in every plan, and the generated methods (method-handle chains through
  // Objects.equals) were a fifth of a steady-state plan.
  @Override
  public boolean equals(Object o) {
    return o instanceof Resources r
        && gpusPerNode == r.gpusPerNode
        && nodes == r.nodes
        && gpuMemoryMiB == r.gpuMemoryMiB
        && cpu == r.cpu
        && memoryMiB == r.memoryMiB
        && (gpuModels == r.gpuModels || gpuModels.equals(r.gpuModels));
  }

  @Override
  public int hashCode() {
    int h = gpusPerNode;
    h = 31 * h + nodes;
    h = 31 * h + Long.hashCode(gpuMemoryMiB);
    h = 31 * h + gpuModels.hashCode();
    h = 31 * h + cpu;
    return 31 * h + Long.hashCode(memoryMiB);
  }
}
