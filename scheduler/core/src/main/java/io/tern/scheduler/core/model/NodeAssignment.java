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
    gpuIndices = ascending(gpuIndices);
  }

  /** The indices as an immutable ascending list (no copy when already so). */
  private static List<Integer> ascending(List<Integer> indices) {
    for (int i = 1; i < indices.size(); i++) {
      if (indices.get(i - 1) > indices.get(i)) {
        return List.copyOf(indices.stream().sorted().toList());
      }
    }
    return List.copyOf(indices);
  }
}
