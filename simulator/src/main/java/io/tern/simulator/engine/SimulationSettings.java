package io.tern.simulator.engine;

import io.tern.scheduler.core.EngineConfig;
import java.util.ArrayList;
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
 * @param startSeconds time every attempt spends starting before it works, the first one too
 *     (billed; the single-job study's changeover)
 * @param launchDelaySeconds from a launch request (or spot capacity returning) to a ready node
 * @param schedulingQuantumSeconds at most one scheduling round per this much simulated time; 0: a
 *     round at the instant of every change
 * @param replanIntervalSeconds while jobs wait, a round at least this often
 * @param horizonSlackSeconds the run stops this long after the last job could have finished on an
 *     idle on-demand cluster; jobs still queued then count as unfinished
 * @param offPeak the off-peak calendar replayed (the scheduler's cron windows with time zones);
 *     {@link OffPeakReplay#NONE} for none
 * @param deferLowPriority whether low-priority jobs without a deadline are deferrable (wait for an
 *     off-peak window) under Tern
 * @param teamBudgetsUsd hard budget per team for the whole run (soft at 80%); empty: none
 * @param deadlineOverheadSeconds the restart overhead the core's deadline rule counts per
 *     changeover
 * @param deadlineMarginSeconds the core's deadline safety margin
 */
public record SimulationSettings(
    long noticeSeconds,
    long checkpointSaveSeconds,
    long restoreSeconds,
    long startSeconds,
    long launchDelaySeconds,
    long schedulingQuantumSeconds,
    long replanIntervalSeconds,
    long horizonSlackSeconds,
    OffPeakReplay offPeak,
    boolean deferLowPriority,
    Map<String, Double> teamBudgetsUsd,
    long deadlineOverheadSeconds,
    long deadlineMarginSeconds) {

  /** Copies collections (budgets sorted by team). */
  public SimulationSettings {
    Objects.requireNonNull(offPeak, "offPeak");
    teamBudgetsUsd = Collections.unmodifiableSortedMap(new TreeMap<>(teamBudgetsUsd));
    if (noticeSeconds < 0
        || checkpointSaveSeconds < 0
        || restoreSeconds < 0
        || startSeconds < 0
        || launchDelaySeconds < 0
        || schedulingQuantumSeconds < 0
        || replanIntervalSeconds < 1
        || horizonSlackSeconds < 0
        || deadlineOverheadSeconds < 0
        || deadlineMarginSeconds < 0) {
      throw new IllegalArgumentException("simulation settings must be non-negative");
    }
  }

  /**
   * Notice 120 s, save 60 s, restore 120 s, no start time, launch 180 s, rounds at most every 10 s
   * and at least every 10 min while jobs wait, 30 days of horizon slack, no off-peak windows, no
   * budgets, the core's default deadline rule.
   */
  public static SimulationSettings defaults() {
    EngineConfig core = EngineConfig.defaults();
    return new SimulationSettings(
        120,
        60,
        120,
        0,
        180,
        10,
        600,
        30L * 86_400,
        OffPeakReplay.NONE,
        true,
        Map.of(),
        core.restartOverhead().toSeconds(),
        core.deadlineSafetyMargin().toSeconds());
  }

  /**
   * A copy with another simulated cloud: spot notice, checkpoint save, restore on resume, start of
   * every attempt and node launch, in seconds.
   */
  public SimulationSettings withCloud(
      long notice, long save, long restore, long start, long launchDelay) {
    Copy c = new Copy(this);
    c.notice = notice;
    c.save = save;
    c.restore = restore;
    c.start = start;
    c.launchDelay = launchDelay;
    return c.build();
  }

  /** A copy with another scheduling quantum and replan interval. */
  public SimulationSettings withScheduling(long quantumSeconds, long replanSeconds) {
    Copy c = new Copy(this);
    c.quantum = quantumSeconds;
    c.replan = replanSeconds;
    return c.build();
  }

  /** A copy with an off-peak calendar. */
  public SimulationSettings withOffPeak(OffPeakReplay windows) {
    Copy c = new Copy(this);
    c.offPeak = windows;
    return c.build();
  }

  /** A copy with per-team hard budgets. */
  public SimulationSettings withTeamBudgets(Map<String, Double> budgets) {
    Copy c = new Copy(this);
    c.budgets = budgets;
    return c.build();
  }

  /** A copy whose core counts {@code overheadSeconds} per changeover, with this safety margin. */
  public SimulationSettings withDeadlineRule(long overheadSeconds, long marginSeconds) {
    Copy c = new Copy(this);
    c.deadlineOverhead = overheadSeconds;
    c.deadlineMargin = marginSeconds;
    return c.build();
  }

  /** The fields of a settings being copied, for the withers to change a few of. */
  private static final class Copy {
    long notice;
    long save;
    long restore;
    long start;
    long launchDelay;
    long quantum;
    long replan;
    final long horizonSlack;
    OffPeakReplay offPeak;
    final boolean deferLowPriority;
    Map<String, Double> budgets;
    long deadlineOverhead;
    long deadlineMargin;

    Copy(SimulationSettings s) {
      notice = s.noticeSeconds;
      save = s.checkpointSaveSeconds;
      restore = s.restoreSeconds;
      start = s.startSeconds;
      launchDelay = s.launchDelaySeconds;
      quantum = s.schedulingQuantumSeconds;
      replan = s.replanIntervalSeconds;
      horizonSlack = s.horizonSlackSeconds;
      offPeak = s.offPeak;
      deferLowPriority = s.deferLowPriority;
      budgets = s.teamBudgetsUsd;
      deadlineOverhead = s.deadlineOverheadSeconds;
      deadlineMargin = s.deadlineMarginSeconds;
    }

    SimulationSettings build() {
      return new SimulationSettings(
          notice,
          save,
          restore,
          start,
          launchDelay,
          quantum,
          replan,
          horizonSlack,
          offPeak,
          deferLowPriority,
          budgets,
          deadlineOverhead,
          deadlineMargin);
    }
  }

  /** Lines for the report. */
  public List<String> describe() {
    List<String> lines = new ArrayList<>(cloudAndScheduling());
    if (startSeconds > 0) {
      lines.add(1, "every attempt spends " + startSeconds + " s starting before it works (billed)");
    }
    return lines;
  }

  private List<String> cloudAndScheduling() {
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
