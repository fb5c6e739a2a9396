package io.tern.cli.testing;

import io.tern.cli.TernCommand;
import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs the {@code tern} command in this JVM and captures what it printed. */
public final class InProcessTern {
  private InProcessTern() {}

  /** What one run returned and printed. */
  public record Result(int exit, String out, String err) {}

  public static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    var cli = TernCommand.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int exit = cli.execute(args);
    return new Result(exit, out.toString(), err.toString());
  }
}
