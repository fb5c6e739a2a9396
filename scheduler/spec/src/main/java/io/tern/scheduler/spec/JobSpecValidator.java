package io.tern.scheduler.spec;

import com.google.protobuf.Duration;
import io.tern.api.v1.CapacityPreference;
import io.tern.api.v1.CheckpointPolicy;
import io.tern.api.v1.JobSpec;
import io.tern.api.v1.Priority;
import io.tern.api.v1.Resources;
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
 * <p>Size limits are part of the contract: a spec is small, and nothing a user sends may make the
 * scheduler hold or log an unbounded amount of data. Stateless and thread-safe.
 */
public final class JobSpecValidator {
  public static final int MAX_NAME_LENGTH = 63;
  public static final int MAX_ARGS = 1024;
  public static final int MAX_ARG_LENGTH = 4096;
  public static final int MAX_ENV_ENTRIES = 256;
  public static final int MAX_ENV_VALUE_LENGTH = 32 * 1024;
  public static final int MAX_GPUS_PER_NODE = 64;
  public static final int MAX_NODES = 1024;
  public static final int MAX_GPU_MODELS = 16;
  public static final int MAX_RETRIES = 100;

  /** A spot node is reclaimed about two minutes after its notice; a checkpoint must fit inside. */
  public static final long SPOT_NOTICE_SECONDS = 120;

