package io.tern.simulator.trace;

import io.tern.scheduler.core.model.CapacityPreference;
import io.tern.scheduler.core.model.PriorityClass;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * How fields of the Alibaba GPU trace (cluster-trace-gpu-v2023, "openb") become Tern job fields.
 * The trace has no teams, checkpoints or deadlines, so these are choices; {@link #describe()}
 * writes them into the report.
 *
 * @param qosPriority qos value → priority class; unknown qos values get {@code NORMAL}
 * @param qosCapacity qos value → capacity preference; unknown qos values get {@code SPOT_OK}
 * @param teamCount teams {@code team-0 … team-(n-1)}; a pod's team is FNV-1a(pod name) mod n
 * @param checkpointIntervalSeconds checkpoint interval given to every GPU pod; 0 = none checkpoint
 * @param deadlineShare the share of pods (0 to 1) given a deadline, drawn per pod from a hash of
 *     the simulation seed and the pod name, so the same seed picks the same pods whatever the row
 *     order; 0 = no deadlines
 * @param deadlineSlack a chosen pod's deadline is submit + slack × duration (at least 1)
 * @param deadlineMinSlackSeconds but never less than this after submit + duration: a deadline
 *     tighter than a node launch and a scheduling round is one no elastic cluster can keep (the
 *     trace's pods run from seconds to months)
 * @param includeUnscheduled pods never scheduled (empty {@code scheduled_time}) are replayed with
 *     duration deletion − creation when true, and left out (counted in the notes) when false
 * @param includeCpuOnly pods with {@code num_gpu = 0} are left out unless true (they cost no GPU)
 */
public record AlibabaMapping(
    Map<String, PriorityClass> qosPriority,
    Map<String, CapacityPreference> qosCapacity,
    int teamCount,
    long checkpointIntervalSeconds,
    double deadlineShare,
    double deadlineSlack,
    long deadlineMinSlackSeconds,
    boolean includeUnscheduled,
    boolean includeCpuOnly) {

  /** Copies the maps (sorted, for a deterministic description). */
  public AlibabaMapping {
    qosPriority = Collections.unmodifiableSortedMap(new TreeMap<>(qosPriority));
    qosCapacity = Collections.unmodifiableSortedMap(new TreeMap<>(qosCapacity));
    if (teamCount < 1) {
      throw new IllegalArgumentException("teamCount must be at least 1");
    }
    if (!(deadlineShare >= 0 && deadlineShare <= 1)) {
      throw new IllegalArgumentException(
          "deadline share: must be between 0 and 1, got " + deadlineShare);
    }
    if (deadlineMinSlackSeconds < 0) {
      throw new IllegalArgumentException(
          "deadline minimum slack: must not be negative, got " + deadlineMinSlackSeconds);
    }
    if (!(deadlineSlack >= 1 && Double.isFinite(deadlineSlack))) {
      throw new IllegalArgumentException(
          "deadline slack: must be at least 1 (deadline = submit + slack x duration), got "
              + deadlineSlack);
    }
  }

  /** Share of pods given a deadline by default. */
  public static final double DEFAULT_DEADLINE_SHARE = 0.2;

  /** Deadline slack by default: a chosen pod must finish within 1.5 x its duration of submit. */
  public static final double DEFAULT_DEADLINE_SLACK = 1.5;

  /** Least time between a pod's uninterrupted finish and its deadline, by default: one hour. */
  public static final long DEFAULT_DEADLINE_MIN_SLACK_SECONDS = 3600;

  /**
   * The defaults: Guaranteed and LS (latency-sensitive) → high, Burstable → normal, BE → low; every
   * pod spot-ok; 8 hashed teams; 30-minute checkpoints; a seeded 20% of pods with a deadline of
   * submit + 1.5 × duration, at least an hour after submit + duration; never-scheduled and CPU-only
   * pods left out.
   */
  public static AlibabaMapping defaults() {
    return new AlibabaMapping(
        Map.of(
            "Guaranteed", PriorityClass.HIGH,
            "LS", PriorityClass.HIGH,
            "Burstable", PriorityClass.NORMAL,
            "BE", PriorityClass.LOW),
        Map.of(),
        8,
        1800,
        DEFAULT_DEADLINE_SHARE,
        DEFAULT_DEADLINE_SLACK,
        DEFAULT_DEADLINE_MIN_SLACK_SECONDS,
        false,
        false);
  }

  /**
   * Returns a copy that gives {@code share} of the pods a deadline of submit + slack × duration,
   * and at least {@link #deadlineMinSlackSeconds} after submit + duration.
   */
  public AlibabaMapping withDeadlines(double share, double slack) {
    return withDeadlines(share, slack, deadlineMinSlackSeconds);
  }

  /** Returns a copy with every deadline setting replaced. */
  public AlibabaMapping withDeadlines(double share, double slack, long minSlackSeconds) {
    return new AlibabaMapping(
        qosPriority,
        qosCapacity,
        teamCount,
        checkpointIntervalSeconds,
        share,
        slack,
        minSlackSeconds,
        includeUnscheduled,
        includeCpuOnly);
  }

  /** The deadline of a chosen pod submitted at {@code submit} with {@code duration} of work. */
  public long deadline(long submit, long duration) {
    long slack = Math.max(Math.round((deadlineSlack - 1) * duration), deadlineMinSlackSeconds);
    return submit + duration + Math.max(1, slack);
  }

  /**
   * Whether the pod named {@code name} gets a deadline under {@code seed}: a uniform draw from a
   * hash of both, below {@link #deadlineShare}.
   */
  public boolean hasDeadline(String name, long seed) {
    if (deadlineShare <= 0) {
      return false;
    }
    long hash = 0xcbf29ce484222325L ^ seed;
    for (byte b : name.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
      hash ^= b & 0xff;
      hash *= 0x100000001b3L;
    }
    return new java.util.SplittableRandom(hash).nextDouble() < deadlineShare;
  }

  /** Human-readable lines for the report. */
  public List<String> describe() {
    List<String> lines = new ArrayList<>();
    lines.add("priority from qos: " + qosPriority + " (others: NORMAL)");
    lines.add(
        "capacity from qos: "
            + (qosCapacity.isEmpty() ? "{}" : qosCapacity)
            + " (others: SPOT_OK)");
    lines.add("team = team-<FNV-1a(pod name) mod " + teamCount + ">");
    lines.add("duration = deletion_time - scheduled_time (work of the pod's one real run)");
    lines.add("submit = creation_time");
    lines.add(
        checkpointIntervalSeconds > 0
            ? "every GPU pod checkpoints every " + checkpointIntervalSeconds + " s"
            : "no pod can checkpoint");
    lines.add(
        deadlineShare > 0
            ? String.format(
                java.util.Locale.ROOT,
                "deadlines (the trace has none): %.0f%% of pods, drawn from a hash of the seed and"
                    + " the pod name, get deadline = submit + %s x duration, and at least %d s"
                    + " after submit + duration",
                100 * deadlineShare,
                deadlineSlack,
                deadlineMinSlackSeconds)
            : "no deadlines (the trace has none)");
    lines.add(
        includeUnscheduled
            ? "never-scheduled pods replayed with duration = deletion_time - creation_time"
            : "never-scheduled pods (empty scheduled_time) left out: no run time is known");
    lines.add(includeCpuOnly ? "CPU-only pods replayed" : "CPU-only pods (num_gpu = 0) left out");
    lines.add("gpu_milli < 1000 -> one fractional, shareable GPU");
    return lines;
  }
}
