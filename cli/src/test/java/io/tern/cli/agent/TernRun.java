package io.tern.cli.agent;

import io.tern.cli.TernCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine;

/** Runs {@code tern ...} in-process with Tern's exit codes, with the agent's commands present. */
record TernRun(int exit, String out, String err) {
  /** The fake libnvidia-ml.so the agent module's build compiles (agent/src/test/c). */
  static Path fakeNvml() {
    Path lib =
        Path.of(System.getProperty("tern.fakeNvml", "../agent/target/native/libnvidia-ml.so"))
            .toAbsolutePath()
            .normalize();
    if (!Files.isRegularFile(lib)) {
      throw new IllegalStateException(
          lib + " is missing: build the agent module first (it compiles the fake NVML with gcc)");
    }
    return lib;
  }

  static TernRun tern(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = TernCommand.commandLine();
    // Until TernCommand lists them, add them here; once it does, these are no-ops.
    if (!cli.getSubcommands().containsKey("gpus")) {
      cli.addSubcommand(new GpusCommand());
    }
    if (!cli.getSubcommands().containsKey("agent")) {
      cli.addSubcommand(new AgentCommand());
    }
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int exit = cli.execute(args);
    return new TernRun(exit, out.toString(), err.toString());
  }
}
