package io.tern.cli.history;

import com.google.protobuf.Timestamp;
import io.tern.api.v1.Attempt;
import io.tern.api.v1.CheckpointRef;
import io.tern.api.v1.Gpu;
import io.tern.api.v1.Job;
import io.tern.api.v1.JobSpec;
import io.tern.api.v1.Node;
import io.tern.scheduler.core.model.CapacityPreference;
import io.tern.scheduler.core.model.PriorityClass;
import io.tern.simulator.trace.NativeTraceWriter;
import io.tern.simulator.trace.TraceJob;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The scheduler's jobs and nodes in the simulator's native formats: jobs as {@link TraceJob}s (and
 * so the trace CSV of DESIGN.md), nodes as the node list {@code NodeListReader} reads.
 *
 * <ul>
 *   <li>{@code submit}: whole seconds after the earliest submission among the jobs;
 *   <li>{@code duration}: the work the job did, in seconds rounded up: its last attempt's run time
 *       plus the work in the checkpoint it resumed from (the run time of the attempt that wrote it
 *       up to its commit, plus the work in the checkpoint that one resumed from, and so on). Work
 *       lost to a reclaim or a node loss is not counted, so a replay runs what an uninterrupted run
 *       would have;
 *   <li>{@code checkpoint_interval}: the spec's interval; a job that checkpoints only when asked (a
 *       {@code checkpoint:} section without one) gets its duration, so that a replay saves it on a
 *       reclaim notice or a preemption and never in between, as it ran;
 *   <li>{@code deadline}: the spec's deadline in trace seconds, at least a second after submit.
 * </ul>
 */
public final class HistoryTrace {
  /** The node list's header; the simulator reads {@code id, gpus, gpu_model, gpu_mem_gib}. */
  public static final String NODE_HEADER =
      "id,gpus,gpu_model,gpu_mem_gib,capacity,pool,price_per_hour_usd";

  private HistoryTrace() {}

  /** The jobs as trace jobs, sorted by submission then id. Empty for no jobs. */
  public static List<TraceJob> jobs(List<Job> jobs) {
    List<Job> sorted =
        jobs.stream()
            .sorted(
                Comparator.comparing((Job j) -> instant(j.getSubmittedAt()))
                    .thenComparing(Job::getId))
            .toList();
    List<TraceJob> out = new ArrayList<>(sorted.size());
    if (sorted.isEmpty()) {
      return out;
    }
    Instant first = instant(sorted.getFirst().getSubmittedAt());
    for (Job job : sorted) {
      JobSpec spec = job.getSpec();
      long submit = Duration.between(first, instant(job.getSubmittedAt())).toSeconds();
      long deadline = TraceJob.NO_DEADLINE;
      if (spec.hasDeadline()) {
        long millis = Duration.between(first, instant(spec.getDeadline())).toMillis();
        deadline = Math.max(submit + 1, Math.ceilDiv(millis, 1000));
      }
      long duration = Math.max(1, Math.ceilDiv(workMillis(job), 1000));
      long interval = 0;
      if (spec.hasCheckpoint()) {
        interval =
            spec.getCheckpoint().hasInterval()
                ? Math.max(0, spec.getCheckpoint().getInterval().getSeconds())
                : duration;
      }
      out.add(
          new TraceJob(
              job.getId(),
              submit,
              duration,
              spec.getResources().getGpus(),
              1000,
              Math.max(1, spec.getResources().getNodes()),
              spec.getTeam(),
              priority(spec),
              capacity(spec),
              interval,
              deadline,
              spec.getResources().getGpuModelsList(),
              (int) Math.ceil(spec.getResources().getGpuMemoryGib())));
    }
    return out;
  }

  /** The jobs as native trace CSV. */
  public static String trace(List<Job> jobs) {
    return NativeTraceWriter.write(jobs(jobs));
  }

