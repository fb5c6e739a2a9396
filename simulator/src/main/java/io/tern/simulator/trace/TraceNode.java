package io.tern.simulator.trace;

import java.util.Objects;

/**
 * One GPU host shape of a cluster trace.
 *
 * @param id unique node id
 * @param gpus GPUs on the node
 * @param gpuModel GPU model name as the trace spells it (e.g. {@code V100M32}, {@code T4})
 * @param gpuMemGib memory per GPU
 * @param capacity what the node was bought as where the node list says ({@code spot} or {@code
 *     on-demand}, e.g. a {@code tern history export}), else empty
 * @param pricePerHourUsd what the node cost per hour where the node list says, else NaN
 */
public record TraceNode(
    String id, int gpus, String gpuModel, int gpuMemGib, String capacity, double pricePerHourUsd) {
  /** Validates that the node has a name, a model and at least one GPU. */
  public TraceNode {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(gpuModel, "gpuModel");
    Objects.requireNonNull(capacity, "capacity");
    if (gpus < 1) {
      throw new IllegalArgumentException("node " + id + " has no GPUs");
    }
  }

  /** A node whose capacity type and price are unknown. */
  public TraceNode(String id, int gpus, String gpuModel, int gpuMemGib) {
    this(id, gpus, gpuModel, gpuMemGib, "", Double.NaN);
  }
}
