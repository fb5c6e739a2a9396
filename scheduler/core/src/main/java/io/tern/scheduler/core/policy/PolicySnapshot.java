package io.tern.scheduler.core.policy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Policy in force at plan time: the off-peak window, team quotas and budgets, and the pools that
 * capacity can be requested from. Immutable; maps are sorted for deterministic iteration.
 *
 * @param offPeak off-peak window state
 * @param teams team policies by team; a team not listed gets {@link TeamPolicy#defaultFor}
 * @param pools launchable pools, sorted by id
 * @param launchingNodes nodes already requested per pool and not yet registered (so a plan does not
 *     ask twice for the same capacity)
 * @param spotHistory what the scheduler has seen of each spot pool (reclaims, capacity back since),
 *     by pool id; a pool not listed has no history
 */
public record PolicySnapshot(
    OffPeakStatus offPeak,
    SortedMap<String, TeamPolicy> teams,
    List<PoolOffer> pools,
    SortedMap<String, Integer> launchingNodes,
    SortedMap<String, SpotPoolHistory> spotHistory) {

  public PolicySnapshot {
    java.util.Objects.requireNonNull(offPeak, "offPeak");
    teams = Collections.unmodifiableSortedMap(new TreeMap<>(teams));
    List<PoolOffer> sorted = new ArrayList<>(pools);
    sorted.sort(Comparator.comparing(PoolOffer::id));
    pools = List.copyOf(sorted);
    launchingNodes = Collections.unmodifiableSortedMap(new TreeMap<>(launchingNodes));
    spotHistory = Collections.unmodifiableSortedMap(new TreeMap<>(spotHistory));
  }

  /** A snapshot without spot history. */
  public PolicySnapshot(
      OffPeakStatus offPeak,
      SortedMap<String, TeamPolicy> teams,
      List<PoolOffer> pools,
      SortedMap<String, Integer> launchingNodes) {
    this(offPeak, teams, pools, launchingNodes, new TreeMap<>());
  }

  /** The history of a spot pool, or null when none was seen. */
  public SpotPoolHistory spotHistory(String pool) {
    return spotHistory.get(pool);
  }

  public PolicySnapshot withSpotHistory(Map<String, SpotPoolHistory> history) {
    return new PolicySnapshot(offPeak, teams, pools, launchingNodes, new TreeMap<>(history));
  }

  /** No windows, no team policies, no pools. */
  public static PolicySnapshot defaults() {
    return new PolicySnapshot(
        OffPeakStatus.NO_WINDOWS, new TreeMap<>(), List.of(), new TreeMap<>());
  }

  public static PolicySnapshot of(
      OffPeakStatus offPeak, List<TeamPolicy> teams, List<PoolOffer> pools) {
    SortedMap<String, TeamPolicy> byTeam = new TreeMap<>();
    for (TeamPolicy t : teams) {
      byTeam.put(t.team(), t);
    }
    return new PolicySnapshot(offPeak, byTeam, pools, new TreeMap<>());
  }

  public TeamPolicy team(String team) {
    TeamPolicy p = teams.get(team);
    return p != null ? p : TeamPolicy.defaultFor(team);
  }

  public PolicySnapshot withOffPeak(OffPeakStatus offPeak) {
    return new PolicySnapshot(offPeak, teams, pools, launchingNodes, spotHistory);
  }

  public PolicySnapshot withLaunchingNodes(Map<String, Integer> launchingNodes) {
    return new PolicySnapshot(offPeak, teams, pools, new TreeMap<>(launchingNodes), spotHistory);
  }

  public PolicySnapshot withTeam(TeamPolicy policy) {
    SortedMap<String, TeamPolicy> copy = new TreeMap<>(teams);
    copy.put(policy.team(), policy);
    return new PolicySnapshot(offPeak, copy, pools, launchingNodes, spotHistory);
  }
}
