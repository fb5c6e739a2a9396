package io.tern.scheduler.server.loop;

import io.tern.scheduler.core.explain.Explanation;
import io.tern.scheduler.core.explain.PendingReason;
import java.time.Instant;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * The last applied plan's explanations of a term's pending jobs, and which of them changed since
 * the plan before. A deep queue is mostly the same jobs in the same order, pending for the same
 * reasons, plan after plan: each plan's list is walked beside the previous one, so an unchanged job
 * costs a comparison of two array slots, with no lookup by id and no write to its entry. Lookups by
 * id (for {@code tern explain} and the queue) index the list once per plan, when first asked.
 * Loop-confined.
 */
final class PendingExplanations {
  /** How far ahead in the previous list a job is looked for before it counts as newly pending. */
  private static final int LOOKAHEAD = 64;

  /** What the loop does for a job whose explanation changed, or that was not pending before. */
  interface Changed {
    void explained(JobEntry entry, Explanation explanation);
  }

  private long plan = -1;
  private String[] ids = new String[0];
  private int[] hashes = new int[0];
  private JobEntry[] entries = new JobEntry[0];
  private Explanation[] explanations = new Explanation[0];
  private List<?>[] reasons = new List<?>[0];
  private Instant[] holdUntils = new Instant[0];
  private int size;

  /** {@link #explanations} by id, built on the first lookup after a plan; or null. */
  private Map<String, Explanation> byId;

  /**
   * Records plan number {@code plan}'s explanations and calls {@code changed} for every job whose
   * explanation differs from plan {@code plan - 1}'s (other reasons, another hold-until, or not
   * pending in it). Jobs {@code entries} does not know are left out.
   *
   * @param canonical one instance per distinct list of reasons, so that comparing a job's reasons
   *     with the previous plan's is an identity check
   */
  void record(
      long plan,
      List<Explanation> pending,
      Function<String, JobEntry> entries,
      UnaryOperator<List<PendingReason>> canonical,
      Changed changed) {
    int previousSize = this.plan == plan - 1 ? size : 0;
    String[] previousIds = ids;
    int[] previousHashes = hashes;
    JobEntry[] previousEntries = this.entries;
    List<?>[] previousReasons = reasons;
    Instant[] previousHoldUntils = holdUntils;
    int n = pending.size();
    ids = new String[n];
    hashes = new int[n];
    this.entries = new JobEntry[n];
    explanations = new Explanation[n];
    reasons = new List<?>[n];
    holdUntils = new Instant[n];
    size = 0;
    byId = null;
    this.plan = plan;
    // The core shares one reasons list among the jobs of a shape: canonicalise each list it
    // returned once per plan (jobs of a shape mostly come one after another).
    Map<List<PendingReason>, List<PendingReason>> seen = new IdentityHashMap<>();
    List<PendingReason> lastListed = null;
    List<PendingReason> lastWhy = null;
    int cursor = 0;
    for (Explanation explanation : pending) {
      String id = explanation.jobId();
      int hash = id.hashCode();
      int found = -1;
      for (int s = cursor, end = Math.min(previousSize, cursor + LOOKAHEAD); s < end; s++) {
        if (previousHashes[s] == hash && previousIds[s].equals(id)) {
          found = s;
          break;
        }
      }
      JobEntry entry;
      if (found >= 0) {
        entry = previousEntries[found];
        cursor = found + 1;
      } else {
        entry = entries.apply(id);
        if (entry == null) {
          continue;
        }
      }
      List<PendingReason> listed = explanation.reasons();
      if (listed != lastListed) {
        lastListed = listed;
        lastWhy = seen.computeIfAbsent(listed, canonical);
      }
      List<PendingReason> why = lastWhy;
      Instant holdUntil = explanation.holdUntil();
      ids[size] = id;
      hashes[size] = hash;
      this.entries[size] = entry;
      explanations[size] = explanation;
      reasons[size] = why;
      holdUntils[size] = holdUntil;
      size++;
      boolean same =
          found >= 0
              && previousReasons[found] == why
              && Objects.equals(previousHoldUntils[found], holdUntil);
      if (!same) {
        changed.explained(entry, explanation);
      }
    }
  }

  /** Forgets the last plan's explanations: plan number {@code plan} left no job pending. */
  void none(long plan) {
    this.plan = plan;
    ids = new String[0];
    hashes = new int[0];
    entries = new JobEntry[0];
    explanations = new Explanation[0];
    reasons = new List<?>[0];
    holdUntils = new Instant[0];
    size = 0;
    byId = null;
  }

  /** Why job {@code id} was still pending after the last plan, or null. */
  Explanation get(String id) {
    if (byId == null) {
      byId = HashMap.newHashMap(size);
      for (int i = 0; i < size; i++) {
        byId.put(ids[i], explanations[i]);
      }
    }
    return byId.get(id);
  }
}
