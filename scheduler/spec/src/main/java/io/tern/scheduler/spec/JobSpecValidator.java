package io.tern.scheduler.spec;

import com.google.protobuf.Duration;
import io.tern.api.v1.CapacityPreference;
import io.tern.api.v1.CheckpointPolicy;
import io.tern.api.v1.JobSpec;
import io.tern.api.v1.Priority;
import io.tern.api.v1.Resources;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The rules a {@link JobSpec} must follow, shared by the CLI (before sending) and the scheduler (on
 * SubmitJob), so both reject the same specs with the same words. Field names in errors are the YAML
 * keys a user writes ({@code resources.gpuMemoryGiB}), not proto field names.
 *
 * <p>Size limits are part of the contract ({@link SpecLimits}): a spec is small, and nothing a user
 * sends may make the scheduler hold or log an unbounded amount of data. Stateless and thread-safe.
 */
public final class JobSpecValidator {
  public static final int MAX_NAME_LENGTH = SpecLimits.MAX_NAME_LENGTH;
  public static final int MAX_ARGS = SpecLimits.MAX_ARGS;
  public static final int MAX_ARG_LENGTH = SpecLimits.MAX_ARG_LENGTH;
  public static final int MAX_ENV_ENTRIES = SpecLimits.MAX_ENV_ENTRIES;
  public static final int MAX_ENV_VALUE_LENGTH = SpecLimits.MAX_ENV_VALUE_LENGTH;
  public static final int MAX_GPUS_PER_NODE = SpecLimits.MAX_GPUS_PER_NODE;
  public static final int MAX_NODES = SpecLimits.MAX_NODES;
  public static final int MAX_GPU_MODELS = SpecLimits.MAX_GPU_MODELS;
  public static final int MAX_RETRIES = SpecLimits.MAX_RETRIES;

  /** A spot node is reclaimed about two minutes after its notice; a checkpoint must fit inside. */
  public static final long SPOT_NOTICE_SECONDS = 120;

