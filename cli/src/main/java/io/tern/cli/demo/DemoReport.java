package io.tern.cli.demo;

import io.tern.api.v1.Attempt;
import io.tern.api.v1.CapacityPreference;
import io.tern.api.v1.Job;
import io.tern.api.v1.JobSpec;
import io.tern.api.v1.Priority;
import io.tern.simulator.ProgressListener;
import io.tern.simulator.Simulation;
import io.tern.simulator.SimulationRequest;
import io.tern.simulator.report.HtmlReport;
import io.tern.simulator.report.SimulationSummary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * The demo's jobs as a trace in the simulator's native format (submit times and run times as
 * measured), replayed under every policy, and written as a self-contained HTML report.
 */
final class DemoReport {
  static final String TRACE = "demo-trace.csv";
  static final String REPORT = "report.html";

  /** Where the spot availability traces are, relative to the repository root. */
  static final Path SPOT_TRACES = Path.of("..", "shared", "traces", "cant-be-late-spot");

  private DemoReport() {}

  /**
   * The jobs as native-format CSV: {@code id, submit, duration, gpus, nodes, team, priority,
   * capacity, checkpoint_interval}; submit in seconds after the first job's submission, duration
   * the seconds its attempts ran in all (at least 1).
   */
  static String trace(List<Job> jobs) {
    List<Job> sorted =
        jobs.stream()
            .sorted(
                Comparator.comparing((Job j) -> DemoFigures.instant(j.getSubmittedAt()))
                    .thenComparing(Job::getId))
            .toList();
    Instant first = DemoFigures.instant(sorted.getFirst().getSubmittedAt());
    StringBuilder csv =
        new StringBuilder(
            "id,submit,duration,gpus,nodes,team,priority,capacity,checkpoint_interval\n");
    for (Job job : sorted) {
      JobSpec spec = job.getSpec();
      long submit =
          Duration.between(first, DemoFigures.instant(job.getSubmittedAt())).toMillis() / 1000;
      csv.append(
          String.format(
              Locale.ROOT,
              "%s,%d,%d,%d,%d,%s,%s,%s,%s%n",
              job.getId(),
              submit,
              ranSeconds(job),
              spec.getResources().getGpus(),
              Math.max(1, spec.getResources().getNodes()),
              spec.getTeam(),
              priority(spec.getPriority()),
              capacity(spec.getCapacity()),
              spec.hasCheckpoint() && spec.getCheckpoint().getInterval().getSeconds() > 0
                  ? Long.toString(spec.getCheckpoint().getInterval().getSeconds())
                  : ""));
    }
    return csv.toString();
  }

  /** Seconds the job's attempts ran, together, rounded up; at least 1. */
  static long ranSeconds(Job job) {
    long millis = 0;
    for (Attempt a : job.getAttemptsList()) {
      if (a.hasStartedAt() && a.hasEndedAt()) {
        millis +=
            Duration.between(
                    DemoFigures.instant(a.getStartedAt()), DemoFigures.instant(a.getEndedAt()))
                .toMillis();
      }
    }
    return Math.max(1, (millis + 999) / 1000);
  }

  private static String priority(Priority p) {
    return switch (p) {
      case PRIORITY_HIGH -> "high";
      case PRIORITY_LOW -> "low";
      default -> "normal";
    };
  }

  private static String capacity(CapacityPreference c) {
    return switch (c) {
      case CAPACITY_SPOT_ONLY -> "spot-only";
      case CAPACITY_ON_DEMAND -> "on-demand";
      default -> "spot-ok";
    };
  }

  /** The spot traces beside the repository, or null when there are none (synthetic model). */
  static Path spotTraces(Path repoRoot) {
    Path dir = repoRoot.resolve(SPOT_TRACES).normalize();
    return Files.isDirectory(dir) ? dir : null;
  }

  /** Writes {@code dir/demo-trace.csv}, simulates it under every policy, writes the report. */
  static SimulationSummary write(List<Job> jobs, Path dir, Path spotTraces) throws IOException {
    Path trace = Files.writeString(dir.resolve(TRACE), trace(jobs));
    SimulationRequest request =
        SimulationRequest.of(trace, "native").withPolicies(List.of("all")).withSeed(1);
    if (spotTraces != null) {
      request = request.withSpotDir(spotTraces);
    }
    SimulationSummary summary = Simulation.run(request, ProgressListener.NONE);
    HtmlReport.write(summary, dir.resolve(REPORT));
    return summary;
  }

  static List<String> policyLines(SimulationSummary summary) {
    List<String> lines = new ArrayList<>();
    for (var p : summary.policies()) {
      lines.add(
          String.format(
              Locale.ROOT,
              "%-16s $%.4f, %d of %d jobs finished, %d reclaims, %d preemptions",
              p.policy(),
              p.costUsd(),
              p.jobsFinished(),
              p.jobsFinished() + p.jobsUnfinished(),
              p.reclaims(),
              p.preemptions()));
    }
    return lines;
  }
}
