package io.tern.cli.simulate;

import io.tern.scheduler.server.console.ConsoleSimulations;
import io.tern.simulator.Simulation;
import io.tern.simulator.SimulationRequest;
import io.tern.simulator.bench.SyntheticWorkload;
import io.tern.simulator.engine.SimulationSettings;
import io.tern.simulator.policy.ClusterPolicy;
import io.tern.simulator.report.HtmlReport;
import io.tern.simulator.report.SimulationSummary;
import io.tern.simulator.report.SummaryJson;
import io.tern.simulator.spot.PriceTable;
import io.tern.simulator.spot.SpotTraceReader;
import io.tern.simulator.trace.AlibabaTraceImporter;
import io.tern.simulator.trace.TraceFormatException;
import io.tern.simulator.trace.Workloads;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The simulator behind the web console's Simulations page: the same replay as {@code tern
 * simulate}, on a seeded synthetic workload, a trace a user uploads (native format), or the job
 * traces and spot sets found under {@code tern scheduler --simulation-traces DIR} when the
 * scheduler starts: every {@code .csv} file is a native job trace, except Alibaba's {@code
 * *pod_list*.csv} (replayed with the {@code *node_list*.csv} beside it) and the node lists
 * themselves; every directory holding spot traces ({@code .txt} or {@code .csv} files of slots) is
 * a spot set.
 */
public final class ConsoleSimulator implements ConsoleSimulations {
  static final String SYNTHETIC_SPOT = "synthetic";
  private static final Map<String, int[]> SYNTHETIC_TRACES = new LinkedHashMap<>();

  static {
    SYNTHETIC_TRACES.put("synthetic-2000", new int[] {2_000, 64});
    SYNTHETIC_TRACES.put("synthetic-20000", new int[] {20_000, 400});
  }

  private final Map<String, Path> traceFiles = new LinkedHashMap<>();
  private final Map<String, Path> spotDirs = new LinkedHashMap<>();
  private final Catalog catalog;

  /**
   * @param dir where to find job traces and spot sets, or null for the synthetic ones only
   * @throws IllegalArgumentException when {@code dir} is not a readable directory
   */
  public ConsoleSimulator(Path dir) {
    List<Choice> traces = new ArrayList<>();
    SYNTHETIC_TRACES.forEach(
        (id, size) ->
            traces.add(
                new Choice(
                    id,
                    String.format(
                        Locale.ROOT,
                        "synthetic: %,d jobs on %,d nodes (seeded)",
                        size[0],
                        size[1]))));
    List<Choice> spotSets = new ArrayList<>();
    if (dir != null) {
      scan(dir, traces, spotSets);
    }
    spotSets.add(new Choice(SYNTHETIC_SPOT, "synthetic: the seeded spot model (no trace)"));
    List<Choice> policies = new ArrayList<>();
    for (ClusterPolicy p : ClusterPolicy.all()) {
      if (p == ClusterPolicy.ON_DEMAND) {
        continue; // the baseline, always replayed
      }
      policies.add(new Choice(p.label(), p.label() + ": " + p.description()));
    }
    this.catalog = new Catalog(traces, spotSets, policies);
  }

  private void scan(Path dir, List<Choice> traces, List<Choice> spotSets) {
    if (!Files.isDirectory(dir) || !Files.isReadable(dir)) {
      throw new IllegalArgumentException(
          "--simulation-traces: " + dir + " is not a readable directory");
    }
    try (Stream<Path> walk = Files.walk(dir, 3)) {
      for (Path p : walk.sorted().toList()) {
        String rel = dir.relativize(p).toString();
        String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
        if (Files.isRegularFile(p) && name.endsWith(".csv") && !name.contains("node_list")) {
          boolean alibaba = name.contains("pod_list");
          String id = "file:" + rel;
          traceFiles.put(id, p);
          traces.add(new Choice(id, rel + (alibaba ? " (Alibaba GPU trace)" : "")));
        } else if (Files.isDirectory(p) && !p.equals(dir) && holdsSpotTraces(p)) {
          String id = "dir:" + rel;
          spotDirs.put(id, p);
          spotSets.add(new Choice(id, rel + "/ (spot traces)"));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("--simulation-traces: cannot read " + dir, e);
    }
  }

  /** A directory whose own files are spot traces, or whose subdirectories' are. */
  private static boolean holdsSpotTraces(Path dir) {
    try (Stream<Path> walk = Files.walk(dir, 2)) {
      return walk.anyMatch(
          f -> Files.isRegularFile(f) && f.getFileName().toString().endsWith(".txt"));
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public Catalog catalog() {
    return catalog;
  }

  @Override
  public Report run(Request request, Progress progress) {
    List<ClusterPolicy> policies = ClusterPolicy.parse(request.policies());
    Path spotDir = null;
    if (!SYNTHETIC_SPOT.equals(request.spotSet())) {
      spotDir = spotDirs.get(request.spotSet());
      if (spotDir == null) {
        throw new IllegalArgumentException("spot: no spot set named " + request.spotSet());
      }
    }
    try {
      SimulationSummary summary;
      int[] synthetic = request.trace() == null ? null : SYNTHETIC_TRACES.get(request.trace());
      if (synthetic != null) {
        summary =
            Simulation.replay(
                SyntheticWorkload.generate(synthetic[0], synthetic[1], request.seed()),
                request.trace(),
                policies,
                SimulationSettings.defaults(),
                PriceTable.defaults(),
                spotDir == null ? List.of() : SpotTraceReader.readDirectory(spotDir),
                request.seed(),
                progress::update);
      } else {
        Path jobs =
            request.uploaded() != null ? request.uploaded() : traceFiles.get(request.trace());
        if (jobs == null) {
          throw new IllegalArgumentException("trace: no trace named " + request.trace());
        }
        boolean alibaba = jobs.getFileName().toString().contains("pod_list");
        SimulationRequest replay =
            SimulationRequest.of(jobs, alibaba ? AlibabaTraceImporter.FORMAT : Workloads.NATIVE)
                .withPolicies(request.policies())
                .withSeed(request.seed());
        if (spotDir != null) {
          replay = replay.withSpotDir(spotDir);
        }
        summary = Simulation.run(replay, progress::update);
      }
      return new Report(SummaryJson.toJson(summary), HtmlReport.render(summary, null));
    } catch (TraceFormatException e) {
      throw new IllegalArgumentException("trace: " + e.getMessage(), e);
    } catch (UncheckedIOException e) {
      // A file that is not text (the reader's charset decoder refuses it), or one gone meanwhile.
      throw new IllegalArgumentException(
          "trace: cannot read it as a CSV trace: " + e.getCause().getMessage(), e);
    }
  }
}
