package io.tern.scheduler.core.queue;

import io.tern.scheduler.core.model.Job;
import io.tern.scheduler.core.model.PriorityClass;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * What {@link FairShareQueue} orders queued jobs by, one entry per job of the queue list, in flat
 * arrays: the job's team (as a {@link TeamUsage#index team index}), its effective class, whether it
 * is resuming, its submit time and id. The planning loop fills these in the same pass over the job
 * objects that gathers everything else it needs, so the queue never walks the jobs again. Not
 * thread-safe.
 */
public final class QueueKeys {
  final int size;
  final int[] team;
  final byte[] effectiveClass;
  final boolean[] resuming;
  final long[] seconds;
  final int[] nanos;
  final String[] ids;
  private final Instant agedBefore;

  /**
   * Room for {@code size} jobs. A LOW job submitted at or before {@code now - agingStep} is ordered
   * as NORMAL (a zero step turns aging off).
   */
  public QueueKeys(int size, Duration agingStep, Instant now) {
    this.size = size;
    team = new int[size];
    effectiveClass = new byte[size];
    resuming = new boolean[size];
    seconds = new long[size];
    nanos = new int[size];
    ids = new String[size];
    agedBefore = agingStep.isZero() ? null : now.minus(agingStep);
  }

  /** The keys of every job in {@code jobs}, with teams indexed by {@code usage}. */
  public static QueueKeys of(List<Job> jobs, TeamUsage usage, Duration agingStep, Instant now) {
    QueueKeys keys = new QueueKeys(jobs.size(), agingStep, now);
    for (int i = 0; i < jobs.size(); i++) {
      Job j = jobs.get(i);
      keys.set(i, j, usage.index(j.team()));
    }
    return keys;
  }

  /** Records job {@code i} of the queue list, whose team has index {@code team}. */
  public void set(int i, Job job, int team) {
    Instant at = job.submittedAt();
    set(i, team, job.priority(), job.resuming(), at.getEpochSecond(), at.getNano(), job.id());
  }

  /**
   * Records job {@code i} of the queue list from its parts: team index, class, whether it is
   * resuming, submit time (epoch seconds and nanos) and id.
   */
  public void set(
      int i,
      int team,
      PriorityClass priority,
      boolean resuming,
      long submitSeconds,
      int submitNanos,
      String id) {
    PriorityClass effective = priority;
    if (effective == PriorityClass.LOW
        && agedBefore != null
        && (submitSeconds < agedBefore.getEpochSecond()
            || (submitSeconds == agedBefore.getEpochSecond()
                && submitNanos <= agedBefore.getNano()))) {
      effective = PriorityClass.NORMAL;
    }
    this.team[i] = team;
    effectiveClass[i] = (byte) effective.ordinal();
    this.resuming[i] = resuming;
    seconds[i] = submitSeconds;
    nanos[i] = submitNanos;
    ids[i] = id;
  }
}
