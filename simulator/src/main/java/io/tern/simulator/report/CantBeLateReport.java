package io.tern.simulator.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Results of the Can't Be Late single-job study: per spot trace and policy, the cost of each run
 * relative to running the whole job on on-demand (work plus one changeover), as mean, min and max
 * over the trace's start points, and the deadline misses; {@code overall} pools every run of every
 * trace. This record's JSON is the study's stable answer ({@code tern simulate --cant-be-late -o
 * json}).
 *
 * @param setting the job and how starts were spread
 * @param traces one entry per trace, sorted by name
 * @param overall per policy, over all runs of all traces
 */
public record CantBeLateReport(
    Setting setting, List<TraceResult> traces, Map<String, PolicyStats> overall) {

  /** Policies in table order: Tern, the baselines, the lower bound, the cost reference. */
  public static final List<String> POLICIES =
      List.of("tern", "greedy", "uniform-progress", "optimum", "on-demand");

  public CantBeLateReport {
    traces = List.copyOf(traces);
    overall = Map.copyOf(overall);
  }

  /**
   * @param jobHours work of the job
   * @param deadlineHours deadline from its start
   * @param changeoverHours restart overhead of every start on a new instance
   * @param startEveryHours spacing of the start points within a trace (0: one start per trace)
   */
  public record Setting(
      double jobHours, double deadlineHours, double changeoverHours, double startEveryHours) {}

  /**
   * @param trace the trace's name (its path under the directory, without {@code .txt})
   * @param starts start points run on it
   * @param policies per policy
   */
  public record TraceResult(String trace, int starts, Map<String, PolicyStats> policies) {
    public TraceResult {
      policies = Map.copyOf(policies);
    }
  }

  /**
   * @param meanCostRatio mean over runs of cost / cost of the whole job on on-demand
   * @param minCostRatio the cheapest run
   * @param maxCostRatio the dearest run
   * @param deadlineMisses runs that finished after the deadline
   */
  public record PolicyStats(
      double meanCostRatio, double minCostRatio, double maxCostRatio, int deadlineMisses) {}

  /** Hours as given, to four decimals at most: 48, 0.1, 0.0001, 1.5. */
  static String hours(double h) {
    return java.math.BigDecimal.valueOf(h)
        .setScale(4, java.math.RoundingMode.HALF_UP)
        .stripTrailingZeros()
        .toPlainString();
  }

  /** How the runs start: once per trace (0), or every so many hours. */
  private static String starts(double everyHours) {
    return everyHours == 0
        ? "one start per trace"
        : "a start every " + hours(everyHours) + " h of each trace";
  }

  /** A plain-text table for terminals: mean cost ratio and misses per trace and policy. */
  public String toTable() {
    StringBuilder out = new StringBuilder();
    out.append(
        String.format(
            Locale.ROOT,
            "%s h job, %s h deadline, %s h changeover, %s%n",
            hours(setting.jobHours()),
            hours(setting.deadlineHours()),
            hours(setting.changeoverHours()),
            starts(setting.startEveryHours())));
    out.append(String.format(Locale.ROOT, "%-36s %6s", "TRACE", "STARTS"));
    for (String policy : POLICIES) {
      out.append(String.format(Locale.ROOT, " %18s", policy.toUpperCase(Locale.ROOT)));
    }
    out.append('\n');
    for (TraceResult t : traces) {
      out.append(String.format(Locale.ROOT, "%-36s %6d", t.trace(), t.starts()));
      for (String policy : POLICIES) {
        out.append(cell(t.policies().get(policy)));
      }
      out.append('\n');
    }
    out.append(
        String.format(
            Locale.ROOT, "%-36s %6d", "overall", traces.stream().mapToInt(t -> t.starts()).sum()));
    for (String policy : POLICIES) {
      out.append(cell(overall.get(policy)));
    }
    out.append('\n');
    out.append(
        "cost / on-demand (mean over starts; misses in brackets). tern is the production core;"
            + " optimum is the offline lower bound.\n");
    return out.toString();
  }

  private static String cell(PolicyStats s) {
    String misses = s.deadlineMisses() == 0 ? "" : " (" + s.deadlineMisses() + " miss)";
    return String.format(
        Locale.ROOT, " %18s", String.format(Locale.ROOT, "%.3f", s.meanCostRatio()) + misses);
  }

  /**
   * A self-contained HTML page of the study: the setting, a chart of the overall means, the table.
   */
  public String toHtml() {
    StringBuilder h = new StringBuilder();
    h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
        .append("<title>Tern: the Can't Be Late study</title><style>")
        .append("body{font-family:system-ui,sans-serif;margin:2em;color:#222}")
        .append(
            "table{border-collapse:collapse}td,th{padding:4px 10px;border-bottom:1px solid #ddd;")
        .append(
            "text-align:right;white-space:nowrap}td:first-child,th:first-child{text-align:left}")
        .append(".miss{color:#b00}.bar{fill:#3b7dd8}.label{font-size:12px}</style></head><body>\n");
    h.append(
        String.format(
            Locale.ROOT,
            "<h1>One deadline job on spot: what each policy pays</h1>\n<p>A %s h job with a"
                + " %s h deadline and a %s h changeover, %s."
                + " Cost is relative to running the whole job on on-demand. <b>tern</b> is the"
                + " production scheduling core; <b>optimum</b> knows the whole trace in advance"
                + " (a lower bound).</p>\n",
            hours(setting.jobHours()),
            hours(setting.deadlineHours()),
            hours(setting.changeoverHours()),
            starts(setting.startEveryHours())));
    h.append("<p>Deadlines missed, of ")
        .append(traces.stream().mapToInt(t -> t.starts()).sum())
        .append(" runs each:");
    for (int i = 0; i < POLICIES.size(); i++) {
      int missed = overall.get(POLICIES.get(i)).deadlineMisses();
      h.append(i == 0 ? " " : ", ")
          .append(POLICIES.get(i))
          .append(' ')
          .append(missed == 0 ? "0" : "<span class=\"miss\">" + missed + "</span>");
    }
    h.append(".</p>\n");
    int width = 520;
    int row = 26;
    h.append("<svg width=\"")
        .append(width + 200)
        .append("\" height=\"")
        .append(POLICIES.size() * row + 10)
        .append("\" role=\"img\" aria-label=\"overall mean cost ratio per policy\">\n");
    for (int i = 0; i < POLICIES.size(); i++) {
      String p = POLICIES.get(i);
      double v = overall.get(p).meanCostRatio();
      int y = i * row + 5;
      h.append(
          String.format(
              Locale.ROOT,
              "<text class=\"label\" x=\"0\" y=\"%d\">%s</text><rect class=\"bar\" x=\"140\" y=\"%d\""
                  + " width=\"%.0f\" height=\"18\"/><text class=\"label\" x=\"%.0f\" y=\"%d\">%.3f</text>\n",
              y + 14,
              p,
              y,
              Math.max(1, v * width / 1.1),
              150 + v * width / 1.1,
              y + 14,
              v));
    }
    h.append("</svg>\n<table><tr><th>trace</th><th>starts</th>");
    for (String p : POLICIES) {
      h.append("<th>").append(p).append("<br>mean / min / max</th>");
    }
    h.append("</tr>\n");
    for (TraceResult t : traces) {
      h.append("<tr><td>").append(escape(t.trace())).append("</td><td>").append(t.starts());
      h.append("</td>");
      for (String p : POLICIES) {
        h.append(htmlCell(t.policies().get(p)));
      }
      h.append("</tr>\n");
    }
    h.append("<tr><th>overall</th><th>")
        .append(traces.stream().mapToInt(t -> t.starts()).sum())
        .append("</th>");
    for (String p : POLICIES) {
      h.append(htmlCell(overall.get(p)));
    }
    h.append("</tr></table>\n</body></html>\n");
    return h.toString();
  }

  private static String htmlCell(PolicyStats s) {
    return String.format(
        Locale.ROOT,
        "<td>%.3f / %.3f / %.3f%s</td>",
        s.meanCostRatio(),
        s.minCostRatio(),
        s.maxCostRatio(),
        s.deadlineMisses() == 0
            ? ""
            : " <span class=\"miss\">" + s.deadlineMisses() + " missed</span>");
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

  /** Writes {@link #toHtml()} to {@code file}. */
  public void writeHtml(Path file) {
    try {
      Files.writeString(file, toHtml(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  /** The overall mean cost ratio of a policy. */
  public double overallMean(String policy) {
    return overall.get(policy).meanCostRatio();
  }
}
