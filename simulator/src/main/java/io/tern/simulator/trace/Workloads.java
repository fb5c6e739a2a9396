package io.tern.simulator.trace;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Loads a workload in a named format; the one entry point importers are reached through. */
public final class Workloads {
  /** The native CSV format of DESIGN.md. */
  public static final String NATIVE = "native";

  /** Formats {@link #load} understands. */
  public static final List<String> FORMATS = List.of(NATIVE, AlibabaTraceImporter.FORMAT);

  private Workloads() {}

  /**
   * Loads {@code jobs} in {@code format}. For the native format without a node list, the one beside
   * the trace is read ({@link #besideNodeList}), else a default cluster is derived from the trace
   * (see {@link #defaultCluster}).
   *
   * @param nodes node list, or {@code null}
   * @param seed seeds the importers' random choices (Alibaba: which pods get a deadline)
   * @throws TraceFormatException for bad input or an unknown format
   */
  public static Workload load(
      String format, Path jobs, Path nodes, AlibabaMapping mapping, long seed) {
    String name = format == null ? NATIVE : format.toLowerCase(Locale.ROOT);
    if (name.equals(AlibabaTraceImporter.FORMAT) || name.equals("alibaba")) {
      return AlibabaTraceImporter.importTrace(jobs, nodes, mapping, seed);
    }
    if (!name.equals(NATIVE)) {
      throw new TraceFormatException(
          jobs, 0, null, "unknown trace format '" + format + "'; expected one of " + FORMATS);
    }
    NativeTraceReader.Trace trace = NativeTraceReader.readTrace(jobs);
    List<TraceJob> jobList = trace.jobs();
    List<String> notes = new ArrayList<>();
    notes.add("native trace: fields taken as written; " + jobList.size() + " jobs");
    List<String> ignored = trace.ignoredColumns();
    if (!ignored.isEmpty()) {
      // A misspelt column (deadlines, say) would otherwise vanish without a word.
      notes.add(
          "columns ignored, not trace columns: "
              + String.join(", ", ignored)
              + " (the columns: "
              + String.join(", ", NativeTraceReader.COLUMNS)
              + ")");
    }
    List<TraceNode> nodeList;
    Path beside = besideNodeList(jobs);
    if (nodes != null) {
      nodeList = NodeListReader.read(nodes);
      notes.add("nodes: " + nodeList.size() + " from " + nodes.getFileName());
    } else if (java.nio.file.Files.isRegularFile(beside)) {
      nodeList = NodeListReader.read(beside);
      notes.add(
          "nodes: "
              + nodeList.size()
              + " from "
              + beside.getFileName()
              + ", found beside the trace");
    } else {
      nodeList = defaultCluster(jobList);
      notes.add(
          "nodes: no node list given; "
              + nodeList.size()
              + " nodes of "
              + nodeList.get(0).gpus()
              + " x V100 sized to 1.25 x the trace's mean GPU demand");
    }
    return new Workload(NATIVE, jobList, nodeList, notes);
  }

  /**
   * Where a native trace's own node list is looked for when none is given: {@code NAME.nodes.csv}
   * beside {@code NAME.csv} (what {@code tern history export} writes).
   */
  public static Path besideNodeList(Path jobs) {
    String name = jobs.getFileName().toString();
    String stem = name.endsWith(".csv") ? name.substring(0, name.length() - 4) : name;
    return jobs.resolveSibling(stem + ".nodes.csv");
  }

  /**
   * A cluster of identical V100 nodes with at least 8 GPUs (more if a job needs more per node),
   * enough for the largest gang and for 1.25 × the mean concurrent GPU demand of the trace.
   */
  public static List<TraceNode> defaultCluster(List<TraceJob> jobs) {
    int gpusPerNode = 8;
    int largestGang = 1;
    double gpuSeconds = 0;
    long first = Long.MAX_VALUE;
    long last = 0;
    for (TraceJob job : jobs) {
      gpusPerNode = Math.max(gpusPerNode, job.gpus());
      largestGang = Math.max(largestGang, job.nodes());
      gpuSeconds += job.gpuEquivalents() * job.durationSeconds();
      first = Math.min(first, job.submitSeconds());
      last = Math.max(last, job.submitSeconds() + job.durationSeconds());
    }
    double span = Math.max(1, last - (first == Long.MAX_VALUE ? 0 : first));
    int count = Math.max(largestGang, (int) Math.ceil(1.25 * gpuSeconds / span / gpusPerNode));
    List<TraceNode> nodes = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      nodes.add(new TraceNode(String.format(Locale.ROOT, "node-%05d", i), gpusPerNode, "V100", 16));
    }
    return nodes;
  }
}
