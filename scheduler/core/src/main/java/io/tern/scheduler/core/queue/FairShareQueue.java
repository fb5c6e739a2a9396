package io.tern.scheduler.core.queue;

import io.tern.scheduler.core.model.Job;
import io.tern.scheduler.core.model.PriorityClass;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;

/**
 * The order in which one plan call considers jobs: priority classes first (HIGH, NORMAL, LOW);
 * inside a class, the team that most deserves the next job goes next (teams under their guaranteed
 * quota first, least used first; then the smallest weighted dominant share); inside a team, FIFO by
 * submit time, then id. Shares are re-read from {@link TeamUsage} after every job, so a team that
 * just got a placement goes to the back of the line when appropriate.
 *
 * <p>Jobs {@link Job#resuming() resuming} after an interruption (preemption, spot reclaim, a lost
 * node) go first in their class, FIFO among themselves: being interrupted costs no place in line.
 *
 * <p>No starvation: a LOW job that has waited {@code agingStep} is ordered as NORMAL (it still may
 * not preempt as NORMAL), and the engine reserves room for the first blocked job.
 *
 * <p>Jobs are read once, in list order, into {@link QueueKeys}, and then handled as indices into
 * the list: with 100,000 queued jobs, walking the job objects themselves in fair-share order costs
 * far more in cache misses than the ordering logic.
 *
 * <p>Not thread-safe: one per plan call.
 */
public final class FairShareQueue {
  private static final int CLASSES = PriorityClass.values().length;
  private final TeamUsage usage;
  private final List<PriorityQueue<TeamLine>> classes = new ArrayList<>(CLASSES);
  private final TeamLine[] resuming = new TeamLine[CLASSES];
  private int currentClass;
  private TeamLine lastServed;

  public FairShareQueue(List<Job> jobs, TeamUsage usage, Duration agingStep, Instant now) {
    this(QueueKeys.of(jobs, usage, agingStep, now), usage);
  }

  /** The queue over jobs already reduced to their keys (teams indexed by {@code usage}). */
  public FairShareQueue(QueueKeys keys, TeamUsage usage) {
    this.usage = usage;
    int n = keys.size;
    int teams = usage.teamCount();
    // Count first, so every line gets an array of its exact size.
    int[] counts = new int[CLASSES * (teams + 1)];
    for (int i = 0; i < n; i++) {
      int slot = keys.effectiveClass[i] * (teams + 1) + (keys.resuming[i] ? teams : keys.team[i]);
      counts[slot]++;
    }
    TeamLine[] lines = new TeamLine[counts.length];
    for (int c = 0; c < CLASSES; c++) {
      for (int t = 0; t <= teams; t++) {
        int slot = c * (teams + 1) + t;
        if (counts[slot] > 0 || t == teams) {
          lines[slot] =
              new TeamLine(t == teams ? -1 : t, t == teams ? "" : usage.name(t), counts[slot]);
        }
      }
    }
    for (int i = 0; i < n; i++) {
      int slot = keys.effectiveClass[i] * (teams + 1) + (keys.resuming[i] ? teams : keys.team[i]);
      lines[slot].add(i);
    }
    IndexOrder fifo = new IndexOrder(keys.seconds, keys.nanos, keys.ids);
    for (int c = 0; c < CLASSES; c++) {
      PriorityQueue<TeamLine> queue = new PriorityQueue<>(Math.max(1, teams));
      for (int t = 0; t <= teams; t++) {
        TeamLine line = lines[c * (teams + 1) + t];
        if (line == null) {
          continue;
        }
        fifo.sort(line.jobs, line.size);
        if (t == teams) {
          resuming[c] = line;
        } else {
          line.rekey(usage);
          queue.add(line);
        }
      }
      classes.add(queue);
    }
  }

  /** The class a job is ordered by: its own, or NORMAL for a LOW job that waited long enough. */
  public static PriorityClass effectiveClass(Job job, Duration agingStep, Instant now) {
    if (job.priority() == PriorityClass.LOW
        && !agingStep.isZero()
        && !job.submittedAt().plus(agingStep).isAfter(now)) {
      return PriorityClass.NORMAL;
    }
    return job.priority();
  }

  /** The index (into the list given at construction) of the next job, or -1 when done. */
  public int next() {
    // Resuming jobs of the class in hand come before its team lines; the classes go in order, so
    // these are served before any team line of the class is touched.
    if (lastServed == null && currentClass < classes.size() && resuming[currentClass].hasNext()) {
      return resuming[currentClass].next();
    }
    if (lastServed != null) {
      TeamLine line = lastServed;
      lastServed = null;
      if (line.hasNext()) {
        line.rekey(usage);
        PriorityQueue<TeamLine> lines = classes.get(currentClass);
        TeamLine head = lines.peek();
        if (head == null || line.compareTo(head) <= 0) {
          // Still the most deserving team: serve it again without touching the heap.
          lastServed = line;
          return line.next();
        }
        lines.add(line);
      }
    }
    while (currentClass < classes.size() && classes.get(currentClass).isEmpty()) {
      currentClass++;
      if (currentClass < classes.size() && resuming[currentClass].hasNext()) {
        return resuming[currentClass].next();
      }
    }
    if (currentClass == classes.size()) {
      return -1;
    }
    TeamLine line = classes.get(currentClass).poll();
    lastServed = line;
    return line.next();
  }

  /** One team's FIFO line, keyed by how much it deserves the next job (smaller first). */
  private static final class TeamLine implements Comparable<TeamLine> {
    final int team;
    final String name;
    final int[] jobs;
    int size;
    int cursor;
    long versionAtKey = -1;
    int tier;
    double share;

    TeamLine(int team, String name, int capacity) {
      this.team = team;
      this.name = name;
      this.jobs = new int[capacity];
    }

    void add(int job) {
      jobs[size++] = job;
    }

    boolean hasNext() {
      return cursor < size;
    }

    int next() {
      return jobs[cursor++];
    }

    /** Recomputes the key if the team's holding changed since it was last computed. */
    void rekey(TeamUsage usage) {
      long version = usage.version(team);
      if (version == versionAtKey) {
        return;
      }
      versionAtKey = version;
      long held = usage.gpus(team);
      var policy = usage.policy(team);
      if (held < policy.guaranteedGpus()) {
        tier = 0;
        share = (double) held / policy.guaranteedGpus();
      } else {
        tier = 1;
        share = usage.weightedDominantShare(team);
      }
    }

    @Override
    public int compareTo(TeamLine o) {
      if (tier != o.tier) {
        return Integer.compare(tier, o.tier);
      }
      int c = Double.compare(share, o.share);
      return c != 0 ? c : name.compareTo(o.name);
    }
  }
}
