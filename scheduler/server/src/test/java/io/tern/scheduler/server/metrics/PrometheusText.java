package io.tern.scheduler.server.metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict parser of the Prometheus text exposition format (version 0.0.4), for tests: every line
 * is a HELP, a TYPE or a sample; every sample belongs to a family declared by a TYPE line before it
 * (with the suffixes its type allows); names, label names, escapes and values are checked. Anything
 * else is an error naming the line.
 */
final class PrometheusText {
  private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
  private static final Pattern LABEL =
      Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\\\n]|\\\\[\\\\\"n])*)\"");
  private static final Pattern SAMPLE =
      Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)\\})? (\\S+)( -?[0-9]+)?");

  /** One family: its type, help and samples. */
  record Family(String name, String type, String help, List<Sample> samples) {}

  /** One sample: the full series name (with any suffix), its labels and value. */
  record Sample(String name, Map<String, String> labels, double value) {}

  private PrometheusText() {}

  static Map<String, Family> parse(String text) {
    Map<String, Family> families = new LinkedHashMap<>();
    Map<String, String> helps = new TreeMap<>();
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      String where = "line " + (i + 1) + " '" + line + "': ";
      if (line.isEmpty()) {
        if (i != lines.length - 1) {
          throw new IllegalArgumentException(where + "empty line inside the exposition");
        }
        continue;
      }
      if (line.startsWith("# HELP ")) {
        String[] parts = line.substring(7).split(" ", 2);
        requireName(parts[0], where);
        helps.put(parts[0], parts.length > 1 ? parts[1] : "");
      } else if (line.startsWith("# TYPE ")) {
        String[] parts = line.substring(7).split(" ");
        if (parts.length != 2
            || !List.of("counter", "gauge", "histogram", "summary", "untyped", "info", "stateset")
                .contains(parts[1])) {
          throw new IllegalArgumentException(where + "malformed TYPE");
        }
        requireName(parts[0], where);
        if (families.containsKey(parts[0])) {
          throw new IllegalArgumentException(where + "family declared twice");
        }
        families.put(
            parts[0], new Family(parts[0], parts[1], helps.get(parts[0]), new ArrayList<>()));
      } else if (line.startsWith("#")) {
        continue; // a comment
      } else {
        Matcher m = SAMPLE.matcher(line);
        if (!m.matches()) {
          throw new IllegalArgumentException(where + "not a sample");
        }
        Map<String, String> labels = labels(m.group(3), where);
        double value = value(m.group(4), where);
        Family family = familyOf(m.group(1), families, where);
        family.samples().add(new Sample(m.group(1), labels, value));
      }
    }
    return families;
  }

  private static void requireName(String name, String where) {
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(where + "not a metric name: " + name);
    }
  }

  private static Family familyOf(String series, Map<String, Family> families, String where) {
    Family exact = families.get(series);
    if (exact != null && !exact.type().equals("counter") && !exact.type().equals("histogram")) {
      return exact;
    }
    for (String suffix : List.of("_total", "_created", "_bucket", "_count", "_sum", "_info")) {
      if (series.endsWith(suffix)) {
        Family family = families.get(series.substring(0, series.length() - suffix.length()));
        if (family != null && allows(family.type(), suffix)) {
          return family;
        }
      }
    }
    if (exact != null) {
      return exact;
    }
    throw new IllegalArgumentException(where + "no TYPE declared for " + series);
  }

  private static boolean allows(String type, String suffix) {
    return switch (type) {
      case "counter" -> suffix.equals("_total") || suffix.equals("_created");
      case "histogram" -> List.of("_bucket", "_count", "_sum", "_created").contains(suffix);
      case "summary" -> List.of("_count", "_sum", "_created").contains(suffix);
      case "info" -> suffix.equals("_info");
      default -> false;
    };
  }

  private static Map<String, String> labels(String text, String where) {
    Map<String, String> labels = new TreeMap<>();
    if (text == null || text.isEmpty()) {
      return labels;
    }
    Matcher m = LABEL.matcher(text);
    int at = 0;
    while (at < text.length()) {
      if (!m.find(at) || m.start() != at) {
        throw new IllegalArgumentException(where + "malformed labels at " + text.substring(at));
      }
      if (labels.put(m.group(1), m.group(2)) != null) {
        throw new IllegalArgumentException(where + "label " + m.group(1) + " twice");
      }
      at = m.end();
      if (at < text.length()) {
        if (text.charAt(at) != ',') {
          throw new IllegalArgumentException(where + "expected ',' between labels");
        }
        at++;
      }
    }
    return labels;
  }

  private static double value(String text, String where) {
    return switch (text) {
      case "+Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      case "NaN" -> Double.NaN;
      default -> {
        try {
          yield Double.parseDouble(text);
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException(where + "not a value: " + text);
        }
      }
    };
  }
}
