package io.tern.scheduler.core.plan;

import io.tern.scheduler.core.model.CapacityType;
import io.tern.scheduler.core.model.NodeAssignment;
import java.util.List;

/**
 * Start a job: attempt {@code attempt} runs on these nodes and GPUs.
 *
 * @param jobId the job
 * @param attempt the new attempt number (the job's previous attempt count + 1)
 * @param assignments one entry per node, sorted by node id (a gang has several)
 * @param capacityType the capacity type of every node used
 * @param shared true when at least one GPU is shared with another shareable job
 */
public record Placement(
    String jobId,
    int attempt,
    List<NodeAssignment> assignments,
    CapacityType capacityType,
    boolean shared) {

  public Placement {
    assignments = List.copyOf(assignments);
  }

  public int gpuCount() {
    int n = 0;
    for (NodeAssignment a : assignments) {
      n += a.gpuIndices().size();
    }
    return n;
  }
}
