package io.tern.simulator.engine;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * How the simulated cloud and cluster behave. Immutable; {@link #defaults()} documents the default
 * of every field.
 *
 * @param noticeSeconds spot interruption notice (120 on AWS)
 * @param checkpointSaveSeconds time to write a checkpoint and exit after a request (billed)
 * @param restoreSeconds time to restore a checkpoint when a job resumes with progress (billed)
 * @param launchDelaySeconds from a launch request (or spot capacity returning) to a ready node
 * @param schedulingQuantumSeconds at most one scheduling round per this much simulated time
 * @param replanIntervalSeconds while jobs wait, a round at least this often
 * @param horizonSlackSeconds the run stops this long after the last job could have finished on an
 *     idle on-demand cluster; jobs still queued then count as unfinished
 * @param offPeak the off-peak calendar replayed (the scheduler's cron windows with time zones);
 *     {@link OffPeakReplay#NONE} for none
 * @param deferLowPriority whether low-priority jobs without a deadline are deferrable (wait for an
 *     off-peak window) under Tern
 * @param teamBudgetsUsd hard budget per team for the whole run (soft at 80%); empty: none
 */
public record SimulationSettings(
    long noticeSeconds,
    long checkpointSaveSeconds,
    long restoreSeconds,
    long launchDelaySeconds,
    long schedulingQuantumSeconds,
    long replanIntervalSeconds,
    long horizonSlackSeconds,
    OffPeakReplay offPeak,
    boolean deferLowPriority,
    Map<String, Double> teamBudgetsUsd) {

  /** Copies collections (budgets sorted by team). */
  public SimulationSettings {
    Objects.requireNonNull(offPeak, "offPeak");
    teamBudgetsUsd = Collections.unmodifiableSortedMap(new TreeMap<>(teamBudgetsUsd));
    if (noticeSeconds < 0
        || checkpointSaveSeconds < 0
        || restoreSeconds < 0
        || launchDelaySeconds < 0
        || schedulingQuantumSeconds < 1
        || replanIntervalSeconds < 1
        || horizonSlackSeconds < 0) {
      throw new IllegalArgumentException("simulation settings must be non-negative");
    }
  }

  /**
   * Notice 120 s, save 60 s, restore 120 s, launch 180 s, rounds at most every 10 s and at least
   * every 10 min while jobs wait, 30 days of horizon slack, no off-peak windows, no budgets.
   */
  public static SimulationSettings defaults() {
    return new SimulationSettings(
        120, 60, 120, 180, 10, 600, 30L * 86_400, OffPeakReplay.NONE, true, Map.of());
  }

  /** A copy with another scheduling quantum and replan interval. */
  public SimulationSettings withScheduling(long quantumSeconds, long replanSeconds) {
    return new SimulationSettings(
        noticeSeconds,
        checkpointSaveSeconds,
        restoreSeconds,
        launchDelaySeconds,
        quantumSeconds,
        replanSeconds,
        horizonSlackSeconds,
        offPeak,
        deferLowPriority,
        teamBudgetsUsd);
  }

  /** A copy with an off-peak calendar. */
  public SimulationSettings withOffPeak(OffPeakReplay windows) {
    return new SimulationSettings(
        noticeSeconds,
        checkpointSaveSeconds,
        restoreSeconds,
        launchDelaySeconds,
        schedulingQuantumSeconds,
        replanIntervalSeconds,
        horizonSlackSeconds,
        windows,
        deferLowPriority,
        teamBudgetsUsd);
  }

  /** A copy with per-team hard budgets. */
  public SimulationSettings withTeamBudgets(Map<String, Double> budgets) {
    return new SimulationSettings(
        noticeSeconds,
        checkpointSaveSeconds,
        restoreSeconds,
        launchDelaySeconds,
        schedulingQuantumSeconds,
        replanIntervalSeconds,
        horizonSlackSeconds,
        offPeak,
        deferLowPriority,
        budgets);
  }

  /** Lines for the report. */
  public List<String> describe() {
    return List.of(
        "spot notice " + noticeSeconds + " s before a reclaim; reclaims follow the pool's timeline",
        "checkpoint save "
            + checkpointSaveSeconds
            + " s, restore "
            + restoreSeconds
            + " s on resume (both billed); periodic checkpoints are asynchronous and free",
        "a node is ready "
            + launchDelaySeconds
            + " s after a launch or after spot capacity returns",
        "billing: per GPU-second allocated to a job (elastic fleet; idle capacity is not paid for),"
            + " fractional GPUs pay their fraction",
        "scheduling rounds at most every "
            + schedulingQuantumSeconds
            + " s, at least every "
            + replanIntervalSeconds
            + " s while jobs wait",
        offPeak.isEmpty() ? "no off-peak windows" : "off-peak windows: " + offPeak,
        teamBudgetsUsd.isEmpty()
            ? "no team budgets"
            : "team budgets (USD, hard): " + teamBudgetsUsd);
  }
}
