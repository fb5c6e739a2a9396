package io.tern.simulator.trace;

import io.tern.scheduler.core.model.CapacityPreference;
import io.tern.scheduler.core.model.PriorityClass;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads the simulator's native trace format (DESIGN.md, "The simulator's native trace format"): CSV
 * with a header; columns {@code id, submit, duration, gpus, nodes, team, priority, capacity,
 * checkpoint_interval, deadline, gpu_model, gpu_mem_gib}; times in seconds from the trace start; an
 * empty cell means "not set". {@code id, submit, duration, gpus} are required columns; the others
 * default to {@code nodes=1, team=default, priority=normal, capacity=spot-ok}, no checkpoints, no
 * deadline, any model. Extra columns are ignored. A {@code gpus} value below 1 (e.g. 0.5) is a
 * fractional, shareable GPU. {@code gpu_model} may list models separated by {@code |}.
 */
public final class NativeTraceReader {
  /** Columns a native trace must have. */
  public static final List<String> REQUIRED_COLUMNS = List.of("id", "submit", "duration", "gpus");

  /** Every column a native trace may have; others are ignored. */
  public static final List<String> COLUMNS =
      List.of(
          "id",
          "submit",
          "duration",
          "gpus",
          "nodes",
          "team",
          "priority",
          "capacity",
          "checkpoint_interval",
          "deadline",
          "gpu_model",
          "gpu_mem_gib");

  /**
   * A native trace as read: its jobs, sorted by submit time then id, and the columns of its header
   * that are not trace columns (ignored, and worth a word: a misspelt one would vanish).
   */
  public record Trace(List<TraceJob> jobs, List<String> ignoredColumns) {}

  private NativeTraceReader() {}

  /**
   * Reads the jobs of {@code file}, sorted by submit time then id.
   *
   * @throws TraceFormatException naming file, row and column of the first bad cell
   */
  public static List<TraceJob> read(Path file) {
    return readTrace(file).jobs();
  }

  /**
   * Reads {@code file} once: its jobs and the columns it ignores.
   *
   * @throws TraceFormatException naming file, row and column of the first bad cell
   */
  public static Trace readTrace(Path file) {
    List<TraceJob> jobs = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    List<String> columns =
        CsvTable.read(
            file,
            REQUIRED_COLUMNS,
            row -> {
              TraceJob job = parse(row);
              if (!ids.add(job.id())) {
                throw row.error("id", "duplicate job id '" + job.id() + "'");
              }
              jobs.add(job);
            });
    jobs.sort(Comparator.comparingLong(TraceJob::submitSeconds).thenComparing(TraceJob::id));
    return new Trace(jobs, columns.stream().filter(c -> !COLUMNS.contains(c)).distinct().toList());
  }

  private static TraceJob parse(CsvTable.Row row) {
    String id = row.requiredText("id");
    long submit = row.seconds("submit", -1);
    if (submit < 0) {
      throw row.missing("submit");
    }
    long duration = row.seconds("duration", -1);
    if (duration < 1) {
      throw duration < 0 ? row.missing("duration") : row.error("duration", "must be at least 1");
    }
    double gpuCount = row.decimal("gpus", -1);
    if (gpuCount < 0) {
      throw row.missing("gpus");
    }
    int gpus;
    int gpuMilli = 1000;
    if (gpuCount > 0 && gpuCount < 1) {
      gpus = 1;
      gpuMilli = (int) Math.max(1, Math.round(gpuCount * 1000));
    } else if (gpuCount != Math.rint(gpuCount)) {
      throw row.error("gpus", "'" + row.text("gpus") + "' must be a whole number or below 1");
    } else if (gpuCount > NodeListReader.MAX_GPUS_PER_NODE) {
      throw row.error(
          "gpus",
          "'"
              + row.text("gpus")
              + "' is more than a node holds ("
              + NodeListReader.MAX_GPUS_PER_NODE
              + ")");
    } else {
      gpus = (int) gpuCount;
    }
    int nodes = row.integer("nodes", 1);
    if (nodes < 1) {
      throw row.error("nodes", "must be at least 1");
    }
    String team = row.text("team").isEmpty() ? "default" : row.text("team");
    PriorityClass priority = PriorityClass.NORMAL;
    if (!row.text("priority").isEmpty()) {
      priority =
          PriorityClass.parse(row.text("priority"))
              .orElseThrow(
                  () ->
                      row.error(
                          "priority", "'" + row.text("priority") + "' is not high|normal|low"));
    }
    CapacityPreference capacity = CapacityPreference.SPOT_OK;
    if (!row.text("capacity").isEmpty()) {
      capacity =
          CapacityPreference.parse(row.text("capacity"))
              .orElseThrow(
                  () ->
                      row.error(
                          "capacity",
                          "'" + row.text("capacity") + "' is not spot-ok|spot-only|on-demand"));
    }
    long interval = row.seconds("checkpoint_interval", 0);
    if (interval == 0 && !row.text("checkpoint_interval").isEmpty()) {
      throw row.error("checkpoint_interval", "must be positive; leave it empty for no checkpoints");
    }
    long deadline = row.seconds("deadline", TraceJob.NO_DEADLINE);
    if (deadline != TraceJob.NO_DEADLINE && deadline <= submit) {
      throw row.error("deadline", "must be after submit (" + submit + ")");
    }
    List<String> models =
        row.text("gpu_model").isEmpty()
            ? List.of()
            : Arrays.stream(row.text("gpu_model").split("\\|"))
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .toList();
    int memory = row.integer("gpu_mem_gib", 0);
    return new TraceJob(
        id, submit, duration, gpus, gpuMilli, nodes, team, priority, capacity, interval, deadline,
        models, memory);
  }
}
