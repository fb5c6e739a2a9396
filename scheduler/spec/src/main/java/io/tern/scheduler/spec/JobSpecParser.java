package io.tern.scheduler.spec;

import com.google.protobuf.Duration;
import com.google.protobuf.Timestamp;
import io.tern.api.v1.ArraySpec;
import io.tern.api.v1.CapacityPreference;
import io.tern.api.v1.CheckpointPolicy;
import io.tern.api.v1.GridParam;
import io.tern.api.v1.JobSpec;
import io.tern.api.v1.Priority;
import io.tern.api.v1.Resources;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads the YAML job spec of DESIGN.md ("The job spec") strictly into a normalized {@link JobSpec}.
 *
 * <p>Unknown keys, duplicate keys, wrong types and impossible values are all errors that name the
 * key and its line; every error in the document is reported at once. YAML is loaded safely (no tags
 * that construct objects) with limits on size, nesting and aliases ({@link SpecLimits}). Whatever
 * the input, the parser returns a valid spec or throws {@link JobSpecException}, never anything
 * else. Thread-safe.
 */
public final class JobSpecParser {
  /** A spec is a page of YAML, not a data file ({@link SpecLimits#MAX_SPEC_BYTES}). */
  public static final int MAX_SPEC_BYTES = SpecLimits.MAX_SPEC_BYTES;

  private static final Set<String> TOP_KEYS =
      Set.of(
          "name",
          "team",
          "command",
          "workdir",
          "workdirDigest",
          "env",
          "resources",
          "priority",
          "capacity",
          "checkpoint",
          "deadline",
          "deferrable",
          "maxCostUsd",
          "maxRuntime",
          "retries",
          "shareable",
          "spotWait",
          "dependsOn",
          "array");
  private static final Set<String> ARRAY_KEYS = Set.of("indices", "parallel", "grid");
  private static final Set<String> RESOURCE_KEYS =
      Set.of("gpus", "nodes", "gpuMemoryGiB", "gpuModels", "cpu", "memoryGiB");
  private static final Set<String> CHECKPOINT_KEYS =
      Set.of("signal", "graceSeconds", "intervalMinutes");
  private static final Map<String, Priority> PRIORITIES =
      Map.of(
          "high", Priority.PRIORITY_HIGH,
          "normal", Priority.PRIORITY_NORMAL,
          "low", Priority.PRIORITY_LOW);
  private static final Map<String, CapacityPreference> CAPACITIES =
      Map.of(
          "spot-ok", CapacityPreference.CAPACITY_SPOT_OK,
          "spot-only", CapacityPreference.CAPACITY_SPOT_ONLY,
          "on-demand", CapacityPreference.CAPACITY_ON_DEMAND);

  /**
   * Parses, normalizes ({@link JobSpecDefaults}) and validates ({@link JobSpecValidator}) a spec.
   *
   * @param source names the spec in error messages, e.g. its file name
   * @throws JobSpecException listing every problem, each with its key and line
   */
  public JobSpec parse(String yaml, String source) throws JobSpecException {
    return parse(yaml, source, false).spec();
  }

  /**
   * A spec as {@code tern submit} reads it: as {@link #parse}, except that a relative {@code
   * workdir:} names a directory beside the spec file to ship with the job; it is taken out of the
   * spec (which then has no workdir) and returned beside it.
   *
   * @param spec the spec to submit, without a relative workdir
   * @param shippedWorkdir the relative {@code workdir:} as written, if the spec had one
   */
  public record ForSubmit(JobSpec spec, java.util.Optional<String> shippedWorkdir) {}

  /** See {@link ForSubmit}. */
  public ForSubmit parseForSubmit(String yaml, String source) throws JobSpecException {
    return parse(yaml, source, true);
  }

