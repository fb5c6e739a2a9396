package io.tern.simulator.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/**
 * A self-contained HTML report of a simulation: summary table, savings by policy, cost over time,
 * queue length and utilization charts (inline SVG), per-team table, and every mapping and model
 * assumption. It references nothing outside the file, so it opens offline. Deterministic: equal
 * summaries give equal bytes.
 */
public final class HtmlReport {
  private HtmlReport() {}

  /** Writes the report for {@code summary} to {@code file}. */
  public static void write(SimulationSummary summary, Path file) {
    write(summary, null, file);
  }

  /** Writes the report, with a Can't Be Late section when {@code cantBeLate} is not null. */
  public static void write(SimulationSummary summary, CantBeLateReport cantBeLate, Path file) {
    try {
      Files.writeString(file, render(summary, cantBeLate), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  /** The HTML text. */
  public static String render(SimulationSummary summary, CantBeLateReport cantBeLate) {
    StringBuilder html = new StringBuilder();
    html.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n")
        .append("<title>Tern simulation report</title>\n<style>\n")
        .append("body{font-family:sans-serif;margin:2em;max-width:1100px;color:#222}\n")
        .append("table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;")
        .append("padding:4px 8px;text-align:right}th{background:#f0f0f0}")
        .append("td:first-child,th:first-child{text-align:left}\n")
        .append("h2{margin-top:1.6em;border-bottom:1px solid #ddd}.note{color:#555}\n")
        .append("</style></head><body>\n");
    html.append("<h1>Tern simulation report</h1>\n<p>")
        .append(escape(summary.jobsFile()))
        .append(" (")
        .append(escape(summary.format()))
        .append("): ")
        .append(summary.jobs())
        .append(" jobs over ")
        .append(span(summary.traceSpanHours()))
        .append(" on ")
        .append(summary.nodes())
        .append(" nodes / ")
        .append(summary.gpus())
        .append(" GPUs; spot availability: ")
        .append(escape(summary.spotSource()))
        .append("; seed ")
        .append(summary.seed())
        .append(".</p>\n");
    policyTable(html, summary);
    charts(html, summary);
    teamTable(html, summary);
    if (cantBeLate != null) {
      cantBeLateSection(html, cantBeLate);
    }
    list(html, "How the trace was mapped", summary.mappingNotes());
    list(html, "How the cloud and cluster are modelled", summary.modelNotes());
    list(html, "Prices", summary.prices());
    html.append("</body></html>\n");
    return html.toString();
  }

  private static void policyTable(StringBuilder html, SimulationSummary summary) {
    html.append("<h2>Policies side by side</h2>\n<table><tr><th>policy</th><th>cost $</th>")
        .append("<th>spot $</th><th>on-demand $</th><th>spot share of GPU-h</th>")
        .append("<th>savings vs on-demand</th><th>finished</th><th>unfinished</th>")
        .append("<th>deadline misses</th><th>JCT p50/p95/p99 h</th><th>queue wait p50/p95 h</th>")
        .append("<th>GPU-h lost</th><th>reclaims (jobs hit)</th><th>utilization</th></tr>\n");
    for (PolicyResult p : summary.policies()) {
      html.append("<tr><td title=\"")
          .append(escape(p.description()))
          .append("\">")
          .append(escape(p.policy()))
          .append("</td>")
          .append(cell("%.2f", p.costUsd()))
          .append(cell("%.2f", p.spotCostUsd()))
          .append(cell("%.2f", p.onDemandCostUsd()))
          .append(cell("%.1f%%", 100 * p.spotShareOfGpuHours()))
          .append(cell("%s (%.1f%%)", usd(p.savingsVsOnDemandUsd()), p.savingsVsOnDemandPercent()))
          .append(cell("%d", p.jobsFinished()))
          .append(cell("%d", p.jobsUnfinished()))
          .append(cell("%d / %d", p.deadlineMisses(), p.deadlineJobs()))
          .append(
              cell(
                  "%.2f / %.2f / %.2f", p.jctHours().p50(), p.jctHours().p95(), p.jctHours().p99()))
          .append(cell("%.2f / %.2f", p.queueWaitHours().p50(), p.queueWaitHours().p95()))
          .append(cell("%.1f", p.gpuHoursLostToPreemption()))
          .append(cell("%d", p.reclaims()))
          .append(cell("%.1f%%", 100 * p.utilization()))
          .append("</tr>\n");
    }
    html.append("</table>\n<ul class=\"note\">\n");
    for (PolicyResult p : summary.policies()) {
      html.append("<li><b>")
          .append(escape(p.policy()))
          .append("</b>: ")
          .append(escape(p.description()))
          .append("</li>\n");
    }
    html.append("</ul>\n");
    savingsSplitTable(html, summary);
    gpuModelTable(html, summary);
  }

  private static void savingsSplitTable(StringBuilder html, SimulationSummary summary) {
    html.append("<h2>Where the saving comes from</h2>\n")
        .append("<p class=\"note\">Against the on-demand baseline; the three parts add up to the")
        .append(" saving. From spot prices: the policy's GPU time priced on-demand on the same")
        .append(" GPU models, minus what it cost. From GPU models: the baseline's useful GPU time")
        .append(" minus the policy's, both priced on-demand (work run on other models, or left")
        .append(" unfinished). From lost work: the baseline's lost work and checkpoint overhead")
        .append(" minus the policy's, priced on-demand.</p>\n")
        .append("<table><tr><th>policy</th><th>saved $</th><th>from spot prices $</th>")
        .append("<th>from GPU models $</th><th>from lost work $</th></tr>\n");
    for (PolicyResult p : summary.policies()) {
      SavingsSplit split = p.savingsSplit();
      html.append("<tr><td>")
          .append(escape(p.policy()))
          .append("</td>")
          .append(cell("%.2f", p.savingsVsOnDemandUsd()))
          .append(cell("%.2f", split.fromSpotPricesUsd()))
          .append(cell("%.2f", split.fromGpuModelsUsd()))
          .append(cell("%.2f", split.fromLostWorkUsd()))
          .append("</tr>\n");
    }
    html.append("</table>\n");
  }

  private static void gpuModelTable(StringBuilder html, SimulationSummary summary) {
    TreeSet<String> models = new TreeSet<>();
    summary.policies().forEach(p -> models.addAll(p.gpuModels().keySet()));
    html.append("<h2>GPU models</h2>\n<table><tr><th>GPU model</th>");
    for (PolicyResult p : summary.policies()) {
      html.append("<th>")
          .append(escape(p.policy()))
          .append(": spot GPU-h / on-demand GPU-h / $</th>");
    }
    html.append("</tr>\n");
    for (String model : models) {
      html.append("<tr><td>").append(escape(model)).append("</td>");
      for (PolicyResult p : summary.policies()) {
        GpuModelUsage u = p.gpuModels().get(model);
        html.append(
            u == null
                ? "<td></td>"
                : cell(
                    "%.1f / %.1f / %.2f",
                    u.spotGpuHours(), u.onDemandGpuHours(), u.spotUsd() + u.onDemandUsd()));
      }
      html.append("</tr>\n");
    }
    html.append("</table>\n");
  }

  private static void charts(StringBuilder html, SimulationSummary summary) {
    List<String> names = new ArrayList<>();
    List<List<Double>> cost = new ArrayList<>();
    List<List<Double>> queue = new ArrayList<>();
    List<List<Double>> utilization = new ArrayList<>();
    List<Double> savings = new ArrayList<>();
    double bucket = 1;
    for (PolicyResult p : summary.policies()) {
      names.add(p.policy());
      cost.add(p.series().cumulativeCostUsd());
      queue.add(p.series().queueLength().stream().map(Integer::doubleValue).toList());
      utilization.add(p.series().utilization().stream().map(u -> 100 * u).toList());
      savings.add(p.savingsVsOnDemandPercent());
      bucket = p.series().bucketHours();
    }
    html.append("<h2>Savings by policy</h2>\n")
        .append(SvgChart.bars("% saved vs on-demand", names, savings))
        .append("<h2>Cost over time</h2>\n")
        .append(SvgChart.lines("cumulative cost $", "hours", bucket, names, cost))
        .append("<h2>Queue length</h2>\n")
        .append(SvgChart.lines("jobs waiting", "hours", bucket, names, queue))
        .append("<h2>Utilization</h2>\n")
        .append(SvgChart.lines("% of GPUs allocated", "hours", bucket, names, utilization));
  }

  private static void teamTable(StringBuilder html, SimulationSummary summary) {
    TreeSet<String> teams = new TreeSet<>();
    summary.policies().forEach(p -> teams.addAll(p.teams().keySet()));
    html.append("<h2>Per team</h2>\n<table><tr><th>team</th>");
    for (PolicyResult p : summary.policies()) {
      html.append("<th>").append(escape(p.policy())).append(": cost $ / misses / JCT p50 h</th>");
    }
    html.append("</tr>\n");
    for (String team : teams) {
      html.append("<tr><td>").append(escape(team)).append("</td>");
      for (PolicyResult p : summary.policies()) {
        TeamResult t = p.teams().get(team);
        html.append(
            t == null
                ? "<td></td>"
                : cell("%.2f / %d / %.2f", t.costUsd(), t.deadlineMisses(), t.jctP50Hours()));
      }
      html.append("</tr>\n");
    }
    html.append("</table>\n");
  }

  private static void cantBeLateSection(StringBuilder html, CantBeLateReport report) {
    CantBeLateReport.Setting setting = report.setting();
    html.append("<h2>Can't Be Late: one ")
        .append(
            String.format(
                Locale.ROOT,
                "%.0f h job, %.0f h deadline",
                setting.jobHours(),
                setting.deadlineHours()))
        .append("</h2>\n<table><tr><th>trace</th><th>starts</th>");
    for (String policy : CantBeLateReport.POLICIES) {
      html.append("<th>").append(escape(policy)).append(" cost ÷ on-demand</th>");
    }
    html.append("</tr>\n");
    for (CantBeLateReport.TraceResult row : report.traces()) {
      html.append("<tr><td>").append(escape(row.trace())).append("</td>");
      html.append(cell("%d", row.starts()));
      for (String policy : CantBeLateReport.POLICIES) {
        CantBeLateReport.PolicyStats s = row.policies().get(policy);
        html.append(
            cell(
                "%.3f%s",
                s.meanCostRatio(),
                s.deadlineMisses() == 0 ? "" : " (" + s.deadlineMisses() + " missed)"));
      }
      html.append("</tr>\n");
    }
    html.append("</table>\n");
  }

  private static void list(StringBuilder html, String title, List<String> lines) {
    html.append("<h2>").append(escape(title)).append("</h2>\n<ul class=\"note\">\n");
    for (String line : lines) {
      html.append("<li>").append(escape(line)).append("</li>\n");
    }
    html.append("</ul>\n");
  }

  /** Dollars as people write them: {@code $1,234.50}, {@code -$3,243.65}. */
  static String usd(double v) {
    String amount = String.format(Locale.ROOT, "$%,.2f", Math.abs(v));
    return v < 0 && !amount.equals("$0.00") ? "-" + amount : amount;
  }

  /** A trace's length in the unit that reads best: hours, else minutes, else seconds. */
  static String span(double hours) {
    if (hours >= 1) {
      return String.format(Locale.ROOT, "%.1f h", hours);
    }
    return hours * 60 >= 1
        ? String.format(Locale.ROOT, "%.1f min", hours * 60)
        : String.format(Locale.ROOT, "%.0f s", hours * 3600);
  }

  private static String cell(String format, Object... args) {
    return "<td>" + escape(String.format(Locale.ROOT, format, args)) + "</td>";
  }

  /** HTML-escapes text. */
  static String escape(String text) {
    if (text == null) {
      return "";
    }
    StringBuilder out = new StringBuilder(text.length());
    for (char c : text.toCharArray()) {
      switch (c) {
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '&' -> out.append("&amp;");
        case '"' -> out.append("&quot;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }
}
