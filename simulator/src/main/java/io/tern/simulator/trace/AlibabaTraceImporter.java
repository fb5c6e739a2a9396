package io.tern.simulator.trace;

import io.tern.scheduler.core.model.CapacityPreference;
import io.tern.scheduler.core.model.PriorityClass;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Imports the Alibaba GPU trace v2023 ({@code openb_pod_list_default.csv} and {@code
 * openb_node_list_gpu_node.csv}) into a {@link Workload}, following an {@link AlibabaMapping}.
 */
public final class AlibabaTraceImporter {
  /** Columns the pod list must have. */
  public static final List<String> REQUIRED_COLUMNS =
      List.of(
          "name",
          "num_gpu",
          "gpu_milli",
          "qos",
          "creation_time",
          "deletion_time",
          "scheduled_time");

  /** Format name used in requests and reports. */
  public static final String FORMAT = "alibaba-v2023";

  private AlibabaTraceImporter() {}

  /**
   * Imports pods and nodes.
   *
   * @param pods the pod list
   * @param nodes the node list, or {@code null} for the file {@code openb_node_list_gpu_node.csv}
   *     beside {@code pods} when it exists
   * @param seed picks the pods that get a deadline ({@link AlibabaMapping#hasDeadline})
   * @throws TraceFormatException naming file, row and column of the first bad cell
   */
  public static Workload importTrace(Path pods, Path nodes, AlibabaMapping mapping, long seed) {
    Path nodeFile = nodes;
    if (nodeFile == null) {
      Path beside = pods.toAbsolutePath().resolveSibling("openb_node_list_gpu_node.csv");
      if (!java.nio.file.Files.exists(beside)) {
        throw new TraceFormatException(
            pods, 0, null, "no node list given and none found at " + beside);
      }
      nodeFile = beside;
    }
    List<TraceNode> nodeList = NodeListReader.read(nodeFile);
    List<TraceJob> jobs = new ArrayList<>();
    int[] skippedUnscheduled = {0};
    int[] skippedCpuOnly = {0};
    Set<String> ids = new HashSet<>();
    CsvTable.read(
        pods,
        REQUIRED_COLUMNS,
        row -> {
          TraceJob job = parse(row, mapping, seed, skippedUnscheduled, skippedCpuOnly);
          if (job != null) {
            if (!ids.add(job.id())) {
              throw row.error("name", "duplicate pod name '" + job.id() + "'");
            }
            jobs.add(job);
          }
        });
    jobs.sort(Comparator.comparingLong(TraceJob::submitSeconds).thenComparing(TraceJob::id));
    List<String> notes = new ArrayList<>(mapping.describe());
    notes.add(
        "imported "
            + jobs.size()
            + " pods, "
            + jobs.stream().filter(TraceJob::hasDeadline).count()
            + " with a deadline; left out "
            + skippedUnscheduled[0]
            + " never scheduled and "
            + skippedCpuOnly[0]
            + " CPU-only pods");
    notes.add("nodes: " + nodeList.size() + " GPU nodes from " + nodeFile.getFileName());
    return new Workload(FORMAT, jobs, nodeList, notes);
  }

  private static TraceJob parse(
      CsvTable.Row row,
      AlibabaMapping mapping,
      long seed,
      int[] skippedUnscheduled,
      int[] skippedCpuOnly) {
    String name = row.requiredText("name");
    int numGpu = row.integer("num_gpu", 0);
    if (numGpu > NodeListReader.MAX_GPUS_PER_NODE) {
      throw row.error(
          "num_gpu",
          "'"
              + numGpu
              + "' is more than a node may have ("
              + NodeListReader.MAX_GPUS_PER_NODE
              + ")");
    }
    int gpuMilli = row.integer("gpu_milli", 1000);
    if (gpuMilli > 1000) {
      throw row.error("gpu_milli", "'" + gpuMilli + "' is more than a whole GPU (1000)");
    }
    if (numGpu == 0 && !mapping.includeCpuOnly()) {
      skippedCpuOnly[0]++;
      return null;
    }
    long creation = row.seconds("creation_time", -1);
    if (creation < 0) {
      throw row.missing("creation_time");
    }
    long deletion = row.seconds("deletion_time", -1);
    if (deletion < 0) {
      throw row.missing("deletion_time");
    }
    long scheduled = row.seconds("scheduled_time", -1);
    if (scheduled >= 0 && scheduled < creation) {
      throw row.error(
          "scheduled_time", scheduled + " is before the pod's creation_time (" + creation + ")");
    }
    if (deletion < Math.max(creation, scheduled)) {
      throw row.error(
          "deletion_time",
          deletion
              + " is before the pod's "
              + (scheduled >= 0
                  ? "scheduled_time (" + scheduled + ")"
                  : "creation_time (" + creation + ")"));
    }
    long duration;
    if (scheduled < 0) {
      if (!mapping.includeUnscheduled()) {
        skippedUnscheduled[0]++;
        return null;
      }
      duration = deletion - creation;
    } else {
      duration = deletion - scheduled;
    }
    duration = Math.max(1, duration);
    String qos = row.text("qos");
    PriorityClass priority = mapping.qosPriority().getOrDefault(qos, PriorityClass.NORMAL);
    CapacityPreference capacity =
        mapping.qosCapacity().getOrDefault(qos, CapacityPreference.SPOT_OK);
    int gpus = numGpu;
    int milli = 1000;
    if (gpuMilli > 0 && gpuMilli < 1000) {
      gpus = Math.max(1, numGpu);
      milli = gpuMilli;
    }
    long deadline =
        mapping.hasDeadline(name, seed)
            ? mapping.deadline(creation, duration)
            : TraceJob.NO_DEADLINE;
    List<String> models =
        row.text("gpu_spec").isEmpty()
            ? List.of()
            : Arrays.stream(row.text("gpu_spec").split("\\|")).map(String::trim).toList();
    return new TraceJob(
        name,
        creation,
        duration,
        gpus,
        milli,
        1,
        team(name, mapping.teamCount()),
        priority,
        capacity,
        mapping.checkpointIntervalSeconds(),
        deadline,
        models,
        0);
  }

  /** Deterministic team of a pod: FNV-1a 32-bit of its name, modulo the team count. */
  static String team(String name, int teamCount) {
    int hash = 0x811c9dc5;
    for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
      hash ^= b & 0xff;
      hash *= 0x01000193;
    }
    return "team-" + Integer.remainderUnsigned(hash, teamCount);
  }
}
