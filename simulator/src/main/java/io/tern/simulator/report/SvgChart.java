package io.tern.simulator.report;

import java.util.List;
import java.util.Locale;

/**
 * Inline SVG charts for the HTML report: no scripts, no external resources, so the report opens
 * offline. Long series are down-sampled to at most {@value #MAX_POINTS} points.
 */
final class SvgChart {
  static final int MAX_POINTS = 400;
  private static final int WIDTH = 720;
  private static final int HEIGHT = 260;
  private static final int LEFT = 70;
  private static final int RIGHT = 150;
  private static final int TOP = 20;
  private static final int BOTTOM = 40;
  static final List<String> COLORS =
      List.of("#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#b07aa1", "#76b7b2", "#edc948");

  /** Series with at most this many points get a marker on each. */
  private static final int MARKED_POINTS = 12;

  private SvgChart() {}

  /** A line chart; series are drawn over x = bucket index × {@code xStep}. */
  static String lines(
      String yLabel, String xLabel, double xStep, List<String> names, List<List<Double>> series) {
    int length = series.stream().mapToInt(List::size).max().orElse(0);
    double yMax = 0;
    for (List<Double> s : series) {
      for (double v : s) {
        yMax = Math.max(yMax, v);
      }
    }
    Scale ys = Scale.of(0, yMax);
    yMax = ys.max();
    Scale xs = Scale.of(0, Math.max(1, length) * xStep);
    double xMax = xs.max();
    StringBuilder svg = frame(yLabel, xLabel, ys, xs);
    int plotW = WIDTH - LEFT - RIGHT;
    int plotH = HEIGHT - TOP - BOTTOM;
    for (int i = 0; i < series.size(); i++) {
      List<Double> s = series.get(i);
      int step = Math.max(1, (s.size() + MAX_POINTS - 1) / MAX_POINTS);
      StringBuilder points = new StringBuilder();
      for (int k = 0; k < s.size(); k += step) {
        double x = LEFT + plotW * ((k + 1) * xStep) / xMax;
        double y = TOP + plotH * (1 - s.get(k) / yMax);
        points.append(fmt(x)).append(',').append(fmt(y)).append(' ');
      }
      String color = COLORS.get(i % COLORS.size());
      svg.append("<polyline fill=\"none\" stroke-width=\"1.8\" stroke=\"")
          .append(color)
          .append("\" points=\"")
          .append(points.toString().trim())
          .append("\"/>\n");
      if (s.size() <= MARKED_POINTS) {
        // Few points (a run shorter than a few buckets): a line of one point draws nothing, so
        // mark each point.
        for (String point : points.toString().trim().split(" ")) {
          if (point.isEmpty()) {
            continue;
          }
          String[] xy = point.split(",");
          svg.append("<circle r=\"3\" fill=\"")
              .append(color)
              .append("\" cx=\"")
              .append(xy[0])
              .append("\" cy=\"")
              .append(xy[1])
              .append("\"/>\n");
        }
      }
      legend(svg, i, names.get(i), color);
    }
    return svg.append("</svg>\n").toString();
  }

  /**
   * A bar chart of one value per name, from a zero line: a negative value (a policy dearer than the
   * baseline) is a bar below it.
   */
  static String bars(String yLabel, List<String> names, List<Double> values) {
    double min = 0;
    double max = 0;
    for (double v : values) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    Scale y = Scale.of(min, max);
    StringBuilder svg = frame(yLabel, "", y, null);
    int plotW = WIDTH - LEFT - RIGHT;
    int plotH = HEIGHT - TOP - BOTTOM;
    double zero = TOP + plotH * (1 - (0 - y.min()) / (y.max() - y.min()));
    double slot = (double) plotW / Math.max(1, names.size());
    for (int i = 0; i < names.size(); i++) {
      double v = values.get(i);
      double h = plotH * Math.abs(v) / (y.max() - y.min());
      double x = LEFT + slot * i + slot * 0.15;
      svg.append(
          String.format(
              Locale.ROOT,
              "<rect x=\"%s\" y=\"%s\" width=\"%s\" height=\"%s\" fill=\"%s\"/>\n",
              fmt(x),
              fmt(v >= 0 ? zero - h : zero),
              fmt(slot * 0.7),
              fmt(h),
              COLORS.get(i % COLORS.size())));
      svg.append(
          String.format(
              Locale.ROOT,
              "<text x=\"%s\" y=\"%s\" font-size=\"11\" text-anchor=\"middle\">%s</text>\n",
              fmt(x + slot * 0.35),
              fmt(v >= 0 ? zero - h - 4 : zero + h + 12),
              String.format(Locale.ROOT, "%.1f", v)));
      svg.append(
          String.format(
              Locale.ROOT,
              "<text x=\"%s\" y=\"%d\" font-size=\"11\" text-anchor=\"middle\">%s</text>\n",
              fmt(x + slot * 0.35),
              HEIGHT - BOTTOM + 16,
              HtmlReport.escape(names.get(i))));
    }
    return svg.append("</svg>\n").toString();
  }

