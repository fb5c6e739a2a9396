package io.tern.simulator.trace;

import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Writes jobs in the simulator's native trace format ({@link NativeTraceReader} reads it back to
 * equal jobs): every column of DESIGN.md's header, an empty cell where a field is not set.
 */
public final class NativeTraceWriter {
  /** The header row, in DESIGN.md's column order. */
  public static final String HEADER =
      "id,submit,duration,gpus,nodes,team,priority,capacity,checkpoint_interval,deadline,"
          + "gpu_model,gpu_mem_gib";

  private NativeTraceWriter() {}

  /** The CSV text of {@code jobs}, header first, one row a job in the order given. */
  public static String write(List<TraceJob> jobs) {
    StringBuilder csv = new StringBuilder(HEADER).append('\n');
    for (TraceJob job : jobs) {
      csv.append(cell(job.id()))
          .append(',')
          .append(job.submitSeconds())
          .append(',')
          .append(job.durationSeconds())
          .append(',')
          .append(gpus(job))
          .append(',')
          .append(job.nodes())
          .append(',')
          .append(cell(job.team()))
          .append(',')
          .append(job.priority().label())
          .append(',')
          .append(job.capacity().label())
          .append(',')
          .append(job.canCheckpoint() ? Long.toString(job.checkpointIntervalSeconds()) : "")
          .append(',')
          .append(job.hasDeadline() ? Long.toString(job.deadlineSeconds()) : "")
          .append(',')
          .append(cell(job.gpuModels().stream().collect(Collectors.joining("|"))))
          .append(',')
          .append(job.gpuMemGib() > 0 ? Integer.toString(job.gpuMemGib()) : "")
          .append('\n');
    }
    return csv.toString();
  }

  /** Whole GPUs as a whole number; one fractional GPU as its share, e.g. 0.25. */
  private static String gpus(TraceJob job) {
    if (job.gpuMilli() == 1000 || job.gpus() != 1) {
      return Integer.toString(job.gpus());
    }
    return String.format(Locale.ROOT, "%.3f", job.gpuMilli() / 1000.0).replaceAll("0+$", "");
  }

  /** A CSV text cell, quoted when it holds a comma, a quote or surrounding blanks. */
  public static String cell(String text) {
    if (text.contains(",") || text.contains("\"") || !text.equals(text.trim())) {
      return '"' + text.replace("\"", "\"\"") + '"';
    }
    return text;
  }
}
