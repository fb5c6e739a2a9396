package io.tern.scheduler.spec;

import static org.assertj.core.api.Assertions.assertThat;

import io.tern.api.v1.JobSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * Whatever text arrives, {@link JobSpecParser#parse} answers with a spec that passes {@link
 * JobSpecValidator} or with a {@link JobSpecException} whose errors are few and short: never
 * another exception, a stack overflow or an unbounded message. Fixed seeds keep runs reproducible.
 */
class JobSpecParserPropertyTest {
  private static final Path EXAMPLES = Path.of("../../examples/specs");
  private static final String YAML_CHARS = ":-[]{},&*!|>'\"#%@`?\n\t \\.0123456789aeknTZ~";
  private static final List<String> KEYS =
      List.of(
          "name",
          "team",
          "command",
          "workdir",
          "env",
          "resources",
          "gpus",
          "nodes",
          "gpuMemoryGiB",
          "gpuModels",
          "cpu",
          "memoryGiB",
          "priority",
          "capacity",
          "checkpoint",
          "signal",
          "graceSeconds",
          "intervalMinutes",
          "deadline",
          "deferrable",
          "maxCostUsd",
          "maxRuntime",
          "retries",
          "shareable",
          "spotWait",
          "PATH",
          "<<");
  private static final List<String> EXAMPLE_TEXTS = examples();

  private final JobSpecParser parser = new JobSpecParser();

  @Property(tries = 2000, seed = "20261123")
  void anyStringIsASpecOrFieldErrors(@ForAll("anyText") String text) {
    checkParse(text);
  }

  @Property(tries = 2000, seed = "7")
  void anyBytesAsUtf8AreASpecOrFieldErrors(@ForAll("anyBytes") byte[] bytes) {
    checkParse(new String(bytes, StandardCharsets.UTF_8));
  }

  @Property(tries = 2000, seed = "11")
  void yamlPunctuationSoupIsASpecOrFieldErrors(@ForAll("yamlSoup") String text) {
    checkParse(text);
  }

  @Property(tries = 600, seed = "13")
  void randomYamlDocumentsAreASpecOrFieldErrors(@ForAll("documents") String yaml) {
    checkParse(yaml);
  }

  @Property(tries = 3000, seed = "17")
  void mutatedExamplesAreASpecOrFieldErrors(@ForAll("mutatedExamples") String yaml) {
    checkParse(yaml);
  }

  /** The property itself: a valid spec, or our exception with named, bounded errors. */
  private void checkParse(String text) {
    JobSpec spec;
    try {
      spec = parser.parse(text, "fuzz.yaml");
    } catch (JobSpecException e) {
      assertThat(e.errors())
          .isNotEmpty()
          .hasSizeLessThanOrEqualTo(SpecLimits.MAX_REPORTED_ERRORS + 1);
      for (SpecError error : e.errors()) {
        assertThat(error.field()).hasSizeLessThan(100).doesNotContain("\n");
        assertThat(error.message()).isNotBlank().hasSizeLessThan(400).doesNotContain("\n");
        assertThat(error.line()).isNotNegative();
      }
      return;
    }
    assertThat(JobSpecValidator.validate(spec)).isEmpty();
    assertThat(spec.getSerializedSize()).isLessThanOrEqualTo(SpecLimits.MAX_SPEC_BYTES);
  }

  @Provide
  Arbitrary<String> anyText() {
    return Arbitraries.strings().all().ofMaxLength(400);
  }

  @Provide
  Arbitrary<byte[]> anyBytes() {
    return Arbitraries.bytes().array(byte[].class).ofMaxSize(400);
  }

  @Provide
  Arbitrary<String> yamlSoup() {
    Arbitrary<String> keys = Arbitraries.of(KEYS).map(k -> k + ": ");
    Arbitrary<String> bits = Arbitraries.strings().withChars(YAML_CHARS).ofMaxLength(6);
    return Arbitraries.oneOf(keys, bits, bits)
        .list()
        .ofMaxSize(60)
        .map(parts -> String.join("", parts));
  }

  /** Random trees of mappings, lists and scalars, written by SnakeYAML in random styles. */
  @Provide
  Arbitrary<String> documents() {
    Arbitrary<Map<String, Object>> top =
        Arbitraries.maps(Arbitraries.of(KEYS), tree(2)).ofMaxSize(8).map(LinkedHashMap::new);
    Arbitrary<DumperOptions.FlowStyle> style = Arbitraries.of(DumperOptions.FlowStyle.class);
    return Combinators.combine(top, style)
        .as(
            (doc, flow) -> {
              DumperOptions options = new DumperOptions();
              options.setDefaultFlowStyle(flow);
              return new Yaml(options).dump(doc);
            });
  }

