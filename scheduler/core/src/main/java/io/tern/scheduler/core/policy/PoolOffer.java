package io.tern.scheduler.core.policy;

import io.tern.scheduler.core.model.CapacityType;
import java.util.Objects;

/**
 * A pool the cloud connector can launch nodes into (one instance type in one zone, one capacity
 * type).
 *
 * @param id pool id as nodes name it in {@code Node.pool}
 * @param capacityType spot or on-demand
 * @param instanceType e.g. {@code p4d.24xlarge}
 * @param zone e.g. {@code us-east-1a}
 * @param gpusPerNode GPUs per launched node
 * @param gpuModel GPU model of launched nodes
 * @param gpuMemoryMiB memory per GPU
 * @param cpu cores per node
 * @param memoryMiB host memory per node
 * @param pricePerHourUsd price of one node per hour
 * @param maxNodes most nodes this pool may hold at once (running plus launching)
 */
public record PoolOffer(
    String id,
    CapacityType capacityType,
    String instanceType,
    String zone,
    int gpusPerNode,
    String gpuModel,
    long gpuMemoryMiB,
    int cpu,
    long memoryMiB,
    double pricePerHourUsd,
    int maxNodes) {

  public PoolOffer {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(capacityType, "capacityType");
    Objects.requireNonNull(gpuModel, "gpuModel");
    if (gpusPerNode < 0 || maxNodes < 0 || pricePerHourUsd < 0) {
      throw new IllegalArgumentException("pool " + id + ": negative size or price");
    }
  }
}
