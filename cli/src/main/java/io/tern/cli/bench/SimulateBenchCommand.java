package io.tern.cli.bench;

import io.tern.cli.CommandModels;
import io.tern.cli.OutputFormat;
import io.tern.cli.OutputOptions;
import io.tern.cli.UserInputException;
import io.tern.simulator.bench.SimulateBenchmark;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tern bench simulate}: the simulator on a synthetic workload. */
@Command(
    modelTransformer = CommandModels.Declared.class,
    name = "simulate",
    description = "Replay a synthetic workload through the core; events per second.")
final class SimulateBenchCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;
  final OutputOptions output = new OutputOptions();

  @Option(
      names = "--jobs",
      defaultValue = "100000",
      description = "Jobs (default ${DEFAULT-VALUE}).")
  int jobs;

  @Option(
      names = "--nodes",
      defaultValue = "1000",
      description = "Nodes (default ${DEFAULT-VALUE}).")
  int nodes;

  @Option(names = "--seed", defaultValue = "1", description = "Seed (default ${DEFAULT-VALUE}).")
  long seed;

  @Override
  public Integer call() {
    if (jobs < 1 || nodes < 1) {
      throw new UserInputException("--jobs and --nodes must be >= 1");
    }
    var err = spec.commandLine().getErr();
    long[] lastPercent = {-1};
    SimulateBenchmark.Result result =
        SimulateBenchmark.run(
            jobs,
            nodes,
            seed,
            (phase, done, total) -> {
              long percent = total <= 0 ? 0 : done * 100 / total;
              if (percent / 10 != lastPercent[0] / 10) {
                lastPercent[0] = percent;
                err.println(phase + ": " + percent + "%");
                err.flush();
              }
            });
    var out = spec.commandLine().getOut();
    if (output.format() == OutputFormat.json) {
      out.println(OutputOptions.toJson(result));
    } else {
      out.printf(
          "jobs %d, nodes %d: %d events in %.1f s (%.1f s CPU), %.0f events/s; %d rounds, %d"
              + " core calls%n",
          result.jobs(),
          result.nodes(),
          result.events(),
          result.wallSeconds(),
          result.cpuSeconds(),
          result.eventsPerSecond(),
          result.plans(),
          result.coreCalls());
    }
    out.flush();
    return 0;
  }
}
