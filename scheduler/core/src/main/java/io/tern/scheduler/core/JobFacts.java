package io.tern.scheduler.core;

import io.tern.scheduler.core.model.Job;
import io.tern.scheduler.core.model.PriorityClass;
import io.tern.scheduler.core.placement.PlacementRequest;
import io.tern.scheduler.core.policy.CapacityDecision;
import io.tern.scheduler.core.policy.OffPeakStatus;
import io.tern.scheduler.core.policy.SpotPolicy;
import io.tern.scheduler.core.queue.TeamUsage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the planning loop needs to know about each queued job, computed in one pass in queue-list
 * order (memory order, so the hardware prefetches) and kept in flat arrays. The loop then walks
 * jobs in fair-share order touching only these arrays, and a job object only when its shape is new
 * in this plan. Everything here is fixed for the whole plan call: a job's capacity decision depends
 * on the job, its team's policy, the off-peak window and {@code now}, not on placements. Not
 * thread-safe: one per plan call.
 */
final class JobFacts {
  final List<Job> jobs;
  final String[] ids;
  final String[] teams;
  final int[] teamIndex;
  final PriorityClass[] priorities;
  final CapacityDecision[] decisions;
  final double[] priceCaps;
  final int[] shapes;
  final long[] totalGpus;
  private final List<PlacementRequest.Shape> shapeList = new ArrayList<>();
  private final int teamCount;

  JobFacts(List<Job> jobs, TeamUsage usage, SpotPolicy spot, OffPeakStatus offPeak, Instant now) {
    this.jobs = jobs;
    int n = jobs.size();
    ids = new String[n];
    teams = new String[n];
    teamIndex = new int[n];
    priorities = new PriorityClass[n];
    decisions = new CapacityDecision[n];
    priceCaps = new double[n];
    shapes = new int[n];
    totalGpus = new long[n];
    // Equal team names from different job objects become one String, so the loop hashes and
    // compares a handful of hot strings instead of one cold string per job.
    Map<String, Integer> teamIds = new HashMap<>();
    List<String> teamNames = new ArrayList<>();
    Map<PlacementRequest.Shape, Integer> shapeIds = new HashMap<>();
    for (int i = 0; i < n; i++) {
      Job job = jobs.get(i);
      ids[i] = job.id();
      priorities[i] = job.priority();
      Integer t = teamIds.get(job.team());
      if (t == null) {
        t = teamNames.size();
        teamNames.add(job.team());
        teamIds.put(job.team(), t);
      }
      String team = teamNames.get(t);
      teams[i] = team;
      teamIndex[i] = t;
      CapacityDecision decision = spot.decide(job, usage.policy(team), offPeak, now);
      decisions[i] = decision;
      totalGpus[i] = job.resources().totalGpus();
      if (decision.isHeld()) {
        shapes[i] = -1;
        continue;
      }
      double cap = priceCap(job);
      priceCaps[i] = cap;
      PlacementRequest.Shape shape = PlacementRequest.shapeOf(job, decision.tiers(), cap);
      Integer id = shapeIds.get(shape);
      if (id == null) {
        id = shapeList.size();
        shapeList.add(shape);
        shapeIds.put(shape, id);
      }
      shapes[i] = id;
    }
    teamCount = teamNames.size();
  }

  int teamCount() {
    return teamCount;
  }

  int shapeCount() {
    return shapeList.size();
  }

  PlacementRequest.Shape shape(int shapeId) {
    return shapeList.get(shapeId);
  }

  PlacementRequest request(int i) {
    return new PlacementRequest(jobs.get(i), decisions[i].tiers(), priceCaps[i]);
  }

  /** Most the job may pay per hour and still finish its known work under its cost cap. */
  static double priceCap(Job job) {
    if (!job.hasCostCap()) {
      return Double.POSITIVE_INFINITY;
    }
    Duration work = job.workLeft();
    if (work == null || work.isZero() || work.isNegative()) {
      return Double.POSITIVE_INFINITY;
    }
    return job.maxCostUsd() / (work.toMillis() / 3_600_000.0);
  }
}
