package io.tern.simulator;

import io.tern.simulator.policy.OfflineOptimum;
import io.tern.simulator.policy.SingleJobOutcome;
import io.tern.simulator.policy.SingleJobPolicies;
import io.tern.simulator.policy.SingleJobPolicy;
import io.tern.simulator.policy.SingleJobReplay;
import io.tern.simulator.policy.SingleJobSetting;
import io.tern.simulator.policy.SingleJobSimulator;
import io.tern.simulator.report.CantBeLateReport;
import io.tern.simulator.report.CantBeLateReport.PolicyStats;
import io.tern.simulator.spot.GpuPrice;
import io.tern.simulator.spot.PriceTable;
import io.tern.simulator.spot.SpotTrace;
import io.tern.simulator.spot.SpotTraceReader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The Can't Be Late single-job study (Wu et al., NSDI'24): one deadline-bound job replayed from
 * start points spread over every spot trace of a directory, under Tern (the job replayed through
 * the cluster simulation, production core and all, see {@link SingleJobReplay}), greedy, Uniform
 * Progress as the paper's reference code decides, the offline optimum and on-demand, with cost
 * relative to running the whole job on on-demand. The baselines go through the same slot rules
 * ({@link SingleJobSimulator}), which the cluster simulation is set up to follow and the optimum
 * models exactly. Deterministic: no randomness at all.
 */
public final class CantBeLate {
  /** The default spacing of start points within a trace. */
  public static final double DEFAULT_START_EVERY_HOURS = 24;

  private CantBeLate() {}

  /**
   * Runs the study on traces already read ({@link SpotTraceReader#readDirectory}).
   *
   * @param startEveryHours spacing of start points (0: one start per trace, at its first slot)
   * @throws IllegalArgumentException for a deadline longer than a trace ({@link
   *     #requireDeadlineInside})
   */
  public static CantBeLateReport run(
      List<SpotTrace> traces,
      SingleJobSetting setting,
      double startEveryHours,
      PriceTable prices,
      ProgressListener progress) {
    requireDeadlineInside(traces, setting);
    List<CantBeLateReport.TraceResult> results = new ArrayList<>();
    Map<String, Stats> overall = new LinkedHashMap<>();
    for (int i = 0; i < traces.size(); i++) {
      SpotTrace trace = traces.get(i);
      double[] instance = instancePrices(trace.pool(), prices);
      List<Integer> starts = startSlots(trace, setting, startEveryHours);
      Map<String, Stats> perTrace = new LinkedHashMap<>();
      for (int start : starts) {
        Map<String, SingleJobOutcome> runs =
            runAll(trace, start, setting, instance[0], instance[1]);
        double baseline = setting.onDemandHours() * instance[1];
        runs.forEach(
            (policy, outcome) -> {
              perTrace.computeIfAbsent(policy, p -> new Stats()).add(outcome, baseline);
              overall.computeIfAbsent(policy, p -> new Stats()).add(outcome, baseline);
            });
      }
      Map<String, PolicyStats> cells = new LinkedHashMap<>();
      perTrace.forEach((policy, stats) -> cells.put(policy, stats.toStats()));
      results.add(new CantBeLateReport.TraceResult(trace.pool(), starts.size(), cells));
      progress.onProgress("can't be late", i + 1, traces.size());
    }
    Map<String, PolicyStats> total = new LinkedHashMap<>();
    overall.forEach((policy, stats) -> total.put(policy, stats.toStats()));
    return new CantBeLateReport(
        new CantBeLateReport.Setting(
            setting.jobHours(),
            setting.deadlineHours(),
            setting.restartOverheadHours(),
            startEveryHours),
        results,
        total);
  }

  /**
   * Refuses a deadline longer than a trace: each start needs its whole deadline inside its trace
   * (past the end there is nothing to replay).
   *
   * @throws IllegalArgumentException naming the first trace too short
   */
  public static void requireDeadlineInside(List<SpotTrace> traces, SingleJobSetting setting) {
    for (SpotTrace trace : traces) {
      double hours = (double) trace.slots() * trace.slotSeconds() / 3600;
      if (hours < setting.deadlineHours()) {
        throw new IllegalArgumentException(
            String.format(
                Locale.ROOT,
                "%s h is longer than spot trace %s (%.1f h of slots): each start needs its whole"
                    + " deadline inside the trace",
                setting.deadlineHours(),
                trace.pool(),
                hours));
      }
    }
  }

  /** Every policy of the study on one start of one trace, by name. */
  public static Map<String, SingleJobOutcome> runAll(
      SpotTrace trace, int start, SingleJobSetting setting, double spot, double onDemand) {
    Map<String, SingleJobOutcome> out = new LinkedHashMap<>();
    out.put("tern", SingleJobReplay.run(trace, start, setting, spot, onDemand));
    for (String name : List.of("greedy", "uniform-progress", "on-demand")) {
      SingleJobPolicy policy = SingleJobPolicies.create(name);
      out.put(name, SingleJobSimulator.run(trace, start, setting, policy, spot, onDemand));
    }
    out.put("optimum", OfflineOptimum.solve(trace, start, setting, spot, onDemand));
    return out;
  }

  /** Start slots every {@code spacingHours}, each leaving the whole deadline inside the trace. */
  public static List<Integer> startSlots(
      SpotTrace trace, SingleJobSetting setting, double spacingHours) {
    List<Integer> starts = new ArrayList<>();
    long deadlineSlots = (long) Math.ceil(setting.deadlineHours() * 3600 / trace.slotSeconds());
    long last = Math.max(0, trace.slots() - deadlineSlots);
    // In long arithmetic: a spacing longer than the trace gives the one start at slot 0.
    long step =
        spacingHours <= 0
            ? Long.MAX_VALUE
            : Math.max(1, Math.round(Math.min(spacingHours * 3600 / trace.slotSeconds(), 1e15)));
    for (long s = 0; s <= last; s += Math.min(step, last + 1 - s)) {
      starts.add((int) s);
    }
    return starts;
  }

  /** {spot, on-demand} instance prices for a pool named like {@code us-west-2a_v100_8}. */
  public static double[] instancePrices(String pool, PriceTable prices) {
    String name = pool.substring(pool.lastIndexOf('/') + 1).toLowerCase(Locale.ROOT);
    String[] parts = name.split("_");
    String model = parts.length >= 2 ? parts[parts.length - 2] : "v100";
    int gpus = 1;
    if (parts.length >= 3) {
      try {
        gpus = Math.max(1, Integer.parseInt(parts[parts.length - 1]));
      } catch (NumberFormatException e) {
        gpus = 1; // not a count: one GPU, as for a name without one
      }
    }
    GpuPrice price = prices.forModel(model);
    return new double[] {price.spotPerGpuHour() * gpus, price.onDemandPerGpuHour() * gpus};
  }

  /** Running mean, min, max and misses of one policy's cost ratios. */
  private static final class Stats {
    private double sum;
    private double min = Double.POSITIVE_INFINITY;
    private double max = Double.NEGATIVE_INFINITY;
    private int runs;
    private int misses;

    void add(SingleJobOutcome outcome, double baseline) {
      double ratio = outcome.costUsd() / baseline;
      sum += ratio;
      min = Math.min(min, ratio);
      max = Math.max(max, ratio);
      runs++;
      misses += outcome.deadlineMet() ? 0 : 1;
    }

    PolicyStats toStats() {
      return new PolicyStats(round(sum / runs), round(min), round(max), misses);
    }

    private static double round(double v) {
      return Math.round(v * 1e6) / 1e6;
    }
  }
}
