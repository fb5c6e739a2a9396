package io.tern.simulator.trace;

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
 * @param deadlineFactor if positive, deadline = submit + factor × duration; 0 = no deadlines
 * @param includeUnscheduled pods never scheduled (empty {@code scheduled_time}) are replayed with
 *     duration deletion − creation when true, and left out (counted in the notes) when false
 * @param includeCpuOnly pods with {@code num_gpu = 0} are left out unless true (they cost no GPU)
 */
public record AlibabaMapping(
    Map<String, JobPriority> qosPriority,
    Map<String, CapacityPreference> qosCapacity,
    int teamCount,
    long checkpointIntervalSeconds,
    double deadlineFactor,
    boolean includeUnscheduled,
    boolean includeCpuOnly) {

  /** Copies the maps (sorted, for a deterministic description). */
  public AlibabaMapping {
    qosPriority = Collections.unmodifiableSortedMap(new TreeMap<>(qosPriority));
    qosCapacity = Collections.unmodifiableSortedMap(new TreeMap<>(qosCapacity));
    if (teamCount < 1) {
      throw new IllegalArgumentException("teamCount must be at least 1");
    }
  }

  /**
   * The defaults: Guaranteed and LS (latency-sensitive) → high, Burstable → normal, BE → low; every
   * pod spot-ok; 8 hashed teams; 30-minute checkpoints; no deadlines; never-scheduled and CPU-only
   * pods left out.
   */
  public static AlibabaMapping defaults() {
    return new AlibabaMapping(
        Map.of(
            "Guaranteed", JobPriority.HIGH,
            "LS", JobPriority.HIGH,
            "Burstable", JobPriority.NORMAL,
            "BE", JobPriority.LOW),
        Map.of(),
        8,
        1800,
        0.0,
        false,
        false);
  }

  /** Returns a copy with deadlines at submit + factor × duration. */
  public AlibabaMapping withDeadlineFactor(double factor) {
    return new AlibabaMapping(
        qosPriority,
        qosCapacity,
        teamCount,
        checkpointIntervalSeconds,
        factor,
        includeUnscheduled,
        includeCpuOnly);
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
        deadlineFactor > 0
            ? "deadline = submit + " + deadlineFactor + " x duration"
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
