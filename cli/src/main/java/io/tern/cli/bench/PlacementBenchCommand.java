package io.tern.cli.bench;

import io.tern.cli.CommandModels;
import io.tern.cli.OutputFormat;
import io.tern.cli.OutputOptions;
import io.tern.cli.UserInputException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tern bench placement}: the scheduling core on a synthetic cluster. */
@Command(
    modelTransformer = CommandModels.Declared.class,
    name = "placement",
    description = {
      "Fill an empty synthetic cluster from a queue (placements per second), then plan in"
          + " steady state with 1%% of jobs finishing and arriving between plans (plan wall and"
          + " CPU time p50/p99).",
      "Warm-up passes on other seeds come first, until the JIT is mostly idle (up to 4; about a"
          + " minute in all at the default size)."
    })
final class PlacementBenchCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;
  final OutputOptions output = new OutputOptions();

  @Option(
      names = "--nodes",
      defaultValue = "10000",
      description = "Nodes (default ${DEFAULT-VALUE}).")
  int nodes;

  @Option(
      names = "--gpus-per-node",
      defaultValue = "8",
      description = "GPUs per node (default ${DEFAULT-VALUE}).")
  int gpusPerNode;

  @Option(
      names = "--pending",
      defaultValue = "100000",
      description = "Queued jobs (default ${DEFAULT-VALUE}).")
  int pending;

  @Option(
      names = "--rounds",
      defaultValue = "200",
      description = "Steady-state plans (default ${DEFAULT-VALUE}).")
  int rounds;

  @Option(
      names = "--seed",
      defaultValue = "1",
      description = "Seed of the synthetic workload (default ${DEFAULT-VALUE}).")
  long seed;

  @Override
  public Integer call() {
    if (nodes < 1 || gpusPerNode < 1 || gpusPerNode > 64 || pending < 1 || rounds < 1) {
      throw new UserInputException(
          "--nodes, --pending and --rounds must be >= 1; --gpus-per-node must be 1..64");
    }
    var err = spec.commandLine().getErr();
    PlacementBenchmark.Result result =
        PlacementBenchmark.run(
            new PlacementBenchmark.Options(nodes, gpusPerNode, pending, rounds, seed),
            line -> {
              err.println(line);
              err.flush();
            });
    var out = spec.commandLine().getOut();
    if (output.format() == OutputFormat.json) {
      out.println(OutputOptions.toJson(BenchFigures.of(result)));
    } else {
      out.printf(
          "placements_per_second %.0f%nplan_ms_p50 %.2f%nplan_ms_p99 %.2f%n"
              + "plan_cpu_ms_p50 %.2f%nplan_cpu_ms_p99 %.2f%n",
          result.placementsPerSecond(),
          result.planMsP50(),
          result.planMsP99(),
          result.planCpuMsP50(),
          result.planCpuMsP99());
    }
    out.flush();
    return 0;
  }
}
