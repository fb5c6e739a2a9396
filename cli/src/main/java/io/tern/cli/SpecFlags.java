package io.tern.cli;

import static io.tern.cli.CommandModels.option;

import io.tern.scheduler.spec.Durations;
import io.tern.scheduler.spec.SpecLimits;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;
import picocli.CommandLine.Model.ArgGroupSpec;

/**
 * The job spec as {@code tern submit} flags. The flags become the same YAML document a user would
 * write, so a spec from flags goes through exactly the parser and rules a spec file does.
 */
final class SpecFlags {
  /** Spec key → the flag that sets it, to name flags (not keys) in errors. */
  private static final Map<String, String> FLAGS = new LinkedHashMap<>();

  static {
    FLAGS.put("name", "--name");
    FLAGS.put("team", "--team");
    FLAGS.put("command", "-- CMD");
    FLAGS.put("workdir", "--workdir");
    FLAGS.put("env", "--env");
    FLAGS.put("resources.gpus", "--gpus");
    FLAGS.put("resources.nodes", "--nodes");
    FLAGS.put("resources.gpuMemoryGiB", "--gpu-memory");
    FLAGS.put("resources.gpuModels", "--gpu-model");
    FLAGS.put("resources.cpu", "--cpu");
    FLAGS.put("resources.memoryGiB", "--memory");
    FLAGS.put("priority", "--priority");
    FLAGS.put("capacity", "--capacity");
    FLAGS.put("checkpoint.signal", "--checkpoint-signal");
    FLAGS.put("checkpoint.graceSeconds", "--checkpoint-grace");
    FLAGS.put("checkpoint.intervalMinutes", "--checkpoint-interval");
    FLAGS.put("deadline", "--deadline");
    FLAGS.put("deferrable", "--deferrable");
    FLAGS.put("maxCostUsd", "--max-cost");
    FLAGS.put("maxRuntime", "--max-runtime");
    FLAGS.put("retries", "--retries");
    FLAGS.put("shareable", "--shareable");
    FLAGS.put("spotWait", "--spot-wait");
    FLAGS.put("dependsOn", "--after");
  }

  List<String> after;
  String name;
  String team;
  Integer gpus;
  Integer nodes;
  Double gpuMemoryGiB;
  List<String> gpuModels;
  Double cpu;
  Double memoryGiB;
  String priority;
  String capacity;
  String checkpointSignal;
  String checkpointGrace;
  Integer checkpointInterval;
  String deadline;
  Boolean deferrable;
  Double maxCostUsd;
  String maxRuntime;
  Integer retries;
  Boolean shareable;
  String spotWait;
  String workdir;
  List<String> env;

  /** Adds the flags to {@code group}, the submit command's spec flags. */
  void declare(ArgGroupSpec.Builder group) {
    group.addArg(
        option(List.class, () -> after, v -> after = v, "--after")
            .auxiliaryTypes(String.class)
            .splitRegex(",")
            .paramLabel("JOB")
            .description(
                "Start after these jobs: JOB (it must succeed), afterany:JOB (it must end) or"
                    + " afternotok:JOB (it must fail); comma-separated or repeated; at most 64"
                    + " jobs (an array's id counts as one: a sweep is best an array).")
            .build());
    group.addArg(
        option(String.class, () -> name, v -> name = v, "--name")
            .paramLabel("NAME")
            .description("Job name (required).")
            .build());
    group.addArg(
        option(String.class, () -> team, v -> team = v, "--team")
            .paramLabel("TEAM")
            .description("Team (required).")
            .build());
    group.addArg(
        option(Integer.class, () -> gpus, v -> gpus = v, "--gpus")
            .paramLabel("N")
            .description("GPUs per node (default 0).")
            .build());
    group.addArg(
        option(Integer.class, () -> nodes, v -> nodes = v, "--nodes")
            .paramLabel("N")
            .description("Nodes; > 1 makes a gang.")
            .build());
    group.addArg(
        option(Double.class, () -> gpuMemoryGiB, v -> gpuMemoryGiB = v, "--gpu-memory")
            .paramLabel("GiB")
            .description("Minimum free GPU memory.")
            .build());
    group.addArg(
        option(List.class, () -> gpuModels, v -> gpuModels = v, "--gpu-model")
            .auxiliaryTypes(String.class)
            .paramLabel("MODEL")
            .description("Accepted GPU model; repeat.")
            .build());
    group.addArg(
        option(Double.class, () -> cpu, v -> cpu = v, "--cpu")
            .paramLabel("CORES")
            .description("CPU cores per node.")
            .build());
    group.addArg(
        option(Double.class, () -> memoryGiB, v -> memoryGiB = v, "--memory")
            .paramLabel("GiB")
            .description("Host memory per node.")
            .build());
    group.addArg(
        option(String.class, () -> priority, v -> priority = v, "--priority")
            .paramLabel("CLASS")
            .description("high | normal | low.")
            .build());
    group.addArg(
        option(String.class, () -> capacity, v -> capacity = v, "--capacity")
            .paramLabel("KIND")
            .description("spot-ok | spot-only | on-demand.")
            .build());
    group.addArg(
        option(
                String.class,
                () -> checkpointSignal,
                v -> checkpointSignal = v,
                "--checkpoint-signal")
            .paramLabel("SIG")
            .description(
                "Signal that asks the job to checkpoint (default SIGUSR1 if checkpointing).")
            .build());
    group.addArg(
        option(String.class, () -> checkpointGrace, v -> checkpointGrace = v, "--checkpoint-grace")
            .paramLabel("SECONDS|DURATION")
            .description(
                "Time the job needs to checkpoint and exit, in seconds or as a duration (90, 90s, 2m);"
                    + " enables checkpointing.")
            .build());
    group.addArg(
        option(
                Integer.class,
                () -> checkpointInterval,
                v -> checkpointInterval = v,
                "--checkpoint-interval")
            .paramLabel("MINUTES")
            .description("How often the job checkpoints by itself; enables checkpointing.")
            .build());
    group.addArg(
        option(String.class, () -> deadline, v -> deadline = v, "--deadline")
            .paramLabel("TIME")
            .description("Finish by, e.g. 2026-12-01T08:00:00Z.")
            .build());
    group.addArg(
        option(Boolean.class, () -> deferrable, v -> deferrable = v, "--deferrable")
            .description("May wait for an off-peak window.")
            .build());
    group.addArg(
        option(Double.class, () -> maxCostUsd, v -> maxCostUsd = v, "--max-cost")
            .paramLabel("USD")
            .description(
                "Cost cap in USD: the job is cancelled once it has cost this much (over"
                    + " all its attempts), and not placed again once it has.")
            .build());
    group.addArg(
        option(String.class, () -> maxRuntime, v -> maxRuntime = v, "--max-runtime")
            .paramLabel("DURATION")
            .description(
                "The longest one run may take, e.g. 90s, 30m, 48h: past it the job is"
                    + " cancelled.")
            .build());
    group.addArg(
        option(Integer.class, () -> retries, v -> retries = v, "--retries")
            .paramLabel("N")
            .description("Retries after a failure.")
            .build());
    group.addArg(
        option(Boolean.class, () -> shareable, v -> shareable = v, "--shareable")
            .description("May share a GPU with other shareable jobs.")
            .build());
    group.addArg(
        option(String.class, () -> spotWait, v -> spotWait = v, "--spot-wait")
            .paramLabel("DURATION")
            .description(
                "How long a spot-ok job without a deadline may wait for spot before it takes any"
                    + " capacity, e.g. 30m (default: the team's, else 0s: any capacity at once).")
            .build());
    group.addArg(
        option(String.class, () -> workdir, v -> workdir = v, "--workdir")
            .paramLabel("DIR")
            .description(
                "A relative DIR is shipped with the job as its working directory (instead of the"
                    + " directory you submit from); an absolute one is where it runs on the node.")
            .build());
    group.addArg(
        option(List.class, () -> env, v -> env = v, "--env")
            .auxiliaryTypes(String.class)
            .paramLabel("KEY=VALUE")
            .description("Environment variable; repeat.")
            .build());
  }

