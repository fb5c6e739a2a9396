package io.tern.scheduler.core;

import io.tern.scheduler.core.model.Job;
import io.tern.scheduler.core.model.Resources;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The queue list's jobs as flat rows: everything a plan reads of a job that depends on the job
 * alone (id, team, class, submit time, resources, capacity preference, price cap). A row is a pure
 * function of its (immutable) job, so the rows of jobs the previous plan call saw, which in steady
 * state are almost all of them, are copied from that call's table instead of being read again from
 * the job objects: jobs are recognised by identity, walking both lists side by side (callers keep
 * their queue in a stable order, usually submit order). Equal resources are shared as one canonical
 * object, so shapes compare by reference, and each team name gets a number. The canonical resources
 * and team numbers pass from table to table (a call takes the previous table for itself). Immutable
 * and thread-safe after construction.
 */
final class JobTable {
  /** How far ahead in the previous list a job is looked for before it counts as new. */
  private static final int LOOKAHEAD = 64;

  /** Canonical resources are forgotten once this many distinct ones were seen. */
  private static final int MAX_CANONICAL = 1 << 16;

  private final Job[] jobs;
  final String[] ids;

  /** Per row: the job's team as a number given to each distinct team name. */
  final int[] teams;

  final byte[] priorities;
  final boolean[] resuming;
  final long[] submitSeconds;
  final int[] submitNanos;
  final Resources[] resources;
  final int[] resourceHashes;
  final long[] totalGpus;
  final boolean[] shareable;
  final double[] priceCaps;
  final byte[] capacity;
  final boolean[] deferrable;
  final boolean[] hasDeadline;

  /** Per row: the job's own spot wait in millis, or -1 for its team's. */
  final long[] spotWaitMillis;

  /** Per row: when the job was queued (its spot wait counts from there), epoch millis. */
  final long[] queuedMillis;

  /** Per row: the job's {@code spotPreferredUntil} in epoch millis, or Long.MIN_VALUE if unset. */
  final long[] spotPreferredUntilMillis;

  private final Map<Resources, Resources> canonical;
  private final Map<String, Integer> teamNumbers;
  private final List<String> teamNames;

  private JobTable(List<Job> list, JobTable previous) {
    int n = list.size();
    jobs = list.toArray(new Job[0]);
    ids = new String[n];
    teams = new int[n];
    priorities = new byte[n];
    resuming = new boolean[n];
    submitSeconds = new long[n];
    submitNanos = new int[n];
    resources = new Resources[n];
    resourceHashes = new int[n];
    totalGpus = new long[n];
    shareable = new boolean[n];
    priceCaps = new double[n];
    capacity = new byte[n];
    deferrable = new boolean[n];
    hasDeadline = new boolean[n];
    spotWaitMillis = new long[n];
    queuedMillis = new long[n];
    spotPreferredUntilMillis = new long[n];
    boolean keepCanonical =
        previous != null
            && previous.canonical.size() < MAX_CANONICAL
            && previous.teamNames.size() < MAX_CANONICAL;
    canonical = keepCanonical ? previous.canonical : new HashMap<>();
    teamNumbers = keepCanonical ? previous.teamNumbers : new HashMap<>();
    teamNames = keepCanonical ? previous.teamNames : new ArrayList<>();
    // Rows found in the previous table are copied in runs (a run: consecutive rows there).
    int j = 0;
    int runTo = 0;
    int runFrom = 0;
    int runLength = 0;
    for (int i = 0; i < n; i++) {
      Job job = jobs[i];
      int found = -1;
      if (keepCanonical) {
        Job[] old = previous.jobs;
        for (int s = j, end = Math.min(old.length, j + LOOKAHEAD); s < end; s++) {
          if (old[s] == job) {
            found = s;
            break;
          }
        }
      }
      if (found >= 0 && runLength > 0 && found == runFrom + runLength) {
        runLength++;
      } else {
        if (runLength > 0) {
          copyRows(runTo, previous, runFrom, runLength);
          runLength = 0;
        }
        if (found >= 0) {
          runTo = i;
          runFrom = found;
          runLength = 1;
        } else {
          readRow(i, job);
        }
      }
      if (found >= 0) {
        j = found + 1;
      }
    }
    if (runLength > 0) {
      copyRows(runTo, previous, runFrom, runLength);
    }
  }

  /** The table of {@code jobs}, reusing the rows of {@code previous} (may be null). */
  static JobTable of(List<Job> jobs, JobTable previous) {
    return new JobTable(jobs, previous);
  }

  int size() {
    return jobs.length;
  }

  /** Team numbers in use run from 0 to this minus one. */
  int teamNumbers() {
    return teamNames.size();
  }

  /** The name of team number {@code team}. */
  String teamName(int team) {
    return teamNames.get(team);
  }

  private void copyRows(int to, JobTable from, int row, int count) {
    System.arraycopy(from.ids, row, ids, to, count);
    System.arraycopy(from.teams, row, teams, to, count);
    System.arraycopy(from.priorities, row, priorities, to, count);
    System.arraycopy(from.resuming, row, resuming, to, count);
    System.arraycopy(from.submitSeconds, row, submitSeconds, to, count);
    System.arraycopy(from.submitNanos, row, submitNanos, to, count);
    System.arraycopy(from.resources, row, resources, to, count);
    System.arraycopy(from.resourceHashes, row, resourceHashes, to, count);
    System.arraycopy(from.totalGpus, row, totalGpus, to, count);
    System.arraycopy(from.shareable, row, shareable, to, count);
    System.arraycopy(from.priceCaps, row, priceCaps, to, count);
    System.arraycopy(from.capacity, row, capacity, to, count);
    System.arraycopy(from.deferrable, row, deferrable, to, count);
    System.arraycopy(from.hasDeadline, row, hasDeadline, to, count);
    System.arraycopy(from.spotWaitMillis, row, spotWaitMillis, to, count);
    System.arraycopy(from.queuedMillis, row, queuedMillis, to, count);
    System.arraycopy(from.spotPreferredUntilMillis, row, spotPreferredUntilMillis, to, count);
  }

  private void readRow(int i, Job job) {
    ids[i] = job.id();
    Integer team = teamNumbers.get(job.team());
    if (team == null) {
      team = teamNames.size();
      teamNumbers.put(job.team(), team);
      teamNames.add(job.team());
    }
    teams[i] = team;
    priorities[i] = (byte) job.priority().ordinal();
    resuming[i] = job.resuming();
    Instant at = job.submittedAt();
    submitSeconds[i] = at.getEpochSecond();
    submitNanos[i] = at.getNano();
    Resources r = canonical.computeIfAbsent(job.resources(), k -> k);
    resources[i] = r;
    resourceHashes[i] = r.hashCode();
    totalGpus[i] = r.totalGpus();
    shareable[i] = job.shareable();
    priceCaps[i] = JobFacts.priceCap(job);
    capacity[i] = (byte) job.capacity().ordinal();
    deferrable[i] = job.deferrable();
    hasDeadline[i] = job.deadline() != null;
    spotWaitMillis[i] = job.spotWait() == null ? -1 : job.spotWait().toMillis();
    queuedMillis[i] = job.queuedSince().toEpochMilli();
    spotPreferredUntilMillis[i] =
        job.spotPreferredUntil() == null ? Long.MIN_VALUE : job.spotPreferredUntil().toEpochMilli();
  }
}
