package io.tern.simulator.trace;

import java.util.List;

/**
 * What an importer produces: the jobs sorted by submit time then id, the cluster's node shapes, and
 * the mapping notes that say how trace fields became model fields (written into the report).
 */
public record Workload(
    String format, List<TraceJob> jobs, List<TraceNode> nodes, List<String> mappingNotes) {
  /** Copies the lists so the workload is immutable. */
  public Workload {
    jobs = List.copyOf(jobs);
    nodes = List.copyOf(nodes);
    mappingNotes = List.copyOf(mappingNotes);
  }
}
