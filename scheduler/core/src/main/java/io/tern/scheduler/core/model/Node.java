package io.tern.scheduler.core.model;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A GPU host as the core sees it.
 *
 * @param id unique node id (total order: nodes are always visited by id)
 * @param capacityType spot or on-demand
 * @param pool capacity pool id (instance type + zone, e.g. {@code p4d.24xlarge/us-east-1a})
 * @param pricePerHourUsd what the whole node costs per hour
 * @param labels free-form labels (sorted)
 * @param state whether it takes new work
 * @param cpu total cores
 * @param memoryMiB total host memory
 * @param gpus its GPUs sorted by index (at most 64)
 * @param idleSince when it last became idle (no allocation), or null when unknown or busy; used to
 *     release idle cloud nodes after a grace period
 */
public record Node(
    String id,
    CapacityType capacityType,
    String pool,
    double pricePerHourUsd,
    SortedMap<String, String> labels,
    NodeState state,
    int cpu,
    long memoryMiB,
    List<Gpu> gpus,
    Instant idleSince) {

  public Node {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(capacityType, "capacityType");
    Objects.requireNonNull(pool, "pool");
    Objects.requireNonNull(state, "state");
    labels = Collections.unmodifiableSortedMap(new TreeMap<>(labels));
    List<Gpu> sorted = new ArrayList<>(gpus);
    sorted.sort(Comparator.comparingInt(Gpu::index));
    if (sorted.size() > 64) {
      throw new IllegalArgumentException("node " + id + " has more than 64 GPUs");
    }
    for (int i = 0; i < sorted.size(); i++) {
      if (sorted.get(i).index() != i) {
        throw new IllegalArgumentException("node " + id + ": GPU indices must be 0..n-1");
      }
    }
    gpus = List.copyOf(sorted);
    if (cpu < 0 || memoryMiB < 0 || pricePerHourUsd < 0) {
      throw new IllegalArgumentException("node " + id + ": negative capacity or price");
    }
  }

  /** A READY node with {@code gpuCount} idle GPUs of one model. */
  public static Node of(
      String id,
      CapacityType capacityType,
      String pool,
      double pricePerHourUsd,
      int gpuCount,
      String gpuModel,
      long gpuMemoryMiB,
      int cpu,
      long memoryMiB) {
    List<Gpu> gpus = new ArrayList<>(gpuCount);
    for (int i = 0; i < gpuCount; i++) {
      gpus.add(Gpu.idle(i, id + "-gpu" + i, gpuModel, gpuMemoryMiB));
    }
    return new Node(
        id,
        capacityType,
        pool,
        pricePerHourUsd,
        new TreeMap<>(),
        NodeState.READY,
        cpu,
        memoryMiB,
        gpus,
        null);
  }

  /** The model of GPU 0, or the empty string for a GPU-less node. */
  public String primaryGpuModel() {
    return gpus.isEmpty() ? "" : gpus.get(0).model();
  }

  public double pricePerGpuHourUsd() {
    return gpus.isEmpty() ? pricePerHourUsd : pricePerHourUsd / gpus.size();
  }

  public Node withState(NodeState state) {
    return new Node(
        id, capacityType, pool, pricePerHourUsd, labels, state, cpu, memoryMiB, gpus, idleSince);
  }

  public Node withGpus(List<Gpu> gpus) {
    return new Node(
        id, capacityType, pool, pricePerHourUsd, labels, state, cpu, memoryMiB, gpus, idleSince);
  }

  public Node withIdleSince(Instant idleSince) {
    return new Node(
        id, capacityType, pool, pricePerHourUsd, labels, state, cpu, memoryMiB, gpus, idleSince);
  }

  public Node withLabels(Map<String, String> labels) {
    return new Node(
        id,
        capacityType,
        pool,
        pricePerHourUsd,
        new TreeMap<>(labels),
        state,
        cpu,
        memoryMiB,
        gpus,
        idleSince);
  }
}
