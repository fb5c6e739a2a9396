package io.tern.simulator;

import io.tern.simulator.policy.OfflineOptimum;
import io.tern.simulator.policy.SingleJobOutcome;
import io.tern.simulator.policy.SingleJobPolicies;
import io.tern.simulator.policy.SingleJobSetting;
import io.tern.simulator.policy.SingleJobSimulator;
import io.tern.simulator.report.CantBeLateReport;
import io.tern.simulator.spot.GpuPrice;
import io.tern.simulator.spot.PriceTable;
import io.tern.simulator.spot.SpotTrace;
import io.tern.simulator.spot.SpotTraceReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The Can't Be Late single-job study (Wu et al., NSDI'24): one deadline-bound job replayed on every
 * spot trace of a directory under greedy, Uniform Progress, Tern and the offline optimum, with cost
 * relative to on-demand. Deterministic: no randomness at all.
 */
public final class CantBeLate {
  /** Policies in table order; {@code optimum} is the offline lower bound. */
  public static final List<String> POLICIES =
      List.of("greedy", "uniform-progress", "tern", "optimum");

  private CantBeLate() {}

  /**
   * Runs the study with start points every {@code startSpacingHours} (0 → one start at slot 0).
   *
   * @param spotDir a directory of spot traces (searched recursively)
   * @throws io.tern.simulator.trace.TraceFormatException for a missing or bad trace
   */
  public static CantBeLateReport run(
      Path spotDir,
      SingleJobSetting setting,
      double startSpacingHours,
      PriceTable prices,
      ProgressListener progress) {
    List<SpotTrace> traces = SpotTraceReader.readDirectory(spotDir);
    List<CantBeLateReport.Row> rows = new ArrayList<>();
    for (int i = 0; i < traces.size(); i++) {
      rows.add(row(traces.get(i), setting, startSpacingHours, prices));
      progress.onProgress("can't be late", i + 1, traces.size());
    }
    return new CantBeLateReport(
        setting.jobHours(),
        setting.deadlineHours(),
        setting.restartOverheadHours(),
        startSpacingHours,
        POLICIES,
        rows,
        List.of(
            "decisions at 10-minute slot starts; progress survives a reclaim (checkpointed),"
                + " every start on a new instance pays the restart overhead",
            "cost relative to on-demand for the whole job (work + one restart overhead)",
            "instance price = per-GPU price x GPUs of the pool (e.g. v100_1 = p3.2xlarge)",
            "optimum: dynamic programming over the known trace, a lower bound"));
  }

  /** The paper's setting, starts every 72 h, default prices. */
  public static CantBeLateReport run(Path spotDir, ProgressListener progress) {
    return run(spotDir, SingleJobSetting.paper(), 72, PriceTable.defaults(), progress);
  }

  private static CantBeLateReport.Row row(
      SpotTrace trace, SingleJobSetting setting, double spacingHours, PriceTable prices) {
    double[] instance = instancePrices(trace.pool(), prices);
    double spot = instance[0];
    double onDemand = instance[1];
    double baseline = (setting.jobHours() + setting.restartOverheadHours()) * onDemand;
    List<Integer> starts = startSlots(trace, setting, spacingHours);
    Map<String, CantBeLateReport.Cell> cells = new LinkedHashMap<>();
    for (String policy : POLICIES) {
      double relative = 0;
      int misses = 0;
      for (int start : starts) {
        SingleJobOutcome outcome =
            policy.equals("optimum")
                ? OfflineOptimum.solve(trace, start, setting, spot, onDemand)
                : SingleJobSimulator.run(
                    trace, start, setting, SingleJobPolicies.create(policy), spot, onDemand);
        relative += outcome.costUsd() / baseline;
        misses += outcome.deadlineMet() ? 0 : 1;
      }
      cells.put(policy, new CantBeLateReport.Cell(relative / starts.size(), misses));
    }
    return new CantBeLateReport.Row(
        trace.pool(), trace.availabilityRatio(), onDemand, spot, starts.size(), cells);
  }

  static List<Integer> startSlots(SpotTrace trace, SingleJobSetting setting, double spacingHours) {
    List<Integer> starts = new ArrayList<>();
    int deadlineSlots = (int) Math.ceil(setting.deadlineHours() * 3600 / trace.slotSeconds());
    int last = Math.max(0, trace.slots() - deadlineSlots);
    int step =
        spacingHours <= 0
            ? Integer.MAX_VALUE
            : (int) Math.round(spacingHours * 3600 / trace.slotSeconds());
    for (long s = 0; s <= last; s += Math.max(1, step)) {
      starts.add((int) s);
    }
    return starts;
  }

  /** {spot, on-demand} instance prices for a pool named like {@code us-west-2a_v100_8}. */
  static double[] instancePrices(String pool, PriceTable prices) {
    String name = pool.substring(pool.lastIndexOf('/') + 1).toLowerCase(Locale.ROOT);
    String[] parts = name.split("_");
    String model = parts.length >= 2 ? parts[parts.length - 2] : "v100";
    int gpus = 1;
    if (parts.length >= 3) {
      try {
        gpus = Integer.parseInt(parts[parts.length - 1]);
      } catch (NumberFormatException e) {
        gpus = 1;
      }
    }
    GpuPrice price = prices.forModel(model);
    return new double[] {price.spotPerGpuHour() * gpus, price.onDemandPerGpuHour() * gpus};
  }
}
