package io.tern.cli.demo;

import io.tern.api.v1.Job;
import io.tern.api.v1.Node;
import io.tern.cli.history.HistoryTrace;
import io.tern.simulator.ProgressListener;
import io.tern.simulator.Simulation;
import io.tern.simulator.SimulationRequest;
import io.tern.simulator.report.HtmlReport;
import io.tern.simulator.report.SimulationSummary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The demo's jobs as a trace in the simulator's native format (submit times and work as measured),
 * replayed under every policy, and written as a self-contained HTML report.
 */
final class DemoReport {
  static final String TRACE = "demo-trace.csv";
  static final String NODES = "demo-nodes.csv";
  static final String REPORT = "report.html";

  /** Where the spot availability traces are, relative to the repository root. */
  static final Path SPOT_TRACES = Path.of("..", "shared", "traces", "cant-be-late-spot");

  private DemoReport() {}

  /** The jobs as native-format CSV, as {@code tern history export} writes them. */
  static String trace(List<Job> jobs) {
    return HistoryTrace.trace(jobs);
  }

  /** The spot traces beside the repository, or null when there are none (synthetic model). */
  static Path spotTraces(Path repoRoot) {
    Path dir = repoRoot.resolve(SPOT_TRACES).normalize();
    return Files.isDirectory(dir) ? dir : null;
  }

  /**
   * Writes {@code dir/demo-trace.csv} and, when there are any, the demo's own nodes as {@code
   * dir/demo-nodes.csv} (so the report describes the cluster the demo ran, not a derived one),
   * simulates it under every policy, writes the report.
   */
  static SimulationSummary write(List<Job> jobs, List<Node> nodes, Path dir, Path spotTraces)
      throws IOException {
    Path trace = Files.writeString(dir.resolve(TRACE), trace(jobs));
    SimulationRequest request =
        SimulationRequest.of(trace, "native").withPolicies(List.of("all")).withSeed(1);
    if (nodes.stream().anyMatch(n -> n.getGpusCount() > 0)) {
      request =
          request.withNodes(Files.writeString(dir.resolve(NODES), HistoryTrace.nodeList(nodes)));
    }
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
