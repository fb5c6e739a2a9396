package io.tern.simulator.trace;

import io.tern.scheduler.core.model.CapacityPreference;
import io.tern.scheduler.core.model.PriorityClass;
import java.util.List;
import java.util.Objects;

/**
 * One job of a workload trace, in trace seconds (seconds from the trace start).
 *
 * @param id unique job id
 * @param submitSeconds when the job enters the queue
 * @param durationSeconds seconds of work on an uninterrupted run (at least 1)
 * @param gpus GPUs per node (0 for CPU-only)
 * @param gpuMilli share of each GPU in thousandths; 1000 is a whole GPU, less means a fractional,
 *     shareable GPU
 * @param nodes number of nodes of a gang (at least 1)
 * @param team owning team
 * @param priority priority class
 * @param capacity where the job may run
 * @param checkpointIntervalSeconds how often the job checkpoints by itself; 0 = it cannot
 *     checkpoint
 * @param deadlineSeconds absolute deadline in trace seconds, or {@link #NO_DEADLINE}
 * @param gpuModels acceptable GPU models (any of); empty = any
 * @param gpuMemGib minimum GPU memory per GPU, 0 = any
 */
public record TraceJob(
    String id,
    long submitSeconds,
    long durationSeconds,
    int gpus,
    int gpuMilli,
    int nodes,
    String team,
    PriorityClass priority,
    CapacityPreference capacity,
    long checkpointIntervalSeconds,
    long deadlineSeconds,
    List<String> gpuModels,
    int gpuMemGib) {

  /** Marker for a job without a deadline. */
  public static final long NO_DEADLINE = Long.MAX_VALUE;

  /** Validates the invariants above. */
  public TraceJob {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(team, "team");
    Objects.requireNonNull(priority, "priority");
    Objects.requireNonNull(capacity, "capacity");
    gpuModels = List.copyOf(gpuModels);
    if (durationSeconds < 1 || nodes < 1 || gpus < 0 || gpuMilli < 1 || gpuMilli > 1000) {
      throw new IllegalArgumentException("invalid job " + id);
    }
  }

  /** Whether the job writes checkpoints (and so can resume after a reclaim). */
  public boolean canCheckpoint() {
    return checkpointIntervalSeconds > 0;
  }

  /** Whether the job has a deadline. */
  public boolean hasDeadline() {
    return deadlineSeconds != NO_DEADLINE;
  }

  /** Whether the job takes a fraction of a GPU and may share it. */
  public boolean shareable() {
    return gpuMilli < 1000;
  }

  /** GPUs the job holds over all its nodes, counting a fractional GPU as its fraction. */
  public double gpuEquivalents() {
    return (double) gpus * nodes * gpuMilli / 1000.0;
  }
}
