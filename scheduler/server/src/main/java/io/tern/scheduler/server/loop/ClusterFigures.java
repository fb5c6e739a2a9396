package io.tern.scheduler.server.loop;

import io.tern.api.v1.CostLine;
import io.tern.api.v1.JobState;
import io.tern.api.v1.NodeState;
import io.tern.api.v1.Priority;
import java.time.Clock;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * The leader's state in numbers, for a metrics scrape: jobs by state, the queue by team and
 * priority, nodes by state, and the ledger's cost by team and capacity type. Counted on the loop
 * when asked (a scrape every few seconds walks the jobs once), never kept up to date in between.
 *
 * @param jobs every known job, by state (every state present, 0 included)
 * @param queue queued jobs (pending or held), by [team, priority]
 * @param nodes registered nodes, by state (every state present, 0 included)
 * @param costUsd what the ledger holds, by [team, capacity type ("spot" or "on_demand")]
 */
public record ClusterFigures(
    Map<JobState, Integer> jobs,
    Map<List<String>, Integer> queue,
    Map<NodeState, Integer> nodes,
    Map<List<String>, Double> costUsd) {

  /**
   * Counts on {@code loop}, the ledger up to {@code clock}'s now; fails with NotLeaderException on
   * a replica that does not lead.
   */
  static CompletableFuture<ClusterFigures> of(LoopThread loop, Clock clock) {
    return loop.call(
        term -> {
          Map<JobState, Integer> jobs = new EnumMap<>(JobState.class);
          for (JobState state : JobState.values()) {
            if (state != JobState.UNRECOGNIZED && state != JobState.JOB_STATE_UNSPECIFIED) {
              jobs.put(state, 0);
            }
          }
          Map<List<String>, Integer> queue = new TreeMap<>(ClusterFigures::compareKeys);
          for (JobEntry entry : term.jobs.values()) {
            jobs.merge(entry.state(), 1, Integer::sum);
            if (entry.queued()) {
              var spec = entry.job.getSpec();
              queue.merge(List.of(spec.getTeam(), priority(spec.getPriority())), 1, Integer::sum);
            }
          }
          Map<NodeState, Integer> nodes = new EnumMap<>(NodeState.class);
          for (NodeState state : NodeState.values()) {
            if (state != NodeState.UNRECOGNIZED && state != NodeState.NODE_STATE_UNSPECIFIED) {
              nodes.put(state, 0);
            }
          }
          for (NodeSession session : term.nodes.values()) {
            nodes.merge(session.state(), 1, Integer::sum);
          }
          Map<List<String>, Double> cost = new TreeMap<>(ClusterFigures::compareKeys);
          Instant now = clock.instant();
          for (CostLine team : term.costs.ledger().report(Instant.EPOCH, now, "").getTeamsList()) {
            cost.put(List.of(team.getKey(), "spot"), team.getSpotUsd());
            cost.put(List.of(team.getKey(), "on_demand"), team.getOnDemandUsd());
          }
          return new ClusterFigures(jobs, queue, nodes, cost);
        });
  }

  private static String priority(Priority priority) {
    return switch (priority) {
      case PRIORITY_HIGH -> "high";
      case PRIORITY_LOW -> "low";
      default -> "normal";
    };
  }

  private static int compareKeys(List<String> a, List<String> b) {
    int c = a.get(0).compareTo(b.get(0));
    return c != 0 ? c : a.get(1).compareTo(b.get(1));
  }
}
