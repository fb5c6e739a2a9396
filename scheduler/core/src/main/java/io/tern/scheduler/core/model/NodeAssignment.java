package io.tern.scheduler.core.model;

import java.util.List;
import java.util.Objects;

/**
 * The GPUs of one node given to one attempt.
 *
 * @param nodeId the node
 * @param gpuIndices GPU indices on that node, ascending
 */
public record NodeAssignment(String nodeId, List<Integer> gpuIndices) {

  public NodeAssignment {
    Objects.requireNonNull(nodeId, "nodeId");
    gpuIndices = List.copyOf(gpuIndices.stream().sorted().toList());
  }
}
