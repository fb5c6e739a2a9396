package io.tern.scheduler.spec;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Typed reads from a composed YAML tree that record what is wrong, with the key path and line,
 * instead of throwing: one pass over a spec reports every error, not just the first.
 *
 * <p>Each read returns empty when the value is absent, null or of the wrong type (the last with an
 * error recorded). Not thread-safe; one instance per document.
 */
final class YamlReader {
  /** No number in a spec needs more; longer digit strings are slow to convert. */
  private static final int MAX_NUMBER_CHARS = 64;

  private final List<SpecError> errors = new ArrayList<>();
  private final Map<String, Integer> lines = new HashMap<>();

  List<SpecError> errors() {
    return errors;
  }

  /** The line where {@code field} (or its closest parent) was written; 0 if unknown. */
  int lineOf(String field) {
    String path = field;
    while (true) {
      Integer line = lines.get(path);
      if (line != null) {
        return line;
      }
      int cut = Math.max(path.lastIndexOf('.'), path.lastIndexOf('['));
      if (cut <= 0) {
        return 0;
      }
      path = path.substring(0, cut);
    }
  }

  void error(String field, Node at, String message) {
    errors.add(new SpecError(field, line(at), message));
  }

  /**
   * The entries of a mapping, keyed by their text, after checking every key is one of {@code
   * allowed} and appears once.
   */
  Map<String, Node> mapping(String field, Node node, Set<String> allowed) {
    if (!(node instanceof MappingNode mapping)) {
      error(field, node, "expected a mapping of keys to values, got " + describe(node));
      return Map.of();
    }
    Map<String, Node> entries = new LinkedHashMap<>();
    for (NodeTuple tuple : mapping.getValue()) {
      Node keyNode = tuple.getKeyNode();
      if (!(keyNode instanceof ScalarNode key)) {
        error(field, keyNode, "keys must be plain words, got " + describe(keyNode));
        continue;
      }
      String name = SpecLimits.echo(key.getValue());
      String path = field.isEmpty() ? name : field + "." + name;
      lines.put(path, line(keyNode));
      if (allowed != null && !allowed.contains(key.getValue())) {
        error(path, keyNode, "unknown key" + suggestion(key.getValue(), allowed));
      } else if (entries.containsKey(key.getValue())) {
        error(path, keyNode, "appears more than once");
      } else {
        entries.put(key.getValue(), tuple.getValueNode());
      }
    }
    return entries;
  }

  Optional<String> string(String field, Node node) {
    if (isNull(node)) {
      return Optional.empty();
    }
    if (node instanceof ScalarNode scalar && scalar.getTag().equals(Tag.STR)) {
      return Optional.of(scalar.getValue());
    }
    error(field, node, "expected text, got " + describe(node));
    return Optional.empty();
  }

  /** A scalar of any type, as written: for env values, where {@code PORT: 8080} means "8080". */
  Optional<String> scalarText(String field, Node node) {
    if (node instanceof ScalarNode scalar && scalar.getTag().equals(Tag.BINARY)) {
      error(field, node, "expected text, got !!binary data");
      return Optional.empty();
    }
    if (node instanceof ScalarNode scalar && !scalar.getTag().equals(Tag.NULL)) {
      return Optional.of(scalar.getValue());
    }
    error(field, node, "expected a single value, got " + describe(node));
    return Optional.empty();
  }

  Optional<Long> integer(String field, Node node) {
    if (isNull(node)) {
      return Optional.empty();
    }
    if (node instanceof ScalarNode scalar && scalar.getTag().equals(Tag.INT)) {
      try {
        if (scalar.getValue().length() > MAX_NUMBER_CHARS) {
          throw new NumberFormatException("too long");
        }
        return Optional.of(new BigInteger(scalar.getValue().replace("_", "")).longValueExact());
      } catch (ArithmeticException | NumberFormatException e) {
        error(field, node, "is not a whole number in range: " + SpecLimits.echo(scalar.getValue()));
        return Optional.empty();
      }
    }
    error(field, node, "expected a whole number, got " + describe(node));
    return Optional.empty();
  }

