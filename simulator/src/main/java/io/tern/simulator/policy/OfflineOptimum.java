package io.tern.simulator.policy;

import io.tern.simulator.spot.SpotTrace;
import java.util.Arrays;

/**
 * The cheapest way to finish a single job by its deadline when the whole spot trace is known in
 * advance: dynamic programming over (slot, mode of the current instance, restart overhead it still
 * owes, progress), with exactly the slot rules of {@link SingleJobSimulator} (a changeover longer
 * than a slot carries over, a reclaim ends the spot instance at the slot start, billing per unit
 * used). Its cost is a lower bound for every online policy deciding at slot starts. Only progress
 * from which the deadline can still be met on on-demand is kept, so the state is about {@code 3 ×
 * (overhead + 1) × slack} wide per slot.
 */
public final class OfflineOptimum {
  private static final int IDLE = 0;
  private static final int SPOT = 1;
  private static final int ON_DEMAND = 2;
  private static final double INF = Double.POSITIVE_INFINITY;

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
    // cost[mode][owed][progress]; IDLE always owes 0.
    double[][][] cost = new double[3][overhead + 1][work + 1];
    double[][][] next = new double[3][overhead + 1][work + 1];
    fill(cost, 0, work);
    cost[IDLE][0][0] = 0;
    int lo = 0;
    int hi = 0;
    double best = INF;
    int slots = (int) ((deadline + slot - 1) / slot);
    for (int t = 0; t < slots; t++) {
      boolean available = trace.available((startSlot + t) % trace.slots());
      long end = (long) (t + 1) * slot;
      // Progress kept after this slot: the rest must still fit on on-demand from `end`.
      int nextLo = (int) Math.max(0, work - (deadline - end));
      int nextHi = Math.min(work - 1, hi + slot);
      fill(next, Math.min(nextLo, nextHi + 1), nextHi);
      for (int mode = IDLE; mode <= ON_DEMAND; mode++) {
        // A spot instance whose capacity is gone in this slot was reclaimed at its start.
        boolean reclaimed = mode == SPOT && !available;
        for (int owed = 0; owed <= (mode == IDLE ? 0 : overhead); owed++) {
          double[] row = cost[mode][owed];
          for (int p = lo; p <= hi; p++) {
            double c = row[p];
            if (c == INF) {
              continue;
            }
            if (p >= nextLo && c < next[IDLE][0][p]) {
              next[IDLE][0][p] = c;
            }
            for (int to = SPOT; to <= ON_DEMAND; to++) {
              if (to == SPOT && !available) {
                continue;
              }
              int pays = to == mode && !reclaimed ? owed : overhead;
              int paid = Math.min(pays, slot);
              int gain = Math.min(work - p, slot - paid);
              double total = c + (paid + gain) * unitPrice[to];
              if (p + gain == work) {
                if ((long) t * slot + paid + gain <= deadline && total < best) {
                  best = total;
                }
              } else if (p + gain >= nextLo && total < next[to][pays - paid][p + gain]) {
                next[to][pays - paid][p + gain] = total;
              }
            }
          }
        }
      }
      double[][][] swap = cost;
      cost = next;
      next = swap;
      lo = nextLo;
      hi = nextHi;
      if (lo > hi) {
        break;
      }
    }
    return new SingleJobOutcome("optimum", best, Double.NaN, best < INF, Double.NaN, Double.NaN, 0);
  }

  private static void fill(double[][][] cost, int from, int to) {
    for (double[][] mode : cost) {
      for (double[] row : mode) {
        if (from <= to) {
          Arrays.fill(row, from, to + 1, INF);
        }
      }
    }
  }
}
