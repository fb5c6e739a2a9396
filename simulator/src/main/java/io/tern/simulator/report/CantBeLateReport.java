package io.tern.simulator.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Results of the Can't Be Late single-job study: for each spot trace, each policy's cost relative
 * to running on on-demand throughout (mean over the start points), and its deadline misses.
 *
 * @param jobHours work of the job
 * @param deadlineHours deadline from the start
 * @param restartOverheadHours restart overhead
 * @param startSpacingHours spacing of the start points within each trace
 * @param policies policy names in column order ({@code optimum} last)
 * @param rows one row per trace
 * @param notes modelling notes for readers
 */
public record CantBeLateReport(
    double jobHours,
    double deadlineHours,
    double restartOverheadHours,
    double startSpacingHours,
    List<String> policies,
    List<Row> rows,
    List<String> notes) {

  /**
   * One trace.
   *
   * @param trace pool name
   * @param availability fraction of slots with spot capacity
   * @param onDemandPerHour instance on-demand price
   * @param spotPerHour instance spot price
   * @param runs start points simulated
   * @param cells per policy, in {@code policies} order
   */
  public record Row(
      String trace,
      double availability,
      double onDemandPerHour,
      double spotPerHour,
      int runs,
      Map<String, Cell> cells) {}

  /**
   * One policy on one trace.
   *
   * @param costRelativeToOnDemand mean cost / on-demand cost
   * @param deadlinesMissed start points whose deadline was missed
   */
  public record Cell(double costRelativeToOnDemand, int deadlinesMissed) {}

  /** A plain-text table for terminals. */
  public String toTable() {
    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT, "%-40s %5s", "trace", "avail"));
    for (String policy : policies) {
      out.append(String.format(Locale.ROOT, " %17s", policy));
    }
    out.append('\n');
    for (Row row : rows) {
      out.append(String.format(Locale.ROOT, "%-40s %5.2f", row.trace(), row.availability()));
      for (String policy : policies) {
        Cell cell = row.cells().get(policy);
        out.append(
            String.format(
                Locale.ROOT,
                " %8.3f %8s",
                cell.costRelativeToOnDemand(),
                cell.deadlinesMissed() == 0 ? "met" : cell.deadlinesMissed() + " miss"));
      }
      out.append('\n');
    }
    out.append(String.format(Locale.ROOT, "%-40s %5s", "mean", ""));
    for (String policy : policies) {
      out.append(String.format(Locale.ROOT, " %8.3f %8s", meanRelative(policy), ""));
    }
    return out.append('\n').toString();
  }

  /** Mean over traces of a policy's relative cost. */
  public double meanRelative(String policy) {
    return rows.stream()
        .mapToDouble(r -> r.cells().get(policy).costRelativeToOnDemand())
        .average()
        .orElse(Double.NaN);
  }

  /** Deadline misses of a policy over all traces and start points. */
  public int totalMisses(String policy) {
    return rows.stream().mapToInt(r -> r.cells().get(policy).deadlinesMissed()).sum();
  }

  /** A copy of the rows list, for callers that sort or filter. */
  public List<Row> rowList() {
    return new ArrayList<>(rows);
  }
}
