package io.tern.scheduler.server.api;

import com.google.protobuf.Timestamp;
import io.tern.api.v1.AgentMessage;
import io.tern.api.v1.CapacityType;
import io.tern.api.v1.CheckpointCommitted;
import io.tern.api.v1.CheckpointRef;
import io.tern.api.v1.Gpu;
import io.tern.api.v1.GpuHealth;
import io.tern.api.v1.JobStatus;
import io.tern.api.v1.LogData;
import io.tern.api.v1.Register;
import io.tern.api.v1.RunningAttempt;
import io.tern.api.v1.SpotNotice;
import io.tern.api.v1.Telemetry;
import io.tern.scheduler.server.zk.JobIds;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The shape every agent message must have before it may reach the scheduler loop: sizes, ranges,
 * identifiers and cross-references inside one stream (telemetry names the GPUs its registration
 * named). What a message means for jobs and nodes (a stale attempt, a job on another node) is the
 * loop's to judge; this class judges only what is malformed whatever the state.
 *
 * <p>A malformed message ends its stream with INVALID_ARGUMENT and the problem returned here, which
 * names the field as in agent.proto. Stateless and thread-safe.
 */
public final class AgentMessageValidator {
  /** Node ids become ZooKeeper node names and appear in tables: a hostname or instance id. */
  public static final Pattern NODE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,252}");

  private static final Pattern LABEL_KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._/-]{0,62}");

  /**
   * Checkpoint names as the checkpoint module's {@code CheckpointNames.NAME_PATTERN} defines them
   * (this module does not depend on it): the name ends up in store paths and object keys.
   */
  private static final Pattern CHECKPOINT_NAME =
      Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

  private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");

  public static final int MAX_GPUS = 64;
  public static final int MAX_LABELS = 64;
  public static final int MAX_LABEL_VALUE = 256;
  public static final int MAX_RUNNING = 1024;
  public static final int MAX_SHORT_TEXT = 256;
  public static final int MAX_MESSAGE_TEXT = 4096;

  /**
   * A job status message may quote the job's own command or workdir (up to 4 KiB each), so it is
   * refused only when absurd; the leader stores a short, printable cut of it.
   */
  public static final int MAX_STATUS_MESSAGE = 64 * 1024;

  public static final int MAX_LOG_CHUNK = 1 << 20;

  /** 16 TiB of GPU memory, in MiB: far beyond any GPU. */
  private static final long MAX_GPU_MEMORY_MIB = 16L << 20;

  private static final double MAX_PRICE_USD = 10_000;
  private static final double MAX_CPU = 100_000;
  private static final double MAX_MEMORY_GIB = 1 << 20;
  private static final double MAX_POWER_W = 100_000;
  private static final long MIN_TIMESTAMP_SECONDS = -62_135_596_800L;
  private static final long MAX_TIMESTAMP_SECONDS = 253_402_300_799L;

  private AgentMessageValidator() {}

  /**
   * Why {@code message} is malformed, or null when its shape is acceptable.
   *
   * @param registered the Register that opened this stream; null while none has been accepted
   */
  public static String problem(AgentMessage message, Register registered) {
    if (registered == null) {
      return message.hasRegister()
          ? register(message.getRegister())
          : "the first message must be a Register with a node_id";
    }
    if (message.getSeq() < 0) {
      return "seq: must be 0 or more, got " + message.getSeq();
    }
    return switch (message.getKindCase()) {
      case REGISTER -> "Register may be sent only once";
      case TELEMETRY -> telemetry(message.getTelemetry(), registered.getGpusCount());
      case JOB_STATUS -> jobStatus(message.getJobStatus());
      case SPOT_NOTICE -> spotNotice(message.getSpotNotice());
      case CHECKPOINT_COMMITTED -> checkpoint(message.getCheckpointCommitted());
      case CHECKPOINT_COMMIT_FAILED -> commitFailed(message.getCheckpointCommitFailed());
      case LOG_DATA -> logData(message.getLogData());
      case KIND_NOT_SET -> "the message has no kind set";
    };
  }

  static String register(Register r) {
    if (r.getNodeId().isEmpty()) {
      return "the first message must be a Register with a node_id";
    }
    if (!NODE_ID.matcher(r.getNodeId()).matches()) {
      return "register.node_id: must be 1-253 characters of [A-Za-z0-9._:-] starting with a letter"
          + " or digit";
    }
    if (r.getCapacityType() == CapacityType.UNRECOGNIZED) {
      return "register.capacity_type: unknown value";
    }
    String problem = shortText("register.pool", r.getPool());
    if (problem == null) {
      problem = shortText("register.agent_version", r.getAgentVersion());
    }
    if (problem == null) {
      problem = shortText("register.agent_instance", r.getAgentInstance());
    }
    if (problem == null) {
      problem = amount("register.price_per_hour_usd", r.getPricePerHourUsd(), MAX_PRICE_USD);
    }
    if (problem == null) {
      problem = amount("register.cpu", r.getCpu(), MAX_CPU);
    }
    if (problem == null) {
      problem = amount("register.memory_gib", r.getMemoryGib(), MAX_MEMORY_GIB);
    }
    if (problem == null) {
      problem = gpus("register.gpus", r.getGpusList());
    }
    if (problem == null) {
      problem = labels(r.getLabelsMap());
    }
    if (problem == null) {
      problem = running(r.getRunningList(), r.getGpusCount());
    }
    return problem;
  }

  private static String telemetry(Telemetry t, int registeredGpus) {
    if (t.hasSampledAt() && !validTimestamp(t.getSampledAt())) {
      return "telemetry.sampled_at: not a valid time";
    }
    if (t.getGpusCount() != registeredGpus) {
      return "telemetry.gpus: "
          + t.getGpusCount()
          + " GPUs, but the node registered "
          + registeredGpus;
    }
    return gpus("telemetry.gpus", t.getGpusList());
  }

  private static String jobStatus(JobStatus s) {
    String problem = attemptRef("job_status", s.getJobId(), s.getAttempt());
    if (problem != null) {
      return problem;
    }
    if (s.getPhase() == JobStatus.Phase.PHASE_UNSPECIFIED
        || s.getPhase() == JobStatus.Phase.UNRECOGNIZED) {
      return "job_status.phase: must be set to a known phase";
    }
    if (s.getMessage().length() > MAX_STATUS_MESSAGE) {
      return "job_status.message: longer than " + MAX_STATUS_MESSAGE + " characters";
    }
    if (s.hasAt() && !validTimestamp(s.getAt())) {
      return "job_status.at: not a valid time";
    }
    return s.hasRestore() ? restore(s.getRestore()) : null;
  }

  /** At most this many checkpoints passed over are reported by one start. */
  static final int MAX_FAILED_CHECKPOINTS = 100;

  private static String restore(io.tern.api.v1.RestoreReport r) {
    for (var ref : List.of(r.getRequested(), r.getRestored())) {
      if (!ref.getName().isEmpty() && !CHECKPOINT_NAME.matcher(ref.getName()).matches()) {
        return "job_status.restore: a checkpoint name is not 1-128 characters of [A-Za-z0-9._-]";
      }
    }
    if (r.getFailedVerificationCount() > MAX_FAILED_CHECKPOINTS) {
      return "job_status.restore.failed_verification: more than "
          + MAX_FAILED_CHECKPOINTS
          + " checkpoints";
    }
    for (var f : r.getFailedVerificationList()) {
      if (!CHECKPOINT_NAME.matcher(f.getName()).matches() || f.getAttempt() < 0) {
        return "job_status.restore.failed_verification: a name is not 1-128 characters of"
            + " [A-Za-z0-9._-], or an attempt is negative";
      }
      if (f.getReason().length() > MAX_STATUS_MESSAGE) {
        return "job_status.restore.failed_verification.reason: longer than "
            + MAX_STATUS_MESSAGE
            + " characters";
      }
    }
    return null;
  }

  private static String commitFailed(io.tern.api.v1.CheckpointCommitFailed f) {
    String problem = attemptRef("checkpoint_commit_failed", f.getJobId(), f.getAttempt());
    if (problem != null) {
      return problem;
    }
    if (!CHECKPOINT_NAME.matcher(f.getCheckpoint()).matches()) {
      return "checkpoint_commit_failed.checkpoint: not 1-128 characters of [A-Za-z0-9._-]"
          + " starting with a letter or digit";
    }
    if (f.getError().length() > MAX_STATUS_MESSAGE) {
      return "checkpoint_commit_failed.error: longer than " + MAX_STATUS_MESSAGE + " characters";
    }
    if (f.hasFailingSince() && !validTimestamp(f.getFailingSince())) {
      return "checkpoint_commit_failed.failing_since: not a valid time";
    }
    if (f.getFailures() < 0) {
      return "checkpoint_commit_failed.failures: must be >= 0";
    }
    return null;
  }

  private static String spotNotice(SpotNotice n) {
    if (n.getKind() == SpotNotice.Kind.KIND_UNSPECIFIED
        || n.getKind() == SpotNotice.Kind.UNRECOGNIZED) {
      return "spot_notice.kind: must be set to a known kind";
    }
    if (n.hasActionAt() && !validTimestamp(n.getActionAt())) {
      return "spot_notice.action_at: not a valid time";
    }
    return shortText("spot_notice.action", n.getAction());
  }

  private static String checkpoint(CheckpointCommitted c) {
    if (!JobIds.isValid(c.getJobId())) {
      return "checkpoint_committed.job_id: not a job id";
    }
    if (!c.hasCheckpoint()) {
      return "checkpoint_committed.checkpoint: missing";
    }
    CheckpointRef ref = c.getCheckpoint();
    if (!CHECKPOINT_NAME.matcher(ref.getName()).matches()) {
      return "checkpoint_committed.checkpoint.name: not 1-128 characters of [A-Za-z0-9._-]"
          + " starting with a letter or digit";
    }
    if (ref.getAttempt() < 1) {
      return "checkpoint_committed.checkpoint.attempt: must be >= 1";
    }
    if (!ref.hasCommittedAt() || !validTimestamp(ref.getCommittedAt())) {
      return "checkpoint_committed.checkpoint.committed_at: not a valid time";
    }
    if (ref.getSizeBytes() < 0) {
      return "checkpoint_committed.checkpoint.size_bytes: must be >= 0";
    }
    if (!SHA256_HEX.matcher(ref.getManifestSha256()).matches()) {
      return "checkpoint_committed.checkpoint.manifest_sha256: not 64 lower-case hex digits";
    }
    if (c.getSaveMillis() < 0) {
      return "checkpoint_committed.save_millis: must be >= 0";
    }
    return null;
  }

  private static String logData(LogData d) {
    if (d.getData().size() > MAX_LOG_CHUNK) {
      return "log_data.data: more than " + MAX_LOG_CHUNK + " bytes";
    }
    if (d.getNextOffset() < 0) {
      return "log_data.next_offset: must be >= 0";
    }
    if (d.getError().length() > MAX_MESSAGE_TEXT) {
      return "log_data.error: longer than " + MAX_MESSAGE_TEXT + " characters";
    }
    return null;
  }

  /** GPUs as the core needs them: indices 0..n-1, each once, and sane readings. */
  private static String gpus(String field, List<Gpu> gpus) {
    if (gpus.size() > MAX_GPUS) {
      return field + ": more than " + MAX_GPUS + " GPUs";
    }
    BitSet seen = new BitSet();
    for (int i = 0; i < gpus.size(); i++) {
      Gpu g = gpus.get(i);
      String at = field + "[" + i + "]";
      if (g.getIndex() < 0 || g.getIndex() >= gpus.size() || seen.get(g.getIndex())) {
        return at + ".index: GPU indices must be 0.." + (gpus.size() - 1) + ", each once";
      }
      seen.set(g.getIndex());
      String problem = shortText(at + ".uuid", g.getUuid());
      if (problem == null) {
        problem = shortText(at + ".model", g.getModel());
      }
      if (problem != null) {
        return problem;
      }
      if (g.getMemoryTotalMib() < 0 || g.getMemoryTotalMib() > MAX_GPU_MEMORY_MIB) {
        return at + ".memory_total_mib: must be between 0 and " + MAX_GPU_MEMORY_MIB;
      }
      if (g.getMemoryUsedMib() < 0 || g.getMemoryUsedMib() > MAX_GPU_MEMORY_MIB) {
        return at + ".memory_used_mib: must be between 0 and " + MAX_GPU_MEMORY_MIB;
      }
      if (g.getUtilizationPercent() < 0 || g.getUtilizationPercent() > 100) {
        return at + ".utilization_percent: must be between 0 and 100";
      }
      if (g.getTemperatureC() < -273 || g.getTemperatureC() > 1000) {
        return at + ".temperature_c: must be between -273 and 1000";
      }
      problem = amount(at + ".power_w", g.getPowerW(), MAX_POWER_W);
      if (problem != null) {
        return problem;
      }
      if (g.getHealth() == GpuHealth.UNRECOGNIZED) {
        return at + ".health: unknown value";
      }
    }
    return null;
  }

  private static String labels(Map<String, String> labels) {
    if (labels.size() > MAX_LABELS) {
      return "register.labels: more than " + MAX_LABELS + " labels";
    }
    for (Map.Entry<String, String> e : labels.entrySet()) {
      if (!LABEL_KEY.matcher(e.getKey()).matches()) {
        return "register.labels: a key is not 1-63 characters of [A-Za-z0-9._/-]";
      }
      if (e.getValue().length() > MAX_LABEL_VALUE || hasControl(e.getValue())) {
        return "register.labels["
            + e.getKey()
            + "]: longer than "
            + MAX_LABEL_VALUE
            + " characters or holds control characters";
      }
    }
    return null;
  }

  private static String running(List<RunningAttempt> running, int gpuCount) {
    if (running.size() > MAX_RUNNING) {
      return "register.running: more than " + MAX_RUNNING + " attempts";
    }
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < running.size(); i++) {
      RunningAttempt a = running.get(i);
      String at = "register.running[" + i + "]";
      String problem = attemptRef(at, a.getJobId(), a.getAttempt());
      if (problem != null) {
        return problem;
      }
      if (!seen.add(a.getJobId())) {
        return at + ".job_id: listed twice";
      }
      BitSet indices = new BitSet();
      for (int gpu : a.getGpuIndicesList()) {
        if (gpu < 0 || gpu >= gpuCount || indices.get(gpu)) {
          return at
              + ".gpu_indices: must be distinct GPUs of this node (0.."
              + (gpuCount - 1)
              + ")";
        }
        indices.set(gpu);
      }
      if (a.hasRestore() && restore(a.getRestore()) != null) {
        return at + ": " + restore(a.getRestore());
      }
    }
    return null;
  }

  private static String attemptRef(String field, String jobId, int attempt) {
    if (!JobIds.isValid(jobId)) {
      return field + ".job_id: not a job id";
    }
    if (attempt < 1) {
      return field + ".attempt: must be >= 1";
    }
    return null;
  }

  private static String shortText(String field, String value) {
    if (value.length() > MAX_SHORT_TEXT || hasControl(value)) {
      return field + ": longer than " + MAX_SHORT_TEXT + " characters or holds control characters";
    }
    return null;
  }

  private static String amount(String field, double value, double max) {
    // Written so that NaN fails too.
    if (!(value >= 0 && value <= max)) {
      return field + ": must be a number between 0 and " + (long) max;
    }
    return null;
  }

  private static boolean hasControl(String text) {
    return text.chars().anyMatch(Character::isISOControl);
  }

  static boolean validTimestamp(Timestamp t) {
    return t.getSeconds() >= MIN_TIMESTAMP_SECONDS
        && t.getSeconds() <= MAX_TIMESTAMP_SECONDS
        && t.getNanos() >= 0
        && t.getNanos() <= 999_999_999;
  }
}