  /**
   * An axis from {@code min} to {@code max} that covers the data with round ticks: 4 to 5 steps of
   * 1, 2, 2.5 or 5 times a power of ten.
   */
  record Scale(double min, double max, double step) {
    static Scale of(double low, double high) {
      if (!(high > low)) {
        high = low + 1;
      }
      double raw = (high - low) / 4;
      double power = Math.pow(10, Math.floor(Math.log10(raw)));
      double step = power * 10;
      for (double m : new double[] {1, 2, 2.5, 5, 10}) {
        if (power * m >= raw) {
          step = power * m;
          break;
        }
      }
      return new Scale(Math.floor(low / step) * step, Math.ceil(high / step) * step, step);
    }

    /** The tick values, min to max. */
    List<Double> ticks() {
      List<Double> ticks = new java.util.ArrayList<>();
      long n = Math.round((max - min) / step);
      for (long i = 0; i <= n; i++) {
        ticks.add(min + i * step);
      }
      return ticks;
    }

    /** A tick's label: as many decimals as the step needs. */
    String label(double v) {
      if (Math.abs(v) >= 10_000 && step >= 1000) {
        return compact(v);
      }
      int decimals = step >= 1 ? 0 : (int) Math.ceil(-Math.log10(step) - 1e-9);
      if (step * Math.pow(10, decimals) % 1 > 1e-9) {
        decimals++; // 2.5, 0.25
      }
      return String.format(Locale.ROOT, "%." + decimals + "f", Math.abs(v) < 1e-12 ? 0.0 : v);
    }
  }

  private static StringBuilder frame(String yLabel, String xLabel, Scale y, Scale x) {
    StringBuilder svg = new StringBuilder();
    svg.append(
        String.format(
            Locale.ROOT,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\">\n",
            WIDTH,
            HEIGHT,
            WIDTH,
            HEIGHT));
    int plotW = WIDTH - LEFT - RIGHT;
    int plotH = HEIGHT - TOP - BOTTOM;
    svg.append(
        String.format(
            Locale.ROOT,
            "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#fafafa\" stroke=\"#ccc\"/>\n",
            LEFT,
            TOP,
            plotW,
            plotH));
    for (double value : y.ticks()) {
      double at = TOP + plotH * (1 - (value - y.min()) / (y.max() - y.min()));
      svg.append(
          String.format(
              Locale.ROOT,
              "<line x1=\"%d\" x2=\"%d\" y1=\"%s\" y2=\"%s\" stroke=\"%s\"/>"
                  + "<text x=\"%d\" y=\"%s\" font-size=\"10\" text-anchor=\"end\">%s</text>\n",
              LEFT,
              LEFT + plotW,
              fmt(at),
              fmt(at),
              Math.abs(value) < 1e-12 && y.min() < 0 ? "#888" : "#e3e3e3",
              LEFT - 4,
              fmt(at + 3),
              y.label(value)));
    }
    if (x != null) {
      for (double value : x.ticks()) {
        double at = LEFT + plotW * (value - x.min()) / (x.max() - x.min());
        svg.append(
            String.format(
                Locale.ROOT,
                "<text x=\"%s\" y=\"%d\" font-size=\"10\" text-anchor=\"middle\">%s</text>\n",
                fmt(at),
                TOP + plotH + 14,
                x.label(value)));
      }
      svg.append(
          String.format(
              Locale.ROOT,
              "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"middle\">%s</text>\n",
              LEFT + plotW / 2,
              HEIGHT - 6,
              HtmlReport.escape(xLabel)));
    }
    svg.append(
        String.format(
            Locale.ROOT,
            "<text x=\"14\" y=\"%d\" font-size=\"11\" transform=\"rotate(-90 14 %d)\" "
                + "text-anchor=\"middle\">%s</text>\n",
            TOP + plotH / 2,
            TOP + plotH / 2,
            HtmlReport.escape(yLabel)));
    return svg;
  }

  private static void legend(StringBuilder svg, int i, String name, String color) {
    int x = WIDTH - RIGHT + 10;
    int y = TOP + 14 + i * 16;
    svg.append(
        String.format(
            Locale.ROOT,
            "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" fill=\"%s\"/>"
                + "<text x=\"%d\" y=\"%d\" font-size=\"11\">%s</text>\n",
            x,
            y - 9,
            color,
            x + 14,
            y,
            HtmlReport.escape(name)));
  }

  private static String compact(double v) {
    if (Math.abs(v) >= 1_000_000) {
      return String.format(Locale.ROOT, "%.1fM", v / 1_000_000);
    }
    if (Math.abs(v) >= 10_000) {
      return String.format(Locale.ROOT, "%.0fk", v / 1_000);
    }
    if (Math.abs(v) >= 100) {
      return String.format(Locale.ROOT, "%.0f", v);
    }
    return String.format(Locale.ROOT, "%.2f", v);
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, "%.1f", v);
  }
}
