package io.tern.simulator.policy;

import io.tern.simulator.spot.SpotTrace;
import java.util.Arrays;

/**
 * The cheapest way to finish a single job by its deadline when the whole spot trace is known in
 * advance: dynamic programming over (slot, progress, mode of the previous slot), with the same slot
 * rules as {@link SingleJobSimulator}. Its cost is a lower bound for every online policy deciding
 * at slot starts. Time O(slots × work units × 9), memory O(work units).
 */
public final class OfflineOptimum {
  private static final int IDLE = 0;
  private static final int SPOT = 1;
  private static final int ON_DEMAND = 2;

  private OfflineOptimum() {}

  /** The optimum for a job started at {@code startSlot}; {@code deadlineMet} is always true. */
  public static SingleJobOutcome solve(
      SpotTrace trace,
      int startSlot,
      SingleJobSetting setting,
      double spotPerHour,
      double onDemandPerHour) {
    long unit = setting.unitSeconds(trace.slotSeconds());
    int slot = (int) (trace.slotSeconds() / unit);
    int work = (int) (SingleJobSetting.seconds(setting.jobHours()) / unit);
    long deadline = SingleJobSetting.seconds(setting.deadlineHours()) / unit;
    int overhead = (int) (SingleJobSetting.seconds(setting.restartOverheadHours()) / unit);
    double unitHours = unit / 3600.0;
    double[] unitPrice = {0, spotPerHour * unitHours, onDemandPerHour * unitHours};
    double[][] cost = new double[3][work + 1];
    for (double[] row : cost) {
      Arrays.fill(row, Double.POSITIVE_INFINITY);
    }
    cost[IDLE][0] = 0;
    double best = Double.POSITIVE_INFINITY;
    int slots = (int) ((deadline + slot - 1) / slot);
    for (int t = 0; t < slots; t++) {
      boolean available = trace.available((startSlot + t) % trace.slots());
      double[][] next = new double[3][work + 1];
      for (double[] row : next) {
        Arrays.fill(row, Double.POSITIVE_INFINITY);
      }
      for (int previous = 0; previous < 3; previous++) {
        for (int p = 0; p < work; p++) {
          double c = cost[previous][p];
          if (c == Double.POSITIVE_INFINITY) {
            continue;
          }
          next[IDLE][p] = Math.min(next[IDLE][p], c);
          for (int mode = SPOT; mode <= ON_DEMAND; mode++) {
            if (mode == SPOT && !available) {
              continue;
            }
            int paidOverhead = mode == previous ? 0 : overhead;
            int gain = Math.max(0, Math.min(work - p, slot - paidOverhead));
            int billed = gain + Math.min(paidOverhead, slot);
            double total = c + billed * unitPrice[mode];
            if (p + gain == work) {
              if ((long) t * slot + billed <= deadline) {
                best = Math.min(best, total);
              }
            } else if (total < next[mode][p + gain]) {
              next[mode][p + gain] = total;
            }
          }
        }
      }
      cost = next;
    }
    return new SingleJobOutcome(
        "optimum", best, Double.NaN, best < Double.POSITIVE_INFINITY, Double.NaN, Double.NaN, 0);
  }
}