  /** Signals a job may ask to be sent for a checkpoint. */
  public static final Set<String> CHECKPOINT_SIGNALS =
      Set.of("SIGUSR1", "SIGUSR2", "SIGTERM", "SIGINT", "SIGHUP", "SIGQUIT");

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
  private static final Pattern TEAM = Pattern.compile("[a-z0-9][a-z0-9_-]*");
  private static final String TEAM_CHARACTERS = "lower-case letters, digits, '_' and '-'";
  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final Pattern GPU_MODEL =
      Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0," + (SpecLimits.MAX_GPU_MODEL_LENGTH - 1) + "}");

  private JobSpecValidator() {}

  /**
   * Every rule {@code spec} breaks, in field order, at most {@link SpecLimits#MAX_REPORTED_ERRORS}
   * of them and a count of the rest; empty when it is acceptable.
   */
  public static List<SpecError> validate(JobSpec spec) {
    return SpecLimits.capped(validateAll(spec));
  }

  /**
   * As {@link #validate(JobSpec)}, and a deadline must also lie after {@code now}: the scheduler's
   * check on SubmitJob, by its own clock.
   */
  public static List<SpecError> validate(JobSpec spec, Instant now) {
    List<SpecError> errors = validateAll(spec);
    deadlinePassed(spec, now).ifPresent(errors::add);
    return SpecLimits.capped(errors);
  }

  /** The error of a valid deadline that is not after {@code now}, or empty. */
  public static java.util.Optional<SpecError> deadlinePassed(JobSpec spec, Instant now) {
    if (!spec.hasDeadline() || !validTimestamp(spec.getDeadline())) {
      return java.util.Optional.empty();
    }
    Instant deadline =
        Instant.ofEpochSecond(spec.getDeadline().getSeconds(), spec.getDeadline().getNanos());
    return deadline.isAfter(now)
        ? java.util.Optional.empty()
        : java.util.Optional.of(
            SpecError.of(
                "deadline",
                deadline
                    + " has passed (it is "
                    + now
                    + "); a deadline is the time the job must finish by"));
  }

  /**
   * Fields of a submitted spec that only the scheduler sets: an array task's index and array id,
   * which it writes into each task it creates (a task's spec, as stored, has them).
   */
  public static List<SpecError> schedulersOwn(JobSpec spec) {
    List<SpecError> errors = new ArrayList<>();
    if (spec.hasArray() && spec.getArray().hasTaskIndex()) {
      errors.add(
          SpecError.of(
              "array.taskIndex", "is set by the scheduler on each task it creates; leave it out"));
    }
    if (spec.hasArray() && !spec.getArray().getArrayId().isEmpty()) {
      errors.add(
          SpecError.of(
              "array.arrayId", "is set by the scheduler on each task it creates; leave it out"));
    }
    return errors;
  }

  /** Every rule {@code spec} breaks, uncapped (the parser merges them with its own). */
  static List<SpecError> validateAll(JobSpec spec) {
    List<SpecError> errors = new ArrayList<>();
    checkSize(spec, errors);
    checkName(spec.getName(), "name", NAME, "letters, digits, '.', '_' and '-'", errors);
    checkName(spec.getTeam(), "team", TEAM, TEAM_CHARACTERS, errors);
    checkCommand(spec.getCommandList(), errors);
    checkWorkdir(spec.getWorkdir(), errors);
    checkWorkdirDigest(spec, errors);
    checkEnv(spec.getEnvMap(), errors);
    checkResources(spec.getResources(), errors);
    if (spec.getPriority() == Priority.UNRECOGNIZED) {
      errors.add(SpecError.of("priority", "must be one of high, normal, low"));
    }
    if (spec.getCapacity() == CapacityPreference.UNRECOGNIZED) {
      errors.add(SpecError.of("capacity", "must be one of spot-ok, spot-only, on-demand"));
    }
    if (spec.hasCheckpoint()) {
      checkCheckpoint(spec.getCheckpoint(), spec.getCapacity(), errors);
    }
    if (spec.hasDeadline()) {
      var deadline = spec.getDeadline();
      if (deadline.getNanos() < 0 || deadline.getNanos() > 999_999_999) {
        errors.add(
            SpecError.of(
                "deadline",
                "is not a valid time (nanos "
                    + deadline.getNanos()
                    + "): nanos must lie between 0 and 999999999"));
      } else if (deadline.getSeconds() < 0
          || deadline.getSeconds() >= ProtoTimes.TIMESTAMP_END_SECONDS) {
        errors.add(SpecError.of("deadline", "must be a time between 1970 and 9999"));
      }
    }
    if (!(spec.getMaxCostUsd() >= 0 && spec.getMaxCostUsd() <= SpecLimits.MAX_COST_USD)) {
      errors.add(
          SpecError.of(
              "maxCostUsd",
              "must be a number of US dollars between 0 and " + SpecLimits.MAX_COST_USD));
    }
    if (spec.hasMaxRuntime()) {
      Duration maxRuntime = spec.getMaxRuntime();
      long limit = SpecLimits.MAX_RUNTIME_DAYS * 86_400L;
      // Too long first: a runtime beyond even protobuf's Duration is too long, not malformed.
      boolean tooLong =
          maxRuntime.getSeconds() > limit
              || (maxRuntime.getSeconds() == limit && maxRuntime.getNanos() > 0);
      if (tooLong) {
        errors.add(
            SpecError.of(
                "maxRuntime",
                "must be at most "
                    + SpecLimits.MAX_RUNTIME_DAYS
                    + " days ("
                    + SpecLimits.MAX_RUNTIME_DAYS * 24
                    + "h), got "
                    + maxRuntime.getSeconds()
                    + "s"));
      } else if (!validDuration(maxRuntime)) {
        errors.add(invalidDuration("maxRuntime", maxRuntime));
      } else if (!positive(maxRuntime)) {
        errors.add(SpecError.of("maxRuntime", "must be longer than 0s"));
      }
    }
    if (spec.getRetries() < 0 || spec.getRetries() > MAX_RETRIES) {
      errors.add(
          SpecError.of(
              "retries", "must be between 0 and " + MAX_RETRIES + ", got " + spec.getRetries()));
    }
    checkDependencies(spec, errors);
    checkArray(spec, errors);
    if (spec.hasSpotWait()) {
      errors.addAll(
          validDuration(spec.getSpotWait())
              ? spotWait(spec)
              : List.of(invalidDuration("spotWait", spec.getSpotWait())));
    }
    if (spec.getShareable() && spec.getResources().getGpus() != 1) {
      errors.add(SpecError.of("shareable", "only a job with resources.gpus: 1 can share a GPU"));
    }
    return errors;
  }

  /**
   * What is wrong with {@code team} as a team name by the spec's rule (e.g. a GetCostReport's
   * {@code team} or {@code tern cost --team}, to name without the field); empty when a job could
   * have it.
   */
  public static java.util.Optional<String> teamProblem(String team) {
    List<SpecError> errors = new ArrayList<>();
    checkName(team, "team", TEAM, TEAM_CHARACTERS, errors);
    return errors.stream().findFirst().map(SpecError::message);
  }

  private static void checkName(
      String value, String field, Pattern pattern, String allowed, List<SpecError> errors) {
    if (value.isEmpty()) {
      errors.add(SpecError.of(field, "is required"));
    } else if (value.length() > MAX_NAME_LENGTH) {
      errors.add(
          SpecError.of(
              field, "must be at most " + MAX_NAME_LENGTH + " characters, got " + value.length()));
    } else if (!pattern.matcher(value).matches()) {
      errors.add(
          SpecError.of(
              field,
              "may contain only "
                  + allowed
                  + " (and start with one), got \""
                  + SpecLimits.echo(value)
                  + "\""));
    }
  }

  private static void checkCommand(List<String> command, List<SpecError> errors) {
    if (command.isEmpty()) {
      errors.add(SpecError.of("command", "is required: the program and its arguments, as a list"));
      return;
    }
    if (command.size() > MAX_ARGS) {
      errors.add(
          SpecError.of(
              "command", "must have at most " + MAX_ARGS + " elements, got " + command.size()));
      return;
    }
    if (command.get(0).isBlank()) {
      errors.add(SpecError.of("command[0]", "the program must not be empty"));
    }
    for (int i = 0; i < command.size(); i++) {
      if (command.get(i).length() > MAX_ARG_LENGTH) {
        errors.add(
            SpecError.of(
                "command[" + i + "]",
                "must be at most "
                    + MAX_ARG_LENGTH
                    + " characters, got "
                    + command.get(i).length()));
      }
      if (command.get(i).indexOf('\0') >= 0) {
        errors.add(SpecError.of("command[" + i + "]", "must not contain a NUL character"));
      } else if (!SpecLimits.isWellFormed(command.get(i))) {
        errors.add(SpecError.of("command[" + i + "]", "is not valid Unicode text"));
      }
    }
  }

  private static void checkEnv(Map<String, String> env, List<SpecError> errors) {
    if (env.size() > MAX_ENV_ENTRIES) {
      errors.add(
          SpecError.of(
              "env", "must have at most " + MAX_ENV_ENTRIES + " variables, got " + env.size()));
      return;
    }
    env.keySet().stream()
        .sorted()
        .forEach(
            name -> {
              String field = envField(name);
              if (name.length() > SpecLimits.MAX_ENV_NAME_LENGTH) {
                errors.add(
                    SpecError.of(
                        field,
                        "name must be at most "
                            + SpecLimits.MAX_ENV_NAME_LENGTH
                            + " characters, got "
                            + name.length()));
              } else if (!ENV_NAME.matcher(name).matches()) {
                errors.add(
                    SpecError.of(
                        field,
                        "is not a valid environment variable name ([A-Za-z_][A-Za-z0-9_]*)"));
              } else if (name.startsWith("TERN_") || name.equals("CUDA_VISIBLE_DEVICES")) {
                errors.add(
                    SpecError.of(field, "is set by Tern for every job and cannot be overridden"));
              }
              String value = env.get(name);
              if (value.length() > MAX_ENV_VALUE_LENGTH) {
                errors.add(
                    SpecError.of(
                        field,
                        "value must be at most "
                            + MAX_ENV_VALUE_LENGTH
                            + " characters, got "
                            + value.length()));
              } else if (value.indexOf('\0') >= 0) {
                errors.add(SpecError.of(field, "value must not contain a NUL character"));
              } else if (!SpecLimits.isWellFormed(value)) {
                errors.add(SpecError.of(field, "value is not valid Unicode text"));
              }
            });
  }

  /** The field an env variable's errors name: {@code env.NAME}, a long name cut short. */
  static String envField(String name) {
    return "env." + SpecLimits.echo(name);
  }

  private static void checkWorkdirDigest(JobSpec spec, List<SpecError> errors) {
    String digest = spec.getWorkdirDigest();
    if (digest.isEmpty()) {
      return;
    }
    if (!io.tern.scheduler.spec.workdir.WorkdirArchive.isDigest(digest)) {
      errors.add(
          SpecError.of(
              "workdirDigest",
              "must be a SHA-256 in 64 lowercase hex digits, got \""
                  + SpecLimits.echo(digest)
                  + "\""));
    } else if (!spec.getWorkdir().isEmpty()) {
      errors.add(
          SpecError.of(
              "workdirDigest",
              "cannot go with an absolute workdir (the job runs there, nothing is shipped)"));
    }
  }

  private static void checkWorkdir(String workdir, List<SpecError> errors) {
    if (workdir.isEmpty()) {
      return;
    }
    if (workdir.length() > SpecLimits.MAX_WORKDIR_LENGTH) {
      errors.add(
          SpecError.of(
              "workdir",
              "must be at most "
                  + SpecLimits.MAX_WORKDIR_LENGTH
                  + " characters, got "
                  + workdir.length()));
    } else if (workdir.chars().anyMatch(Character::isISOControl)
        || !SpecLimits.isWellFormed(workdir)) {
      errors.add(
          SpecError.of(
              "workdir", "must be valid Unicode text without NUL or other control characters"));
    } else if (!workdir.startsWith("/")) {
      errors.add(
          SpecError.of(
              "workdir",
              "must be an absolute path on the node, got \""
                  + SpecLimits.echo(workdir)
                  + "\" (a relative workdir: in a spec file is shipped by tern submit)"));
    } else if (List.of(workdir.split("/")).stream()
        .anyMatch(s -> s.equals(".") || s.equals(".."))) {
      errors.add(
          SpecError.of(
              "workdir",
              "must be written without . or .. segments, got \""
                  + SpecLimits.echo(workdir)
                  + "\""));
    }
  }

  /**
   * The whole spec must fit {@link SpecLimits#MAX_SPEC_BYTES}; the error names the key that takes
   * most of it.
   */
  private static void checkSize(JobSpec spec, List<SpecError> errors) {
    int size = spec.getSerializedSize();
    if (size <= SpecLimits.MAX_SPEC_BYTES) {
      return;
    }
    long command = spec.getCommandList().stream().mapToLong(String::length).sum();
    long env =
        spec.getEnvMap().entrySet().stream()
            .mapToLong(e -> e.getKey().length() + e.getValue().length())
            .sum();
    String field = command >= env && command > size / 2 ? "command" : env > size / 2 ? "env" : "";
    errors.add(
        SpecError.of(
            field,
            "the spec is "
                + size / 1024
                + " KiB, more than "
                + SpecLimits.MAX_SPEC_BYTES / 1024
                + " KiB"
                + (field.isEmpty() ? "" : "; most of it is " + field)));
  }

  private static void checkResources(Resources r, List<SpecError> errors) {
    if (r.getGpus() < 0 || r.getGpus() > MAX_GPUS_PER_NODE) {
      errors.add(
          SpecError.of(
              "resources.gpus",
              "must be between 0 and "
                  + MAX_GPUS_PER_NODE
                  + " (GPUs per node), got "
                  + r.getGpus()));
    }
    if (r.getNodes() < 1 || r.getNodes() > MAX_NODES) {
      errors.add(
          SpecError.of(
              "resources.nodes", "must be between 1 and " + MAX_NODES + ", got " + r.getNodes()));
    }
    checkAmount(
        r.getGpuMemoryGib(), "resources.gpuMemoryGiB", SpecLimits.MAX_GPU_MEMORY_GIB, errors);
    checkAmount(r.getCpu(), "resources.cpu", SpecLimits.MAX_CPU, errors);
    checkAmount(r.getMemoryGib(), "resources.memoryGiB", SpecLimits.MAX_MEMORY_GIB, errors);
    if (r.getGpuModelsCount() > MAX_GPU_MODELS) {
      errors.add(
          SpecError.of(
              "resources.gpuModels",
              "must list at most " + MAX_GPU_MODELS + " models, got " + r.getGpuModelsCount()));
      return;
    }
    for (int i = 0; i < r.getGpuModelsCount(); i++) {
      if (!GPU_MODEL.matcher(r.getGpuModels(i)).matches()) {
        errors.add(
            SpecError.of(
                "resources.gpuModels[" + i + "]",
                "is not a GPU model name like H100 or A100 (at most "
                    + SpecLimits.MAX_GPU_MODEL_LENGTH
                    + " characters), got \""
                    + SpecLimits.echo(r.getGpuModels(i))
                    + "\""));
      }
    }
    if (r.getGpus() == 0 && (r.getGpuMemoryGib() != 0 || r.getGpuModelsCount() > 0)) {
      errors.add(
          SpecError.of("resources.gpus", "is 0, so gpuMemoryGiB and gpuModels cannot be set"));
    }
  }

  private static void checkAmount(double value, String field, double max, List<SpecError> errors) {
    if (!Double.isFinite(value) || value < 0 || value > max) {
      errors.add(SpecError.of(field, "must be between 0 and " + (long) max + ", got " + value));
    }
  }

  private static void checkCheckpoint(
      CheckpointPolicy checkpoint, CapacityPreference capacity, List<SpecError> errors) {
    if (!CHECKPOINT_SIGNALS.contains(checkpoint.getSignal())) {
      errors.add(
          SpecError.of(
              "checkpoint.signal",
              "must be one of "
                  + CHECKPOINT_SIGNALS.stream().sorted().toList()
                  + ", got \""
                  + SpecLimits.echo(checkpoint.getSignal())
                  + "\""));
    }
    long grace = checkpoint.getGrace().getSeconds();
    if (!validDuration(checkpoint.getGrace())) {
      errors.add(invalidDuration("checkpoint.graceSeconds", checkpoint.getGrace()));
    } else if (grace < 1 || grace > SpecLimits.MAX_GRACE_SECONDS) {
      errors.add(
          SpecError.of(
              "checkpoint.graceSeconds",
              "must be between 1 and " + SpecLimits.MAX_GRACE_SECONDS + ", got " + grace));
    } else if (capacity != CapacityPreference.CAPACITY_ON_DEMAND && grace >= SPOT_NOTICE_SECONDS) {
      errors.add(
          SpecError.of(
              "checkpoint.graceSeconds",
              grace
                  + " does not fit inside the "
                  + SPOT_NOTICE_SECONDS
                  + "-second spot reclaim notice; lower it or set capacity: on-demand"));
    }
    if (checkpoint.hasInterval() && !validDuration(checkpoint.getInterval())) {
      errors.add(invalidDuration("checkpoint.intervalMinutes", checkpoint.getInterval()));
    } else if (checkpoint.hasInterval()
        && (checkpoint.getInterval().getSeconds() < 60
            || checkpoint.getInterval().getSeconds()
                > SpecLimits.MAX_CHECKPOINT_INTERVAL_MINUTES * 60L)) {
      errors.add(
          SpecError.of(
              "checkpoint.intervalMinutes",
              "must be between 1 and " + SpecLimits.MAX_CHECKPOINT_INTERVAL_MINUTES));
    }
  }

  /**
   * A spot wait is a duration of at most {@link SpecLimits#MAX_SPOT_WAIT_DAYS} days, for a spot-ok
   * job without a deadline (a deadline job waits for spot by its slack; other capacities never
   * choose).
   */
  private static void checkDependencies(JobSpec spec, List<SpecError> errors) {
    if (spec.getDependsOnCount() > DependencySyntax.MAX_DEPENDENCIES) {
      errors.add(
          SpecError.of(
              "dependsOn",
              "at most "
                  + DependencySyntax.MAX_DEPENDENCIES
                  + " jobs, got "
                  + spec.getDependsOnCount()));
      return;
    }
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (int i = 0; i < spec.getDependsOnCount(); i++) {
      var d = spec.getDependsOn(i);
      String field = "dependsOn[" + i + "]";
      if (!DependencySyntax.isJobId(d.getJobId())) {
        errors.add(
            SpecError.of(
                field,
                "expected a job id like job-000042, got '" + SpecLimits.echo(d.getJobId()) + "'"));
      } else if (!seen.add(d.getJobId())) {
        errors.add(SpecError.of(field, d.getJobId() + " is listed twice"));
      }
      if (d.getType() == io.tern.api.v1.DependencyType.UNRECOGNIZED) {
        errors.add(
            SpecError.of(
                field,
                "unknown dependency type "
                    + d.getTypeValue()
                    + "; use one of afterok, afterany, afternotok (DEPENDENCY_TYPE_AFTER_OK,"
                    + " _AFTER_ANY, _AFTER_NOT_OK)"));
      }
    }
  }

  /**
   * An array's indices parse and its limit is between 0 (none) and {@link ArraySyntax#MAX_TASKS}. A
   * task's index and array id are the scheduler's: it sets them on each task it creates.
   */
  private static void checkArray(JobSpec spec, List<SpecError> errors) {
    if (!spec.hasArray()) {
      return;
    }
    var array = spec.getArray();
    if (array.getGridCount() > 0) {
      checkGrid(array, errors);
    } else {
      String problem = ArraySyntax.indices(array.getIndices()).problem();
      if (problem != null) {
        errors.add(SpecError.of("array.indices", problem));
      }
    }
    if (array.getParallel() < 0 || array.getParallel() > ArraySyntax.MAX_TASKS) {
      errors.add(
          SpecError.of(
              "array.parallel",
              "must be between 1 and " + ArraySyntax.MAX_TASKS + " (0 for no limit)"));
    }
  }

  /** Named parameters, each with values, making 1 to {@link ArraySyntax#MAX_TASKS} tasks. */
  private static void checkGrid(io.tern.api.v1.ArraySpec array, List<SpecError> errors) {
    int before = errors.size();
    if (array.getGridCount() > 16) {
      errors.add(SpecError.of("array.grid", "at most 16 parameters, got " + array.getGridCount()));
    }
    java.util.Set<String> variables = new java.util.HashSet<>();
    for (var param : array.getGridList()) {
      String field = "array.grid." + SpecLimits.echo(param.getName());
      if (!ArrayGrid.NAME.matcher(param.getName()).matches()) {
        errors.add(
            SpecError.of(
                field,
                "a parameter's name is a letter, then letters, digits and '_' (it becomes "
                    + "TERN_PARAM_NAME)"));
      } else if (!variables.add(ArrayGrid.variable(param.getName()))) {
        errors.add(
            SpecError.of(
                field, "names the same variable as another parameter (names ignore case)"));
      }
      if (param.getValuesCount() == 0) {
        errors.add(SpecError.of(field, "needs at least one value, e.g. [0.1, 0.01]"));
      }
      java.util.Set<String> seen = new java.util.HashSet<>();
      for (String value : param.getValuesList()) {
        if (value.length() > 1024 || value.chars().anyMatch(c -> c == 0)) {
          errors.add(SpecError.of(field, "values must be at most 1024 characters, without NUL"));
          break;
        }
        if (!seen.add(value)) {
          // Two tasks would run with the same parameters, as an index listed twice would.
          errors.add(SpecError.of(field, SpecLimits.echo(value) + " is listed twice"));
          break;
        }
      }
    }
    if (errors.size() > before) {
      return;
    }
    long size = ArrayGrid.size(array.getGridList());
    if (size > ArraySyntax.MAX_TASKS) {
      errors.add(
          SpecError.of(
              "array.grid",
              "makes "
                  + size
                  + " tasks, more than an array may have ("
                  + ArraySyntax.MAX_TASKS
                  + ")"));
    } else if (!array.getIndices().equals(ArrayGrid.indices(size))) {
      errors.add(
          SpecError.of(
              "array.indices",
              "must be \"" + ArrayGrid.indices(size) + "\" for this grid of " + size + " tasks"));
    }
  }

  private static List<SpecError> spotWait(JobSpec spec) {
    Duration wait = spec.getSpotWait();
    if (wait.getSeconds() < 0
        || wait.getNanos() < 0
        || wait.getSeconds() > SpecLimits.MAX_SPOT_WAIT_DAYS * 86_400L
        || (wait.getSeconds() == SpecLimits.MAX_SPOT_WAIT_DAYS * 86_400L && wait.getNanos() > 0)) {
      return List.of(
          SpecError.of(
              "spotWait",
              "must be between 0s and "
                  + SpecLimits.MAX_SPOT_WAIT_DAYS * 24
                  + "h ("
                  + SpecLimits.MAX_SPOT_WAIT_DAYS
                  + " days)"));
    }
    CapacityPreference capacity = spec.getCapacity();
    if (capacity != CapacityPreference.CAPACITY_SPOT_OK
        && capacity != CapacityPreference.CAPACITY_UNSPECIFIED) {
      return List.of(
          SpecError.of(
              "spotWait",
              "only a spot-ok job waits for spot before it takes on-demand (capacity is "
                  + (capacity == CapacityPreference.CAPACITY_ON_DEMAND ? "on-demand" : "spot-only")
                  + ")"));
    }
    if (spec.hasDeadline()) {
      return List.of(
          SpecError.of(
              "spotWait",
              "a job with a deadline waits for spot while its deadline allows; leave spotWait out"));
    }
    return List.of();
  }

  private static boolean validTimestamp(com.google.protobuf.Timestamp t) {
    return t.getSeconds() >= 0
        && t.getSeconds() < ProtoTimes.TIMESTAMP_END_SECONDS
        && t.getNanos() >= 0
        && t.getNanos() <= 999_999_999;
  }

  /** What protobuf's Duration allows: see {@link ProtoTimes#durationProblem}. */
  private static boolean validDuration(Duration d) {
    return ProtoTimes.durationProblem(d).isEmpty();
  }

  private static SpecError invalidDuration(String field, Duration d) {
    return SpecError.of(field, ProtoTimes.durationProblem(d).orElseThrow());
  }

  private static boolean positive(Duration d) {
    return d.getSeconds() > 0 || (d.getSeconds() == 0 && d.getNanos() > 0);
  }
}
