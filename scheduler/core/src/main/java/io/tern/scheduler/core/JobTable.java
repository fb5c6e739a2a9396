package io.tern.scheduler.core;

import io.tern.scheduler.core.model.Job;
import io.tern.scheduler.core.model.Resources;
import java.time.Instant;
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
 * object, so shapes compare by reference. Immutable and thread-safe after construction.
 */
final class JobTable {
  /** How far ahead in the previous list a job is looked for before it counts as new. */
  private static final int LOOKAHEAD = 64;

  /** Canonical resources are forgotten once this many distinct ones were seen. */
  private static final int MAX_CANONICAL = 1 << 16;

  private final Job[] jobs;
  final String[] ids;
  final String[] teams;
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
  private final Map<Resources, Resources> canonical;

  private JobTable(List<Job> list, JobTable previous) {
    int n = list.size();
    jobs = list.toArray(new Job[0]);
    ids = new String[n];
    teams = new String[n];
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
    boolean keepCanonical = previous != null && previous.canonical.size() < MAX_CANONICAL;
    canonical = keepCanonical ? previous.canonical : new HashMap<>();
    int j = 0;
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
      if (found >= 0) {
        copyRow(i, previous, found);
        j = found + 1;
      } else {
        readRow(i, job);
      }
    }
  }

  /** The table of {@code jobs}, reusing the rows of {@code previous} (may be null). */
  static JobTable of(List<Job> jobs, JobTable previous) {
    return new JobTable(jobs, previous);
  }

  int size() {
    return jobs.length;
  }

  private void copyRow(int i, JobTable from, int row) {
    ids[i] = from.ids[row];
    teams[i] = from.teams[row];
    priorities[i] = from.priorities[row];
    resuming[i] = from.resuming[row];
    submitSeconds[i] = from.submitSeconds[row];
    submitNanos[i] = from.submitNanos[row];
    resources[i] = from.resources[row];
    resourceHashes[i] = from.resourceHashes[row];
    totalGpus[i] = from.totalGpus[row];
    shareable[i] = from.shareable[row];
    priceCaps[i] = from.priceCaps[row];
    capacity[i] = from.capacity[row];
    deferrable[i] = from.deferrable[row];
    hasDeadline[i] = from.hasDeadline[row];
  }

  private void readRow(int i, Job job) {
    ids[i] = job.id();
    teams[i] = job.team();
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
  }
}
