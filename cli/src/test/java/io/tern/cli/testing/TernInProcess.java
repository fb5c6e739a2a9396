package io.tern.cli.testing;

import io.tern.cli.TernCommand;
import java.io.PrintWriter;
import java.io.StringWriter;

/**
 * One {@code tern ...} command run in this JVM with Tern's exit codes, its output captured.
 *
 * @param exit the exit code
 * @param out what it printed on stdout
 * @param err what it printed on stderr
 */
public record TernInProcess(int exit, String out, String err) {
  /** Runs {@code tern args...}. */
  public static TernInProcess run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    var cli = TernCommand.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int exit = cli.execute(args);
    return new TernInProcess(exit, out.toString(), err.toString());
  }
}