  /** Signals a job may ask to be sent for a checkpoint. */
  public static final Set<String> CHECKPOINT_SIGNALS =
      Set.of("SIGUSR1", "SIGUSR2", "SIGTERM", "SIGINT", "SIGHUP", "SIGQUIT");

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
  private static final Pattern TEAM = Pattern.compile("[a-z0-9][a-z0-9_-]*");
  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final Pattern GPU_MODEL = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,31}");

  private JobSpecValidator() {}

  /** Every rule {@code spec} breaks, in field order; empty when it is acceptable. */
  public static List<SpecError> validate(JobSpec spec) {
    List<SpecError> errors = new ArrayList<>();
    checkName(spec.getName(), "name", NAME, "letters, digits, '.', '_' and '-'", errors);
    checkName(spec.getTeam(), "team", TEAM, "lower-case letters, digits, '_' and '-'", errors);
    checkCommand(spec.getCommandList(), errors);
    if (!spec.getWorkdir().isEmpty() && !spec.getWorkdir().startsWith("/")) {
      errors.add(
          SpecError.of("workdir", "must be an absolute path, got \"" + spec.getWorkdir() + "\""));
    }
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
    if (spec.getMaxCostUsd() < 0 || !Double.isFinite(spec.getMaxCostUsd())) {
      errors.add(SpecError.of("maxCostUsd", "must be a number of US dollars >= 0"));
    }
    if (spec.hasMaxRuntime() && !positive(spec.getMaxRuntime())) {
      errors.add(SpecError.of("maxRuntime", "must be longer than 0s"));
    }
    if (spec.getRetries() < 0 || spec.getRetries() > MAX_RETRIES) {
      errors.add(
          SpecError.of(
              "retries", "must be between 0 and " + MAX_RETRIES + ", got " + spec.getRetries()));
    }
    if (spec.getShareable() && spec.getResources().getGpus() != 1) {
      errors.add(SpecError.of("shareable", "only a job with resources.gpus: 1 can share a GPU"));
    }
    return errors;
  }

  private static void checkName(
      String value, String field, Pattern pattern, String allowed, List<SpecError> errors) {
    if (value.isEmpty()) {
      errors.add(SpecError.of(field, "is required"));
    } else if (value.length() > MAX_NAME_LENGTH) {
      errors.add(SpecError.of(field, "must be at most " + MAX_NAME_LENGTH + " characters"));
    } else if (!pattern.matcher(value).matches()) {
      errors.add(
          SpecError.of(
              field,
              "may contain only " + allowed + " (and start with one), got \"" + value + "\""));
    }
  }

  private static void checkCommand(List<String> command, List<SpecError> errors) {
    if (command.isEmpty()) {
      errors.add(SpecError.of("command", "is required: the program and its arguments, as a list"));
      return;
    }
    if (command.size() > MAX_ARGS) {
      errors.add(SpecError.of("command", "must have at most " + MAX_ARGS + " elements"));
    }
    if (command.get(0).isBlank()) {
      errors.add(SpecError.of("command[0]", "the program must not be empty"));
    }
    for (int i = 0; i < command.size(); i++) {
      if (command.get(i).length() > MAX_ARG_LENGTH) {
        errors.add(
            SpecError.of(
                "command[" + i + "]", "must be at most " + MAX_ARG_LENGTH + " characters"));
      }
      if (command.get(i).indexOf('\0') >= 0) {
        errors.add(SpecError.of("command[" + i + "]", "must not contain a NUL character"));
      }
    }
  }

  private static void checkEnv(Map<String, String> env, List<SpecError> errors) {
    if (env.size() > MAX_ENV_ENTRIES) {
      errors.add(SpecError.of("env", "must have at most " + MAX_ENV_ENTRIES + " variables"));
    }
    env.keySet().stream()
        .sorted()
        .forEach(
            name -> {
              String field = "env." + name;
              if (!ENV_NAME.matcher(name).matches() || name.length() > 256) {
                errors.add(SpecError.of(field, "is not a valid environment variable name"));
              } else if (name.startsWith("TERN_") || name.equals("CUDA_VISIBLE_DEVICES")) {
                errors.add(
                    SpecError.of(field, "is set by Tern for every job and cannot be overridden"));
              }
              String value = env.get(name);
              if (value.length() > MAX_ENV_VALUE_LENGTH || value.indexOf('\0') >= 0) {
                errors.add(
                    SpecError.of(
                        field,
                        "value must be at most "
                            + MAX_ENV_VALUE_LENGTH
                            + " characters, without NUL"));
              }
            });
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
    checkAmount(r.getGpuMemoryGib(), "resources.gpuMemoryGiB", 4096, errors);
    checkAmount(r.getCpu(), "resources.cpu", 4096, errors);
    checkAmount(r.getMemoryGib(), "resources.memoryGiB", 65536, errors);
    if (r.getGpuModelsCount() > MAX_GPU_MODELS) {
      errors.add(
          SpecError.of("resources.gpuModels", "must list at most " + MAX_GPU_MODELS + " models"));
    }
    for (int i = 0; i < r.getGpuModelsCount(); i++) {
      if (!GPU_MODEL.matcher(r.getGpuModels(i)).matches()) {
        errors.add(
            SpecError.of(
                "resources.gpuModels[" + i + "]",
                "is not a GPU model name like H100 or A100, got \"" + r.getGpuModels(i) + "\""));
      }
    }
    if (r.getGpus() == 0 && (r.getGpuMemoryGib() > 0 || r.getGpuModelsCount() > 0)) {
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
                  + checkpoint.getSignal()
                  + "\""));
    }
    long grace = checkpoint.getGrace().getSeconds();
    if (grace < 1 || grace > 3600) {
      errors.add(
          SpecError.of("checkpoint.graceSeconds", "must be between 1 and 3600, got " + grace));
    } else if (capacity != CapacityPreference.CAPACITY_ON_DEMAND && grace >= SPOT_NOTICE_SECONDS) {
      errors.add(
          SpecError.of(
              "checkpoint.graceSeconds",
              grace
                  + " does not fit inside the "
                  + SPOT_NOTICE_SECONDS
                  + "-second spot reclaim notice; lower it or set capacity: on-demand"));
    }
    if (checkpoint.hasInterval() && !positive(checkpoint.getInterval())) {
      errors.add(SpecError.of("checkpoint.intervalMinutes", "must be at least 1"));
    }
  }

  private static boolean positive(Duration d) {
    return d.getSeconds() > 0 || (d.getSeconds() == 0 && d.getNanos() > 0);
  }
}
