package io.tern.cli.bench;

import picocli.CommandLine.Command;

/** {@code tern bench}: benchmarks that print their figures. */
@Command(
    name = "bench",
    description = "Benchmarks that print their figures (-o json for scripts).",
    subcommands = {
      PlacementBenchCommand.class,
      SubmitBenchCommand.class,
      AgentsBenchCommand.class,
      SimulateBenchCommand.class,
      E2eBenchCommand.class,
      CliBenchCommand.class
    })
public final class BenchCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