  /** The flag that sets spec key {@code field}, e.g. {@code --gpus} for {@code resources.gpus}. */
  static String flagFor(String field) {
    String key = field.replaceAll("\\[\\d+]$", "");
    if (key.startsWith("env.")) {
      return "--env " + key.substring(4);
    }
    return FLAGS.getOrDefault(key, field);
  }

  String toYaml(List<String> command) {
    Map<String, Object> doc = new LinkedHashMap<>();
    put(doc, "name", name);
    put(doc, "team", team);
    doc.put("command", new ArrayList<>(command));
    put(doc, "workdir", workdir);
    if (env != null) {
      Map<String, Object> vars = new LinkedHashMap<>();
      for (String pair : env) {
        int eq = pair.indexOf('=');
        if (eq <= 0) {
          throw new UserInputException(
              "--env: expected KEY=VALUE, got '" + SpecLimits.echo(pair) + "'");
        }
        vars.put(pair.substring(0, eq), pair.substring(eq + 1)); // the last of a key wins
      }
      doc.put("env", vars);
    }
    Map<String, Object> resources = new LinkedHashMap<>();
    put(resources, "gpus", gpus);
    put(resources, "nodes", nodes);
    put(resources, "gpuMemoryGiB", gpuMemoryGiB);
    put(resources, "gpuModels", gpuModels);
    put(resources, "cpu", cpu);
    put(resources, "memoryGiB", memoryGiB);
    if (!resources.isEmpty()) {
      doc.put("resources", resources);
    }
    put(doc, "priority", priority);
    put(doc, "capacity", capacity);
    Map<String, Object> checkpoint = new LinkedHashMap<>();
    put(checkpoint, "signal", checkpointSignal);
    put(checkpoint, "graceSeconds", graceSeconds(checkpointGrace));
    put(checkpoint, "intervalMinutes", checkpointInterval);
    if (!checkpoint.isEmpty()) {
      doc.put("checkpoint", checkpoint);
    }
    put(doc, "deadline", deadline);
    put(doc, "deferrable", deferrable);
    put(doc, "maxCostUsd", maxCostUsd);
    put(doc, "maxRuntime", maxRuntime);
    put(doc, "retries", retries);
    put(doc, "shareable", shareable);
    put(doc, "spotWait", spotWait);
    put(doc, "dependsOn", after);
    DumperOptions options = new DumperOptions();
    options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    return new Yaml(options).dump(doc);
  }

  /**
   * {@code --checkpoint-grace} as the spec's {@code graceSeconds}: a whole number of seconds, or a
   * duration like {@code 90s} or {@code 2m}; anything else is passed on as written, for the spec's
   * own error to name the flag.
   */
  static Object graceSeconds(String text) {
    if (text == null) {
      return null;
    }
    String trimmed = text.trim();
    if (trimmed.matches("-?\\d{1,9}")) { // a negative one too: the spec's check names the range
      return Integer.valueOf(trimmed);
    }
    return Durations.parse(trimmed)
        .filter(d -> d.getSeconds() <= Integer.MAX_VALUE)
        .<Object>map(d -> (int) d.getSeconds())
        .orElse(trimmed);
  }

  private static void put(Map<String, Object> map, String key, Object value) {
    if (value != null) {
      map.put(key, value);
    }
  }
}