  Optional<Double> number(String field, Node node) {
    if (isNull(node)) {
      return Optional.empty();
    }
    if (node instanceof ScalarNode scalar
        && (scalar.getTag().equals(Tag.INT) || scalar.getTag().equals(Tag.FLOAT))) {
      try {
        if (scalar.getValue().length() > MAX_NUMBER_CHARS) {
          throw new NumberFormatException("too long");
        }
        return Optional.of(new BigDecimal(scalar.getValue().replace("_", "")).doubleValue());
      } catch (NumberFormatException e) {
        error(field, node, "is not a plain number: " + SpecLimits.echo(scalar.getValue()));
        return Optional.empty();
      }
    }
    error(field, node, "expected a number, got " + describe(node));
    return Optional.empty();
  }

  Optional<Boolean> bool(String field, Node node) {
    if (isNull(node)) {
      return Optional.empty();
    }
    if (node instanceof ScalarNode scalar && scalar.getTag().equals(Tag.BOOL)) {
      return Optional.of(Boolean.parseBoolean(scalar.getValue().toLowerCase(Locale.ROOT)));
    }
    error(field, node, "expected true or false, got " + describe(node));
    return Optional.empty();
  }

  Optional<Instant> timestamp(String field, Node node) {
    if (isNull(node)) {
      return Optional.empty();
    }
    if (node instanceof ScalarNode scalar
        && (scalar.getTag().equals(Tag.STR) || scalar.getTag().equals(Tag.TIMESTAMP))) {
      try {
        return Optional.of(OffsetDateTime.parse(scalar.getValue()).toInstant());
      } catch (DateTimeParseException e) {
        error(
            field,
            node,
            "expected a time with its offset like 2026-12-01T08:00:00Z, got \""
                + SpecLimits.echo(scalar.getValue())
                + "\"");
        return Optional.empty();
      }
    }
    error(field, node, "expected a time like 2026-12-01T08:00:00Z, got " + describe(node));
    return Optional.empty();
  }

  /** The elements of a sequence; a single scalar is an error (argv is never a shell string). */
  List<Node> sequence(String field, Node node, String hint) {
    if (isNull(node)) {
      return List.of();
    }
    if (node instanceof SequenceNode sequence) {
      List<Node> items = sequence.getValue();
      for (int i = 0; i < items.size(); i++) {
        lines.put(field + "[" + i + "]", line(items.get(i)));
      }
      return items;
    }
    error(field, node, "expected a list" + hint + ", got " + describe(node));
    return List.of();
  }

  static boolean isNull(Node node) {
    return node instanceof ScalarNode scalar && scalar.getTag().equals(Tag.NULL);
  }

  private static int line(Node node) {
    return node.getStartMark() == null ? 0 : node.getStartMark().getLine() + 1;
  }

  private static String describe(Node node) {
    if (node instanceof MappingNode) {
      return "a mapping";
    }
    if (node instanceof SequenceNode) {
      return "a list";
    }
    ScalarNode scalar = (ScalarNode) node;
    String kind =
        switch (scalar.getTag().getValue()) {
          case Tag.PREFIX + "int" -> "the number";
          case Tag.PREFIX + "float" -> "the number";
          case Tag.PREFIX + "bool" -> "the boolean";
          case Tag.PREFIX + "null" -> "nothing";
          default -> "the text";
        };
    return scalar.getTag().equals(Tag.NULL)
        ? kind
        : kind + " \"" + SpecLimits.echo(scalar.getValue()) + "\"";
  }

  /** ", did you mean 'resources'?" for a key one or two edits away from an allowed one. */
  private static String suggestion(String key, Set<String> allowed) {
    if (key.length() > SpecLimits.MAX_ECHO_CHARS) {
      return " (allowed: " + String.join(", ", allowed.stream().sorted().toList()) + ")";
    }
    String lower = key.toLowerCase(Locale.ROOT);
    return allowed.stream()
        .filter(candidate -> editDistance(lower, candidate.toLowerCase(Locale.ROOT)) <= 2)
        .min(
            Comparator.comparingInt(
                    (String candidate) -> editDistance(lower, candidate.toLowerCase(Locale.ROOT)))
                .thenComparing(
                    candidate -> -commonPrefix(lower, candidate.toLowerCase(Locale.ROOT)))
                .thenComparing(Comparator.naturalOrder()))
        .map(candidate -> " (did you mean '" + candidate + "'?)")
        .orElse(" (allowed: " + String.join(", ", allowed.stream().sorted().toList()) + ")");
  }

  private static int commonPrefix(String a, String b) {
    int n = 0;
    while (n < a.length() && n < b.length() && a.charAt(n) == b.charAt(n)) {
      n++;
    }
    return n;
  }

  private static int editDistance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitute = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitute, Math.min(previous[j], current[j - 1]) + 1);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }
}
