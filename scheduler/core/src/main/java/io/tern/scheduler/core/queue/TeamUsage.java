package io.tern.scheduler.core.queue;

import io.tern.scheduler.core.model.Resources;
import io.tern.scheduler.core.policy.PolicySnapshot;
import io.tern.scheduler.core.policy.TeamPolicy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What each team holds during one plan call (running allocations plus this plan's placements), and
 * the shares derived from it. Team policies are looked up once per team and cached.
 *
 * <p>Every team seen gets a dense index ({@link #index}), in order of first sight; the planning
 * loop asks by index, once per queued job, which costs an array read instead of a hash lookup.
 * Indices are only meaningful within this object and never leak into a plan. Not thread-safe: one
 * per plan call.
 */
public final class TeamUsage {
  private final PolicySnapshot policy;
  private final long clusterGpus;
  private final long clusterCpu;
  private final long clusterMemoryMiB;
  private final Map<String, Team> byName = new HashMap<>();
  private final List<Team> byIndex = new ArrayList<>();
  // The teams of the last few addRunning calls: their names are usually the same few objects.
  private final Team[] recentlyAdded = new Team[8];
  private int nextRecent;

  private static final class Team {
    final String name;
    final TeamPolicy policy;
    final int index;
    long gpus;
    long cpu;
    long memoryMiB;
    long version;

    Team(String name, TeamPolicy policy, int index) {
      this.name = name;
      this.policy = policy;
      this.index = index;
    }
  }

  public TeamUsage(
      PolicySnapshot policy, long clusterGpus, long clusterCpu, long clusterMemoryMiB) {
    this.policy = policy;
    this.clusterGpus = clusterGpus;
    this.clusterCpu = clusterCpu;
    this.clusterMemoryMiB = clusterMemoryMiB;
  }

  private Team team(String name) {
    Team t = byName.get(name);
    if (t == null) {
      t = new Team(name, policy.team(name), byIndex.size());
      byName.put(name, t);
      byIndex.add(t);
    }
    return t;
  }

  /** The dense index of {@code team}, assigned on first sight. */
  public int index(String team) {
    return team(team).index;
  }

  /** Teams indexed so far; indices run from 0 to this minus one. */
  public int teamCount() {
    return byIndex.size();
  }

  /** The name of the team with index {@code team}. */
  public String name(int team) {
    return byIndex.get(team).name;
  }

  /**
   * Counts one running job (whole gang: {@code gpus}, {@code cpu} cores, {@code memoryMiB}) for
   * {@code team}. Calls usually name a few team objects over and over, which are then found without
   * a hash lookup.
   */
  public void addRunning(String team, long gpus, long cpu, long memoryMiB) {
    Team t = null;
    for (Team recent : recentlyAdded) {
      if (recent != null && recent.name == team) {
        t = recent;
        break;
      }
    }
    if (t == null) {
      t = team(team);
      recentlyAdded[nextRecent] = t;
      nextRecent = (nextRecent + 1) & (recentlyAdded.length - 1);
    }
    t.gpus += gpus;
    t.cpu += cpu;
    t.memoryMiB += memoryMiB;
    t.version++;
  }

  /**
   * Counts one more running job (whole gang) with {@code resources} for team index {@code team}.
   */
  public void add(int team, Resources resources) {
    add(byIndex.get(team), resources);
  }

  private static void add(Team t, Resources r) {
    t.gpus += r.totalGpus();
    t.cpu += (long) r.cpu() * r.nodes();
    t.memoryMiB += r.memoryMiB() * r.nodes();
    t.version++;
  }

  /** A number that changes whenever the team's usage changes (for cheap cache checks). */
  public long version(String team) {
    return team(team).version;
  }

  /** {@link #version(String)} by team index. */
  public long version(int team) {
    return byIndex.get(team).version;
  }

  public long gpus(String team) {
    return team(team).gpus;
  }

  public long gpus(int team) {
    return byIndex.get(team).gpus;
  }

  public TeamPolicy policy(String team) {
    return team(team).policy;
  }

  public TeamPolicy policy(int team) {
    return byIndex.get(team).policy;
  }

  /** True when the team would still be within its guaranteed quota after taking {@code gpus}. */
  public boolean withinGuarantee(String team, long gpus) {
    return withinGuarantee(team(team), gpus);
  }

  /** {@link #withinGuarantee(String, long)} by team index. */
  public boolean withinGuarantee(int team, long gpus) {
    return withinGuarantee(byIndex.get(team), gpus);
  }

  private static boolean withinGuarantee(Team t, long gpus) {
    return t.gpus + gpus <= t.policy.guaranteedGpus();
  }

  /** True when the team holds more than its guaranteed quota (it is borrowing). */
  public boolean borrowing(String team) {
    Team t = team(team);
    return t.gpus > t.policy.guaranteedGpus();
  }

  /** True when taking {@code gpus} more would pass the team's quota plus borrowing limit. */
  public boolean wouldExceedCap(String team, long gpus) {
    return wouldExceedCap(team(team), gpus);
  }

  /** {@link #wouldExceedCap(String, long)} by team index. */
  public boolean wouldExceedCap(int team, long gpus) {
    return wouldExceedCap(byIndex.get(team), gpus);
  }

  private static boolean wouldExceedCap(Team t, long gpus) {
    return t.gpus + gpus > t.policy.gpuCap();
  }

  /**
   * Dominant resource share over GPUs, CPU and memory, divided by the team's weight (DRF): the
   * fair-share key among teams past their guarantee.
   */
  public double weightedDominantShare(String team) {
    return weightedDominantShare(team(team));
  }

  /** {@link #weightedDominantShare(String)} by team index. */
  public double weightedDominantShare(int team) {
    return weightedDominantShare(byIndex.get(team));
  }

  private double weightedDominantShare(Team t) {
    double share = ratio(t.gpus, clusterGpus);
    share = Math.max(share, ratio(t.cpu, clusterCpu));
    share = Math.max(share, ratio(t.memoryMiB, clusterMemoryMiB));
    return share / t.policy.weight();
  }

  private static double ratio(long used, long total) {
    return total <= 0 ? (used > 0 ? 1.0 : 0.0) : (double) used / total;
  }
}
