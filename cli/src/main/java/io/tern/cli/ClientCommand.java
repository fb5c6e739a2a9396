package io.tern.cli;

import io.tern.cli.client.ClientOptions;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;

/**
 * A client verb ({@link TernClient#VERBS}) or one of its subcommands: a command that talks to the
 * scheduler, with the connection options ({@link ClientOptions}) and {@code -o} ({@link
 * OutputOptions}). Its command line is built in code ({@link CommandModels}), so that a short call
 * spends nothing on reading annotations.
 */
public abstract class ClientCommand implements Callable<Integer> {
  private final String name;
  private final String[] description;
  private CommandSpec model;
  protected final ClientOptions client = new ClientOptions();
  protected final OutputOptions output = new OutputOptions();

  protected ClientCommand(String name, String... description) {
    this.name = name;
    this.description = description;
  }

  /** This command's line, bound to this instance's fields; built on the first call. */
  public final CommandSpec model() {
    if (model == null) {
      model = CommandModels.command(this, name, description);
      declare(model);
      client.declare(model);
      output.declare(model);
    }
    return model;
  }

  /** Adds this command's own options and parameters to {@code model}. */
  protected void declare(CommandSpec model) {}

  protected final PrintWriter out() {
    return model().commandLine().getOut();
  }

  protected final PrintWriter err() {
    return model().commandLine().getErr();
  }
}
