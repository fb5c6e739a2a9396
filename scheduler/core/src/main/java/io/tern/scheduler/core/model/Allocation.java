package io.tern.scheduler.core.model;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A running (or stopping) attempt and what it holds.
 *
 * @param job the job
 * @param attempt its attempt number
 * @param capacityType the capacity type it runs on
 * @param assignments node → GPU indices, one entry per node (a gang has several), sorted by node
 * @param startedAt when the attempt started
 * @param lastCheckpointAt last committed checkpoint of this attempt, or null
 * @param stopping true once a stop or checkpoint-and-stop was sent: its GPUs are about to be free
 *     and it is never chosen as a victim again
 */
public record Allocation(
    Job job,
    int attempt,
    CapacityType capacityType,
    List<NodeAssignment> assignments,
    Instant startedAt,
    Instant lastCheckpointAt,
    boolean stopping) {

  public Allocation {
    Objects.requireNonNull(job, "job");
    Objects.requireNonNull(capacityType, "capacityType");
    Objects.requireNonNull(startedAt, "startedAt");
    assignments = sortedByNode(assignments);
    if (assignments.isEmpty()) {
      throw new IllegalArgumentException("allocation of " + job.id() + " has no node");
    }
  }

  /** The assignments as an immutable list sorted by node id (no copy when already so). */
  private static List<NodeAssignment> sortedByNode(List<NodeAssignment> assignments) {
    for (int i = 1; i < assignments.size(); i++) {
      if (assignments.get(i - 1).nodeId().compareTo(assignments.get(i).nodeId()) > 0) {
        return List.copyOf(
            assignments.stream()
                .sorted(java.util.Comparator.comparing(NodeAssignment::nodeId))
                .toList());
      }
    }
    return List.copyOf(assignments);
  }

  public String jobId() {
    return job.id();
  }

  public int gpuCount() {
    int n = 0;
    for (NodeAssignment a : assignments) {
      n += a.gpuIndices().size();
    }
    return n;
  }

  /**
   * GPU-seconds a stop right now would throw away: work since the last checkpoint (or since the
   * start when it never checkpointed).
   */
  public long gpuSecondsAtRisk(Instant now) {
    Instant since =
        lastCheckpointAt != null && lastCheckpointAt.isAfter(startedAt)
            ? lastCheckpointAt
            : startedAt;
    long seconds = Math.max(0, Duration.between(since, now).toSeconds());
    return seconds * gpuCount();
  }

  public Allocation asStopping() {
    return new Allocation(
        job, attempt, capacityType, assignments, startedAt, lastCheckpointAt, true);
  }
}