  private ForSubmit parse(String yaml, String source, boolean relativeWorkdir)
      throws JobSpecException {
    if (yaml.length() > MAX_SPEC_BYTES || utf8Length(yaml) > MAX_SPEC_BYTES) {
      throw new JobSpecException(
          source, List.of(SpecError.of("", "is larger than " + MAX_SPEC_BYTES / 1024 + " KiB")));
    }
    Node root = compose(yaml, source);
    YamlReader reader = new YamlReader();
    JobSpec.Builder spec = JobSpec.newBuilder();
    readTop(reader, root, spec);
    java.util.Optional<String> shipped = java.util.Optional.empty();
    if (relativeWorkdir && !spec.getWorkdir().isEmpty() && !spec.getWorkdir().startsWith("/")) {
      shipped = java.util.Optional.of(spec.getWorkdir());
      spec.clearWorkdir();
    }
    List<SpecError> errors = new ArrayList<>(reader.errors());
    JobSpec normalized = JobSpecDefaults.normalize(spec.build());
    // Semantic rules too, each mapped back to its line, except on fields already reported, or one
    // of whose elements was (lr[0] reported, lr having no value follows from it).
    Set<String> reported = new HashSet<>();
    errors.forEach(e -> reported.add(e.field()));
    for (SpecError error : JobSpecValidator.validateAll(normalized)) {
      if (!reported.contains(error.field())
          && reported.stream().noneMatch(f -> f.startsWith(error.field() + "["))) {
        errors.add(error.atLine(reader.lineOf(error.field())));
      }
    }
    if (!errors.isEmpty()) {
      errors.sort(Comparator.comparingInt(SpecError::line));
      throw new JobSpecException(source, SpecLimits.capped(errors));
    }
    return new ForSubmit(normalized, shipped);
  }

