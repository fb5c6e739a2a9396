package io.tern.scheduler.server.loop;

import io.tern.api.v1.Attempt;
import io.tern.scheduler.core.explain.Explanation;
import io.tern.scheduler.server.zk.Epoch;
import io.tern.scheduler.server.zk.StoredState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Everything the leader holds in memory for one term, rebuilt from ZooKeeper when the term starts.
 * Confined to the scheduler loop thread.
 */
final class LeaderTerm {
  final Epoch epoch;

  /** Sorted by id, which is also submission order. */
  final TreeMap<String, JobEntry> jobs = new TreeMap<>();

  final Map<String, String> idempotencyKeys = new HashMap<>();
  final TreeMap<String, NodeSession> nodes = new TreeMap<>();

  /** Why each queued job is still waiting, from the last plan. */
  final Map<String, Explanation> explanations = new HashMap<>();

  /**
   * Jobs told to stop (preempted without a checkpoint, or cancelled) whose agents have not said so.
   */
  final Set<String> stopping = new HashSet<>();

  /** Running jobs a user cancelled: they end CANCELLED once their agents stop them. */
  final Set<String> cancelling = new HashSet<>();

  long nextJobNumber;

  /** Job shard znodes that exist or are being created. */
  final Set<String> jobShards = new HashSet<>();

  LeaderTerm(Epoch epoch, StoredState stored, Instant now) {
    this.epoch = epoch;
    stored
        .jobs()
        .forEach(
            (id, v) -> {
              jobs.put(id, new JobEntry(v.value(), v.version()));
              if (!v.value().getIdempotencyKeySha256().isEmpty()) {
                idempotencyKeys.put(v.value().getIdempotencyKeySha256(), id);
              }
              if (v.value().getCancelRequested() && !jobs.get(id).finished()) {
                cancelling.add(id);
              }
            });
    // Every known node gets a fresh lease: its agent needs time to find the new leader.
    stored.nodes().forEach((id, v) -> nodes.put(id, new NodeSession(v.value(), v.version(), now)));
    nextJobNumber = stored.nextJobNumber();
    jobShards.addAll(stored.jobShards());
  }

  /** Jobs whose current attempt runs (or starts, or checkpoints) on {@code nodeId}. */
  List<JobEntry> jobsOn(String nodeId) {
    List<JobEntry> on = new ArrayList<>();
    for (JobEntry entry : jobs.values()) {
      if (entry.holdsGpus()
          && entry.currentAttempt().map(a -> a.getNodeIdsList().contains(nodeId)).orElse(false)) {
        on.add(entry);
      }
    }
    return on;
  }

  /** GPU indices per node held by jobs, to re-check a plan before committing it. */
  Map<String, Set<Integer>> heldGpus() {
    Map<String, Set<Integer>> held = new HashMap<>();
    for (JobEntry entry : jobs.values()) {
      if (!entry.holdsGpus()) {
        continue;
      }
      Attempt a = entry.currentAttempt().orElseThrow();
      for (int i = 0; i < a.getNodeIdsCount(); i++) {
        held.computeIfAbsent(a.getNodeIds(i), k -> new HashSet<>())
            .addAll(a.getGpus(i).getIndexList());
      }
    }
    return held;
  }
}