  /** A value at most {@code depth} collections deep, or now and then wrapped far deeper. */
  private Arbitrary<Object> tree(int depth) {
    if (depth == 0) {
      return scalar();
    }
    Arbitrary<Object> child = tree(depth - 1);
    return Arbitraries.frequencyOf(
        Tuple.of(4, scalar()),
        Tuple.of(2, child.list().ofMaxSize(4).map(l -> (Object) l)),
        Tuple.of(
            2,
            Arbitraries.maps(Arbitraries.of(KEYS), child)
                .ofMaxSize(4)
                .map(m -> (Object) new LinkedHashMap<>(m))),
        Tuple.of(1, child.map(JobSpecParserPropertyTest::deep)));
  }

  private static Object deep(Object value) {
    Object out = value;
    for (int i = 0; i <= SpecLimits.MAX_YAML_DEPTH; i++) {
      out = List.of(out);
    }
    return out;
  }

  private Arbitrary<Object> scalar() {
    return Arbitraries.oneOf(
        Arbitraries.strings()
            .withCharRange('\u0000', '\ud7ff')
            .ofMaxLength(20)
            .map(s -> (Object) s),
        Arbitraries.of(
            "H100",
            "SIGUSR1",
            "spot-ok",
            "on-demand",
            "high",
            "90s",
            "48h",
            "/data",
            "python3",
            "2026-12-01T08:00:00Z",
            "",
            "~",
            ".nan",
            "-.inf",
            "0x1F",
            "1e400",
            "1_000"),
        Arbitraries.longs().map(l -> (Object) l),
        Arbitraries.integers().between(-3, 100).map(i -> (Object) i),
        Arbitraries.doubles().map(d -> (Object) d),
        Arbitraries.of(Double.NaN, Double.POSITIVE_INFINITY, -0.0).map(d -> (Object) d),
        Arbitraries.of(true, false).map(b -> (Object) b));
  }

  /** An example spec with a few random edits: deletions, insertions, swapped lines, new values. */
  @Provide
  Arbitrary<String> mutatedExamples() {
    Arbitrary<String> example = Arbitraries.of(EXAMPLE_TEXTS);
    Arbitrary<List<Tuple.Tuple3<Integer, Integer, String>>> edits =
        Combinators.combine(
                Arbitraries.integers().between(0, 5),
                Arbitraries.integers().between(0, 10_000),
                Arbitraries.oneOf(
                    Arbitraries.strings().withChars(YAML_CHARS).ofMaxLength(5),
                    Arbitraries.of(KEYS).map(k -> "\n" + k + ": "),
                    Arbitraries.of(
                        "\u0000",
                        "\u001b[2J",
                        "\uFFFF",
                        "\uD800",
                        "&a ",
                        "*a",
                        "!!binary ",
                        "!!python/object:os.system ",
                        "<<: ",
                        "? ",
                        "9999999999999999999999",
                        "1" + "0".repeat(80),
                        "-1",
                        "  ",
                        "\n  - ")))
            .as(Tuple::of)
            .list()
            .ofMinSize(1)
            .ofMaxSize(4);
    return Combinators.combine(example, edits)
        .as(
            (text, list) -> {
              String out = text;
              for (Tuple.Tuple3<Integer, Integer, String> edit : list) {
                out = mutate(out, edit.get1(), edit.get2(), edit.get3());
              }
              return out;
            });
  }

  private static String mutate(String text, int kind, int where, String piece) {
    int at = text.isEmpty() ? 0 : where % text.length();
    String[] lines = text.split("\n", -1);
    int line = where % lines.length;
    return switch (kind) {
      case 0 -> text.substring(0, at) + piece + text.substring(at);
      case 1 ->
          text.substring(0, at) + text.substring(Math.min(text.length(), at + piece.length() + 1));
      case 2 -> {
        List<String> copy = new ArrayList<>(List.of(lines));
        copy.add(line, lines[line]);
        yield String.join("\n", copy);
      }
      case 3 -> {
        List<String> copy = new ArrayList<>(List.of(lines));
        copy.set(line, copy.get((line + 1) % copy.size()));
        copy.set((line + 1) % copy.size(), lines[line]);
        yield String.join("\n", copy);
      }
      case 4 -> {
        // Replace the value after a key with the piece.
        int colon = lines[line].indexOf(':');
        if (colon < 0) {
          yield text;
        }
        lines[line] = lines[line].substring(0, colon + 1) + " " + piece;
        yield String.join("\n", lines);
      }
      default -> {
        lines[line] = " ".repeat(where % 5) + lines[line].stripLeading();
        yield String.join("\n", lines);
      }
    };
  }

  private static List<String> examples() {
    try (Stream<Path> files = Files.list(EXAMPLES)) {
      List<String> texts = new ArrayList<>();
      for (Path p : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
        texts.add(Files.readString(p));
      }
      return List.copyOf(texts);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
