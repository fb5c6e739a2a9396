package io.tern.scheduler.core.queue;

import io.tern.scheduler.core.model.Allocation;
import io.tern.scheduler.core.model.Job;
import io.tern.scheduler.core.model.Resources;
import io.tern.scheduler.core.policy.PolicySnapshot;
import io.tern.scheduler.core.policy.TeamPolicy;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What each team holds during one plan call (running allocations plus this plan's placements), and
 * the shares derived from it. Team policies are looked up once per team and cached. Not
 * thread-safe: one per plan call.
 */
public final class TeamUsage {
  private final PolicySnapshot policy;
  private final long clusterGpus;
  private final long clusterCpu;
  private final long clusterMemoryMiB;
  private final Map<String, Team> teams = new HashMap<>();

  private static final class Team {
    final TeamPolicy policy;
    long gpus;
    long cpu;
    long memoryMiB;
    long version;

    Team(TeamPolicy policy) {
      this.policy = policy;
    }
  }

  public TeamUsage(
      PolicySnapshot policy,
      List<Allocation> allocations,
      long clusterGpus,
      long clusterCpu,
      long clusterMemoryMiB) {
    this.policy = policy;
    this.clusterGpus = clusterGpus;
    this.clusterCpu = clusterCpu;
    this.clusterMemoryMiB = clusterMemoryMiB;
    for (Allocation a : allocations) {
      add(a.job());
    }
  }

  private Team team(String name) {
    Team t = teams.get(name);
    if (t == null) {
      t = new Team(policy.team(name));
      teams.put(name, t);
    }
    return t;
  }

  /** Counts one more running job (whole gang) for its team. */
  public void add(Job job) {
    Resources r = job.resources();
    Team t = team(job.team());
    t.gpus += r.totalGpus();
    t.cpu += (long) r.cpu() * r.nodes();
    t.memoryMiB += r.memoryMiB() * r.nodes();
    t.version++;
  }

  /** A number that changes whenever the team's usage changes (for cheap cache checks). */
  public long version(String team) {
    return team(team).version;
  }

  public long gpus(String team) {
    return team(team).gpus;
  }

  public TeamPolicy policy(String team) {
    return team(team).policy;
  }

  /** True when the team would still be within its guaranteed quota after taking {@code gpus}. */
  public boolean withinGuarantee(String team, long gpus) {
    Team t = team(team);
    return t.gpus + gpus <= t.policy.guaranteedGpus();
  }

  /** True when the team holds more than its guaranteed quota (it is borrowing). */
  public boolean borrowing(String team) {
    Team t = team(team);
    return t.gpus > t.policy.guaranteedGpus();
  }

  /** True when taking {@code gpus} more would pass the team's quota plus borrowing limit. */
  public boolean wouldExceedCap(String team, long gpus) {
    Team t = team(team);
    return t.gpus + gpus > t.policy.gpuCap();
  }

  /**
   * Dominant resource share over GPUs, CPU and memory, divided by the team's weight (DRF): the
   * fair-share key among teams past their guarantee.
   */
  public double weightedDominantShare(String team) {
    Team t = team(team);
    double share = ratio(t.gpus, clusterGpus);
    share = Math.max(share, ratio(t.cpu, clusterCpu));
    share = Math.max(share, ratio(t.memoryMiB, clusterMemoryMiB));
    return share / t.policy.weight();
  }

  private static double ratio(long used, long total) {
    return total <= 0 ? (used > 0 ? 1.0 : 0.0) : (double) used / total;
  }
}