  private static long utf8Length(String text) {
    long bytes = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : Character.isSurrogate(c) ? 2 : 3;
    }
    return bytes;
  }

  private static Node compose(String yaml, String source) throws JobSpecException {
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(false);
    options.setMaxAliasesForCollections(SpecLimits.MAX_YAML_ALIASES);
    options.setNestingDepthLimit(SpecLimits.MAX_YAML_DEPTH);
    options.setCodePointLimit(MAX_SPEC_BYTES);
    options.setAllowRecursiveKeys(false);
    try {
      Node root = new Yaml(new SafeConstructor(options)).compose(new java.io.StringReader(yaml));
      if (root == null) {
        throw new JobSpecException(source, List.of(SpecError.of("", "is empty")));
      }
      return root;
    } catch (MarkedYAMLException e) {
      int line = e.getProblemMark() == null ? 0 : e.getProblemMark().getLine() + 1;
      throw new JobSpecException(
          source,
          List.of(new SpecError("", line, "is not valid YAML: " + limited(e.getProblem()))));
    } catch (YAMLException e) {
      throw new JobSpecException(
          source, List.of(SpecError.of("", "is not valid YAML: " + limited(e.getMessage()))));
    }
  }

  /** SnakeYAML's own words, which may quote the input, kept short and printable. */
  private static String limited(String problem) {
    if (problem == null) {
      return "unreadable";
    }
    String oneLine = problem.replace('\n', ' ');
    return printable(oneLine.length() <= 200 ? oneLine : oneLine.substring(0, 197) + "...");
  }

  private static String printable(String text) {
    StringBuilder out = new StringBuilder(text.length());
    text.chars()
        .forEach(
            c -> {
              if (Character.isISOControl(c)) {
                out.append(String.format("\\u%04x", c));
              } else {
                out.append((char) c);
              }
            });
    return out.toString();
  }

  private static void readTop(YamlReader r, Node root, JobSpec.Builder spec) {
    Map<String, Node> top = r.mapping("", root, TOP_KEYS);
    required(r, top, "name", root).flatMap(n -> r.string("name", n)).ifPresent(spec::setName);
    required(r, top, "team", root).flatMap(n -> r.string("team", n)).ifPresent(spec::setTeam);
    required(r, top, "command", root).ifPresent(n -> readCommand(r, n, spec));
    at(top, "workdir").flatMap(n -> r.string("workdir", n)).ifPresent(spec::setWorkdir);
    at(top, "workdirDigest")
        .flatMap(n -> r.string("workdirDigest", n))
        .ifPresent(spec::setWorkdirDigest);
    at(top, "env").ifPresent(n -> readEnv(r, n, spec));
    at(top, "resources").ifPresent(n -> spec.setResources(readResources(r, n)));
    at(top, "priority")
        .flatMap(n -> choice(r, "priority", n, PRIORITIES))
        .ifPresent(spec::setPriority);
    at(top, "capacity")
        .flatMap(n -> choice(r, "capacity", n, CAPACITIES))
        .ifPresent(spec::setCapacity);
    at(top, "checkpoint").ifPresent(n -> readCheckpoint(r, n, spec));
    at(top, "deadline")
        .flatMap(n -> r.timestamp("deadline", n))
        .ifPresent(
            t ->
                spec.setDeadline(
                    Timestamp.newBuilder().setSeconds(t.getEpochSecond()).setNanos(t.getNano())));
    at(top, "deferrable").flatMap(n -> r.bool("deferrable", n)).ifPresent(spec::setDeferrable);
    at(top, "maxCostUsd").flatMap(n -> costCap(r, n)).ifPresent(spec::setMaxCostUsd);
    at(top, "maxRuntime").flatMap(n -> duration(r, "maxRuntime", n)).ifPresent(spec::setMaxRuntime);
    at(top, "retries")
        .flatMap(n -> intIn(r, "retries", n, 0, JobSpecValidator.MAX_RETRIES))
        .ifPresent(spec::setRetries);
    at(top, "shareable").flatMap(n -> r.bool("shareable", n)).ifPresent(spec::setShareable);
    at(top, "spotWait").flatMap(n -> duration(r, "spotWait", n, true)).ifPresent(spec::setSpotWait);
    at(top, "dependsOn").ifPresent(n -> readDependencies(r, n, spec));
    at(top, "array").ifPresent(n -> readArray(r, n, spec));
  }

  /** {@code array: {grid: {lr: [0.1, 0.01], bs: [32, 64]}, parallel: 4}} ({@link ArrayGrid}). */
  private static void readGrid(
      YamlReader r, Node grid, Map<String, Node> keys, JobSpec.Builder spec) {
    ArraySpec.Builder array = ArraySpec.newBuilder();
    Map<String, Node> params = r.mapping("array.grid", grid, null);
    if (params.isEmpty()) {
      if (grid instanceof org.yaml.snakeyaml.nodes.MappingNode m && m.getValue().isEmpty()) {
        r.error("array.grid", grid, "needs at least one parameter, e.g. {lr: [0.1, 0.01]}");
      }
      return; // no array: its indices would only be reported missing
    }
    params.forEach(
        (name, valuesNode) -> {
          String field = "array.grid." + SpecLimits.echo(name);
          List<Node> values = r.sequence(field, valuesNode, " of values, e.g. [0.1, 0.01]");
          GridParam.Builder param = GridParam.newBuilder().setName(name);
          for (int i = 0; i < values.size(); i++) {
            r.scalarText(field + "[" + i + "]", values.get(i)).ifPresent(param::addValues);
          }
          array.addGrid(param);
        });
    at(keys, "parallel")
        .flatMap(n -> intIn(r, "array.parallel", n, 1, ArraySyntax.MAX_TASKS))
        .ifPresent(array::setParallel);
    long size = ArrayGrid.size(array.getGridList());
    if (size >= 1 && size <= ArraySyntax.MAX_TASKS) {
      array.setIndices(ArrayGrid.indices(size));
    }
    spec.setArray(array);
  }

  /** {@code array: "0-99%8"} or {@code array: {indices: "0-99", parallel: 8}}. */
  private static void readArray(YamlReader r, Node node, JobSpec.Builder spec) {
    if (node instanceof org.yaml.snakeyaml.nodes.ScalarNode) {
      r.scalarText("array", node)
          .ifPresent(
              text -> {
                ArraySyntax.Result parsed = ArraySyntax.parse(text);
                if (parsed.problem() != null) {
                  r.error("array", node, parsed.problem());
                } else {
                  spec.setArray(parsed.spec());
                }
              });
      return;
    }
    Map<String, Node> keys = r.mapping("array", node, ARRAY_KEYS);
    Node indices = at(keys, "indices").orElse(null);
    Node grid = at(keys, "grid").orElse(null);
    if (grid != null) {
      if (indices != null) {
        r.error("array.indices", indices, "cannot go with array.grid (the grid makes the indices)");
        return;
      }
      readGrid(r, grid, keys, spec);
      return;
    }
    if (indices == null) {
      r.error("array.indices", node, "is required, e.g. \"0-99\" (or give array.grid)");
      return;
    }
    r.scalarText("array.indices", indices)
        .ifPresent(
            text -> {
              ArraySyntax.Result parsed = ArraySyntax.indices(text);
              if (parsed.problem() != null) {
                r.error("array.indices", indices, parsed.problem());
                return;
              }
              ArraySpec.Builder array = parsed.spec().toBuilder();
              at(keys, "parallel")
                  .flatMap(n -> intIn(r, "array.parallel", n, 1, ArraySyntax.MAX_TASKS))
                  .ifPresent(array::setParallel);
              spec.setArray(array);
            });
  }

  private static void readDependencies(YamlReader r, Node node, JobSpec.Builder spec) {
    List<Node> items =
        r.sequence("dependsOn", node, " of job ids, e.g. [job-000041, afterany:job-000042]");
    for (int i = 0; i < items.size(); i++) {
      String field = "dependsOn[" + i + "]";
      Node item = items.get(i);
      r.scalarText(field, item)
          .ifPresent(
              text ->
                  DependencySyntax.problem(text)
                      .ifPresentOrElse(
                          problem -> r.error(field, item, problem),
                          () -> spec.addDependsOn(DependencySyntax.parse(text).orElseThrow())));
    }
  }

  private static void readCommand(YamlReader r, Node node, JobSpec.Builder spec) {
    List<Node> args =
        r.sequence("command", node, " of strings (argv), e.g. [\"python3\", \"train.py\"]");
    for (int i = 0; i < args.size(); i++) {
      r.scalarText("command[" + i + "]", args.get(i)).ifPresent(spec::addCommand);
    }
  }

  private static void readEnv(YamlReader r, Node node, JobSpec.Builder spec) {
    r.mapping("env", node, null)
        .forEach(
            (name, value) ->
                r.scalarText(JobSpecValidator.envField(name), value)
                    .ifPresent(v -> spec.putEnv(name, v)));
  }

  private static Resources readResources(YamlReader r, Node node) {
    Resources.Builder res = Resources.newBuilder();
    Map<String, Node> keys = r.mapping("resources", node, RESOURCE_KEYS);
    at(keys, "gpus")
        .flatMap(n -> intIn(r, "resources.gpus", n, 0, JobSpecValidator.MAX_GPUS_PER_NODE))
        .ifPresent(res::setGpus);
    at(keys, "nodes")
        .flatMap(n -> intIn(r, "resources.nodes", n, 1, JobSpecValidator.MAX_NODES))
        .ifPresent(res::setNodes);
    at(keys, "gpuMemoryGiB")
        .flatMap(n -> r.number("resources.gpuMemoryGiB", n))
        .ifPresent(res::setGpuMemoryGib);
    at(keys, "gpuModels")
        .ifPresent(
            n -> {
              List<Node> models =
                  r.sequence("resources.gpuModels", n, " of GPU models, e.g. [H100, A100]");
              for (int i = 0; i < models.size(); i++) {
                r.scalarText("resources.gpuModels[" + i + "]", models.get(i))
                    .ifPresent(res::addGpuModels);
              }
            });
    at(keys, "cpu").flatMap(n -> r.number("resources.cpu", n)).ifPresent(res::setCpu);
    at(keys, "memoryGiB")
        .flatMap(n -> r.number("resources.memoryGiB", n))
        .ifPresent(res::setMemoryGib);
    return res.build();
  }

  private static void readCheckpoint(YamlReader r, Node node, JobSpec.Builder spec) {
    CheckpointPolicy.Builder checkpoint = CheckpointPolicy.newBuilder();
    Map<String, Node> keys = r.mapping("checkpoint", node, CHECKPOINT_KEYS);
    at(keys, "signal")
        .flatMap(n -> r.string("checkpoint.signal", n))
        .map(s -> s.toUpperCase(java.util.Locale.ROOT))
        .map(s -> s.startsWith("SIG") ? s : "SIG" + s)
        .ifPresent(checkpoint::setSignal);
    at(keys, "graceSeconds")
        .flatMap(n -> intIn(r, "checkpoint.graceSeconds", n, 1, SpecLimits.MAX_GRACE_SECONDS))
        .ifPresent(s -> checkpoint.setGrace(Duration.newBuilder().setSeconds(s)));
    at(keys, "intervalMinutes")
        .flatMap(
            n ->
                intIn(
                    r,
                    "checkpoint.intervalMinutes",
                    n,
                    1,
                    SpecLimits.MAX_CHECKPOINT_INTERVAL_MINUTES))
        .ifPresent(m -> checkpoint.setInterval(Duration.newBuilder().setSeconds(m * 60L)));
    spec.setCheckpoint(checkpoint);
  }

  private static Optional<Node> required(
      YamlReader r, Map<String, Node> keys, String key, Node root) {
    Optional<Node> node = at(keys, key);
    if (node.isEmpty() && r.errors().stream().noneMatch(e -> e.field().isEmpty())) {
      r.error(key, root, "is required");
    }
    return node;
  }

  private static Optional<Node> at(Map<String, Node> keys, String key) {
    Node node = keys.get(key);
    return node == null || YamlReader.isNull(node) ? Optional.empty() : Optional.of(node);
  }

  /**
   * A cap that is written is a cap: 0 (which the API reads as "no cap") or less is refused rather
   * than silently dropped; the range above is the validator's.
   */
  private static Optional<Double> costCap(YamlReader r, Node node) {
    Optional<Double> value = r.number("maxCostUsd", node);
    if (value.isPresent() && value.get() <= 0) {
      r.error(
          "maxCostUsd",
          node,
          "must be more than 0 US dollars, got " + value.get() + " (leave it out for no cap)");
      return Optional.empty();
    }
    return value;
  }

  private static Optional<Integer> intIn(YamlReader r, String field, Node node, int min, int max) {
    Optional<Long> value = r.integer(field, node);
    if (value.isPresent() && (value.get() < min || value.get() > max)) {
      r.error(field, node, "must be between " + min + " and " + max + ", got " + value.get());
      return Optional.empty();
    }
    return value.map(Long::intValue);
  }

  private static <T> Optional<T> choice(
      YamlReader r, String field, Node node, Map<String, T> choices) {
    return r.string(field, node)
        .flatMap(
            text -> {
              T value = choices.get(text);
              if (value == null) {
                r.error(
                    field,
                    node,
                    "must be one of "
                        + String.join(", ", choices.keySet().stream().sorted().toList())
                        + ", got \""
                        + SpecLimits.echo(text)
                        + "\"");
              }
              return Optional.ofNullable(value);
            });
  }

  private static Optional<Duration> duration(YamlReader r, String field, Node node) {
    return duration(r, field, node, false);
  }

  /** A duration like {@code 30m}; zero ({@code 0s}) only where {@code zeroAllowed}. */
  private static Optional<Duration> duration(
      YamlReader r, String field, Node node, boolean zeroAllowed) {
    return r.string(field, node)
        .flatMap(
            text -> {
              Optional<java.time.Duration> parsed =
                  Durations.parse(text).filter(d -> zeroAllowed || !d.isZero());
              if (parsed.isEmpty()) {
                r.error(
                    field,
                    node,
                    "expected a duration like "
                        + (zeroAllowed ? "0s, " : "")
                        + "90s, 30m, 48h or 1h30m, got \""
                        + SpecLimits.echo(text)
                        + "\"");
              }
              return parsed.map(d -> Duration.newBuilder().setSeconds(d.toSeconds()).build());
            });
  }
}
