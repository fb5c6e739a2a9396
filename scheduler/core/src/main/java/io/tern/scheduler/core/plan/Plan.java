package io.tern.scheduler.core.plan;

import io.tern.scheduler.core.explain.Explanation;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The output of one {@code PlacementEngine.plan} call: pure data, applied by the caller (the live
 * scheduler's committer, or the simulator). Two plans from the same inputs are {@code equals}.
 *
 * <p>Invariants: no GPU appears in two placements unless both jobs are shareable; every job of the
 * queue is either placed or has exactly one explanation; a preempted checkpointable victim also has
 * a {@link CheckpointRequest} with reason PREEMPTION.
 *
 * @param placements jobs to start, in queue order
 * @param preemptions victims to stop, in decision order
 * @param checkpointRequests checkpoints to ask for, in decision order
 * @param capacityRequests nodes to launch, sorted by pool
 * @param nodeReleases idle nodes to give back, sorted by node id
 * @param pending an explanation for every queued job not placed, in queue order
 * @param spot what the spot and deadline policy did, counted
 * @param staysOnDemand why each checkpointable spot-ok deadline job running on on-demand stays
 *     there rather than move back to spot, by job id
 */
public record Plan(
    List<Placement> placements,
    List<Preemption> preemptions,
    List<CheckpointRequest> checkpointRequests,
    List<CapacityRequest> capacityRequests,
    List<NodeRelease> nodeReleases,
    List<Explanation> pending,
    SpotActivity spot,
    Map<String, String> staysOnDemand) {

  public Plan {
    java.util.Objects.requireNonNull(spot, "spot");
    staysOnDemand = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(staysOnDemand));
    placements = List.copyOf(placements);
    preemptions = List.copyOf(preemptions);
    checkpointRequests = List.copyOf(checkpointRequests);
    capacityRequests = List.copyOf(capacityRequests);
    nodeReleases = List.copyOf(nodeReleases);
    pending = List.copyOf(pending);
  }

  /** A plan without spot activity. */
  public Plan(
      List<Placement> placements,
      List<Preemption> preemptions,
      List<CheckpointRequest> checkpointRequests,
      List<CapacityRequest> capacityRequests,
      List<NodeRelease> nodeReleases,
      List<Explanation> pending) {
    this(
        placements,
        preemptions,
        checkpointRequests,
        capacityRequests,
        nodeReleases,
        pending,
        SpotActivity.NONE,
        Map.of());
  }

  /** The explanation of a pending job, if it was left pending. Linear; for tools and tests. */
  public Optional<Explanation> explanationFor(String jobId) {
    return pending.stream().filter(e -> e.jobId().equals(jobId)).findFirst();
  }

  /** The placement of a job, if it was placed. Linear; for tools and tests. */
  public Optional<Placement> placementFor(String jobId) {
    return placements.stream().filter(p -> p.jobId().equals(jobId)).findFirst();
  }
}
