package io.tern.simulator.trace;

import java.util.Objects;

/**
 * One GPU host shape of a cluster trace.
 *
 * @param id unique node id
 * @param gpus GPUs on the node
 * @param gpuModel GPU model name as the trace spells it (e.g. {@code V100M32}, {@code T4})
 * @param gpuMemGib memory per GPU
 */
public record TraceNode(String id, int gpus, String gpuModel, int gpuMemGib) {
  /** Validates that the node has a name, a model and at least one GPU. */
  public TraceNode {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(gpuModel, "gpuModel");
    if (gpus < 1) {
      throw new IllegalArgumentException("node " + id + " has no GPUs");
    }
  }
}