  /**
   * The work a job did, in milliseconds: see the class comment. 0 for a job whose attempts never
   * both started and ended.
   */
  static long workMillis(Job job) {
    for (int i = job.getAttemptsCount() - 1; i >= 0; i--) {
      Attempt last = job.getAttempts(i);
      if (last.hasStartedAt() && last.hasEndedAt()) {
        return workAt(job, last, instant(last.getEndedAt()));
      }
    }
    return 0;
  }

  /** The work in {@code attempt}'s progress at {@code t}, with what it resumed from. */
  private static long workAt(Job job, Attempt attempt, Instant t) {
    Instant start = instant(attempt.getStartedAt());
    Instant end = attempt.hasEndedAt() ? instant(attempt.getEndedAt()) : t;
    Instant until = t.isAfter(end) ? end : t;
    long own = Math.max(0, Duration.between(start, until).toMillis());
    if (!attempt.hasResumedFrom()) {
      return own;
    }
    CheckpointRef from = attempt.getResumedFrom();
    for (Attempt writer : job.getAttemptsList()) {
      // Only an earlier attempt can have written it, which also rules out a loop.
      if (writer.getNumber() == from.getAttempt()
          && writer.getNumber() < attempt.getNumber()
          && writer.hasStartedAt()) {
        return own + workAt(job, writer, instant(from.getCommittedAt()));
      }
    }
    return own;
  }

  /**
   * The nodes as a node list: one row a node with GPUs (the simulator places GPU work only), its
   * most common GPU model and that model's smallest memory (empty when unreported: the simulator
   * then assumes the model's usual memory); capacity and price price the replay's GPU models
   * ({@code PriceTable.withNodePrices}); the pool is for people (the simulator buys the nodes as
   * each policy says).
   */
  public static String nodeList(List<Node> nodes) {
    StringBuilder csv = new StringBuilder(NODE_HEADER).append('\n');
    for (Node node : nodes) {
      if (node.getGpusCount() == 0) {
        continue;
      }
      Map<String, Integer> counts = new TreeMap<>();
      Map<String, Long> memory = new TreeMap<>();
      for (Gpu gpu : node.getGpusList()) {
        String model = gpu.getModel().isEmpty() ? "GPU" : gpu.getModel();
        counts.merge(model, 1, Integer::sum);
        memory.merge(model, gpu.getMemoryTotalMib(), Math::min);
      }
      String model =
          counts.entrySet().stream()
              .max(
                  Map.Entry.<String, Integer>comparingByValue()
                      .thenComparing(Map.Entry.comparingByKey(Comparator.reverseOrder())))
              .orElseThrow()
              .getKey();
      csv.append(NativeTraceWriter.cell(node.getId()))
          .append(',')
          .append(node.getGpusCount())
          .append(',')
          .append(NativeTraceWriter.cell(model))
          .append(',')
          .append(memory.get(model) >= 1024 ? Long.toString(memory.get(model) / 1024) : "")
          .append(',')
          .append(capacity(node))
          .append(',')
          .append(NativeTraceWriter.cell(node.getPool()))
          .append(',')
          .append(String.format(Locale.ROOT, "%.4f", node.getPricePerHourUsd()))
          .append('\n');
    }
    return csv.toString();
  }

  private static String capacity(Node node) {
    return switch (node.getCapacityType()) {
      case CAPACITY_TYPE_SPOT -> "spot";
      case CAPACITY_TYPE_ON_DEMAND -> "on-demand";
      default -> "";
    };
  }

  private static PriorityClass priority(JobSpec spec) {
    return switch (spec.getPriority()) {
      case PRIORITY_HIGH -> PriorityClass.HIGH;
      case PRIORITY_LOW -> PriorityClass.LOW;
      default -> PriorityClass.NORMAL;
    };
  }

  private static CapacityPreference capacity(JobSpec spec) {
    return switch (spec.getCapacity()) {
      case CAPACITY_SPOT_ONLY -> CapacityPreference.SPOT_ONLY;
      case CAPACITY_ON_DEMAND -> CapacityPreference.ON_DEMAND;
      default -> CapacityPreference.SPOT_OK;
    };
  }

  private static Instant instant(Timestamp t) {
    return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
  }
}
