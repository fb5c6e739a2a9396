package io.tern.scheduler.server.zk;

import io.tern.api.v1.Budget;
import io.tern.api.v1.Job;
import io.tern.api.v1.Node;
import io.tern.api.v1.OffPeakWindow;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * Everything a new leader reads from ZooKeeper to rebuild its state.
 *
 * @param clusterId the cluster's id, which agents keep its jobs' checkpoints under
 * @param jobs job id → the job and its znode version
 * @param nextJobNumber the number the next submitted job gets
 * @param jobShards paths of the job shard znodes that exist
 * @param checkpointsRetired every finished job whose last attempt ended before this instant has had
 *     its checkpoints retired; empty before the first retirement
 */
public record StoredState(
    String clusterId,
    Map<String, Versioned<Job>> jobs,
    long nextJobNumber,
    java.util.Set<String> jobShards,
    Map<String, Versioned<Node>> nodes,
    Map<String, Versioned<OffPeakWindow>> offPeakWindows,
    Map<String, Versioned<Budget>> budgets,
    Optional<Versioned<Instant>> checkpointsRetired) {

  /** A value with the version of the znode it was read from (or written as). */
  public record Versioned<T>(T value, int version) {}
}
