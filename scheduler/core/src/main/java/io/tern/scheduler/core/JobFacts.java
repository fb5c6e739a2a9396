package io.tern.scheduler.core;

import io.tern.scheduler.core.model.CapacityPreference;
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
import java.util.Arrays;
import java.util.List;

/**
 * What the planning loop needs to know about each queued job, in flat arrays, together with the
 * {@link QueueKeys} the fair-share queue orders by: computed in one pass over the {@link JobTable}
 * rows (what depends on the job alone, mostly carried over from the last plan call), so the pass
 * reads a job object only for a job with a deadline. The loop then walks jobs in fair-share order
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
  private static final PriorityClass[] CLASSES = PriorityClass.values();
  private static final int CAPACITY_PREFERENCES = CapacityPreference.values().length;
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
      JobTable table,
      TeamUsage usage,
      SpotPolicy spot,
      OffPeakStatus offPeak,
      Duration agingStep,
      Instant now) {
    this.jobs = jobs;
    int n = jobs.size();
    ids = table.ids;
    totalGpus = table.totalGpus;
    priceCaps = table.priceCaps;
    teamIndex = new int[n];
    priorities = new PriorityClass[n];
    decisions = new CapacityDecision[n];
    shapes = new int[n];
    queueKeys = new QueueKeys(n, agingStep, now);
    // Team numbers of the table to team indices of this call's usage, on first sight in queue
    // order (as the usage would number them by name).
    int[] teams = new int[table.teamNumbers()];
    Arrays.fill(teams, -1);
    // A job without a deadline is decided by its team, capacity preference and deferrability
    // alone (besides the window and now, the same for every job): one decision per combination.
    CapacityDecision[][] decided = new CapacityDecision[16][];
    long nowMillis = now.toEpochMilli();
    for (int i = 0; i < n; i++) {
      int team = teams[table.teams[i]];
      if (team < 0) {
        team = teams[table.teams[i]] = usage.index(table.teamName(table.teams[i]));
      }
      teamIndex[i] = team;
      PriorityClass priority = CLASSES[table.priorities[i]];
      priorities[i] = priority;
      CapacityDecision decision;
      if (table.hasDeadline[i] || waitsForSpot(table, i, usage.policy(team), nowMillis)) {
        decision = spot.decide(jobs.get(i), usage.policy(team), offPeak, now);
      } else {
        if (team >= decided.length) {
          decided = Arrays.copyOf(decided, Math.max(team + 1, decided.length * 2));
        }
        CapacityDecision[] forTeam = decided[team];
        if (forTeam == null) {
          forTeam = decided[team] = new CapacityDecision[CAPACITY_PREFERENCES * 2];
        }
        int terms = table.capacity[i] * 2 + (table.deferrable[i] ? 1 : 0);
        decision = forTeam[terms];
        if (decision == null) {
          decision =
              forTeam[terms] = spot.decide(jobs.get(i), usage.policy(team), offPeak, now, false);
        }
      }
      decisions[i] = decision;
      shapes[i] =
          decision.isHeld()
              ? -1
              : shapeIds.id(
                  table.resources[i],
                  table.resourceHashes[i],
                  CapacityTiers.mask(decision.tiers()),
                  table.shareable[i],
                  priceCaps[i]);
      queueKeys.set(
          i,
          team,
          priority,
          table.resuming[i],
          table.submitSeconds[i],
          table.submitNanos[i],
          ids[i]);
    }
  }

  /**
   * Whether a deadline-less job is inside a spot wait of its own (its or its team's spot wait since
   * it was queued, or a move back to spot), so that it needs a decision of its own.
   */
  private static boolean waitsForSpot(
      JobTable table, int i, io.tern.scheduler.core.policy.TeamPolicy team, long nowMillis) {
    if (table.spotPreferredUntilMillis[i] > nowMillis) {
      return true;
    }
    long wait = table.spotWaitMillis[i];
    if (wait < 0) {
      wait = team.spotWait().toMillis();
    }
    return wait > 0 && table.queuedMillis[i] + wait > nowMillis;
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

    /** The id of a shape; {@code resourcesHash} is {@code r.hashCode()}. */
    int id(Resources r, int resourcesHash, int capacityTypes, boolean share, double cap) {
      int h = resourcesHash;
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
            && (known == r || known.equals(r))) {
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
