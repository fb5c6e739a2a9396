package io.tern.scheduler.core;

import io.tern.scheduler.core.model.Job;
import io.tern.scheduler.core.model.PriorityClass;
import io.tern.scheduler.core.model.Resources;
import io.tern.scheduler.core.placement.CapacityTiers;
import io.tern.scheduler.core.placement.PlacementRequest;
import io.tern.scheduler.core.policy.CapacityDecision;
import io.tern.scheduler.core.policy.OffPeakStatus;
import io.tern.scheduler.core.policy.SpotPolicy;
import io.tern.scheduler.core.queue.QueueKeys;
import io.tern.scheduler.core.queue.TeamUsage;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * What the planning loop needs to know about each queued job, computed in one pass in queue-list
 * order (memory order, so the hardware prefetches) and kept in flat arrays, together with the
 * {@link QueueKeys} the fair-share queue orders by. The loop then walks jobs in fair-share order
 * touching only these arrays, and a job object only when its shape is new in this plan. Everything
 * here is fixed for the whole plan call: a job's capacity decision depends on the job, its team's
 * policy, the off-peak window and {@code now}, not on placements. Not thread-safe: one per plan
 * call.
 *
 * <p>A job's shape is everything the filters look at but its id: resources, allowed capacity types,
 * shareability and cost-cap bound. Two jobs of one shape fit the same nodes, so when one failed in
 * a plan call the other fails too (capacity only shrinks within a call). Shapes get dense ids here.
 */
final class JobFacts {
  final List<Job> jobs;
  final String[] ids;
  final int[] teamIndex;
  final PriorityClass[] priorities;
  final CapacityDecision[] decisions;
  final double[] priceCaps;
  final int[] shapes;
  final long[] totalGpus;
  final QueueKeys queueKeys;
  private final ShapeIds shapeIds = new ShapeIds();

  JobFacts(
      List<Job> jobs,
      TeamUsage usage,
      SpotPolicy spot,
      OffPeakStatus offPeak,
      Duration agingStep,
      Instant now) {
    this.jobs = jobs;
    int n = jobs.size();
    ids = new String[n];
    teamIndex = new int[n];
    priorities = new PriorityClass[n];
    decisions = new CapacityDecision[n];
    priceCaps = new double[n];
    shapes = new int[n];
    totalGpus = new long[n];
    queueKeys = new QueueKeys(n, agingStep, now);
    // Three passes, each reading one kind of object (jobs, then their resources, then their submit
    // times): a short loop body keeps many cache misses in flight at once, where one long body
    // chasing job -> resources -> model set waited for them one job at a time.
    Resources[] resources = new Resources[n];
    int[] shapeTypes = new int[n];
    boolean[] shareable = new boolean[n];
    TeamIndex teams = new TeamIndex(usage);
    for (int i = 0; i < n; i++) {
      Job job = jobs.get(i);
      int team = teams.index(job.team());
      ids[i] = job.id();
      priorities[i] = job.priority();
      teamIndex[i] = team;
      resources[i] = job.resources();
      CapacityDecision decision = spot.decide(job, usage.policy(team), offPeak, now);
      decisions[i] = decision;
      if (decision.isHeld()) {
        shapeTypes[i] = -1;
        continue;
      }
      shapeTypes[i] = CapacityTiers.mask(decision.tiers());
      shareable[i] = job.shareable();
      priceCaps[i] = priceCap(job);
    }
    for (int i = 0; i < n; i++) {
      Resources r = resources[i];
      totalGpus[i] = r.totalGpus();
      shapes[i] =
          shapeTypes[i] < 0 ? -1 : shapeIds.id(r, shapeTypes[i], shareable[i], priceCaps[i]);
    }
    for (int i = 0; i < n; i++) {
      queueKeys.set(i, jobs.get(i), teamIndex[i]);
    }
  }

  int shapeCount() {
    return shapeIds.size;
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

  /**
   * Team indices by name, remembering the last few name objects seen: jobs of one team usually
   * share one name object, so most lookups are a short scan of references instead of a hash.
   */
  private static final class TeamIndex {
    private final TeamUsage usage;
    private final String[] names = new String[16];
    private final int[] indices = new int[16];
    private int next;

    TeamIndex(TeamUsage usage) {
      this.usage = usage;
    }

    int index(String name) {
      for (int k = 0; k < names.length; k++) {
        if (names[k] == name) {
          return indices[k];
        }
      }
      int index = usage.index(name);
      names[next] = name;
      indices[next] = index;
      next = (next + 1) & (names.length - 1);
      return index;
    }
  }

  /**
   * Dense ids for shapes, in order of first sight: an open-addressing table over the shape's parts,
   * so a job whose shape is already known allocates nothing.
   */
  private static final class ShapeIds {
    private Resources[] resources = new Resources[256];
    private int[] types = new int[256];
    private boolean[] shareable = new boolean[256];
    private double[] caps = new double[256];
    private int[] hashes = new int[256];
    private int[] ids = new int[256];
    int size;

    int id(Resources r, int capacityTypes, boolean share, double cap) {
      int h = r.hashCode();
      h = 31 * h + capacityTypes;
      h = 31 * h + (share ? 1 : 0);
      h = 31 * h + Double.hashCode(cap);
      h ^= h >>> 16;
      int mask = resources.length - 1;
      for (int at = h & mask; ; at = (at + 1) & mask) {
        Resources known = resources[at];
        if (known == null) {
          resources[at] = r;
          types[at] = capacityTypes;
          shareable[at] = share;
          caps[at] = cap;
          hashes[at] = h;
          ids[at] = size;
          int id = size++;
          if (size * 2 > resources.length) {
            grow();
          }
          return id;
        }
        if (hashes[at] == h
            && types[at] == capacityTypes
            && shareable[at] == share
            && Double.compare(caps[at], cap) == 0
            && known.equals(r)) {
          return ids[at];
        }
      }
    }

    private void grow() {
      Resources[] oldResources = resources;
      int[] oldTypes = types;
      boolean[] oldShareable = shareable;
      double[] oldCaps = caps;
      int[] oldHashes = hashes;
      int[] oldIds = ids;
      int length = oldResources.length * 2;
      resources = new Resources[length];
      types = new int[length];
      shareable = new boolean[length];
      caps = new double[length];
      hashes = new int[length];
      ids = new int[length];
      int mask = length - 1;
      for (int k = 0; k < oldResources.length; k++) {
        if (oldResources[k] == null) {
          continue;
        }
        int at = oldHashes[k] & mask;
        while (resources[at] != null) {
          at = (at + 1) & mask;
        }
        resources[at] = oldResources[k];
        types[at] = oldTypes[k];
        shareable[at] = oldShareable[k];
        caps[at] = oldCaps[k];
        hashes[at] = oldHashes[k];
        ids[at] = oldIds[k];
      }
    }
  }
}
