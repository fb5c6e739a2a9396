package io.tern.cli.testing;

import io.tern.cli.ByteWriter;
import io.tern.cli.TernCommand;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;

/**
 * One {@code tern ...} command run in this JVM with Tern's exit codes, its output captured.
 *
 * @param exit the exit code
 * @param out what it printed on stdout, read as UTF-8
 * @param err what it printed on stderr
 * @param stdout the bytes it wrote on stdout, as they came
 */
public record TernInProcess(int exit, String out, String err, byte[] stdout) {
  /** Runs {@code tern args...}. */
  public static TernInProcess run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    StringWriter err = new StringWriter();
    var cli = TernCommand.commandLine();
    cli.setOut(new ByteWriter(out, StandardCharsets.UTF_8));
    cli.setErr(new PrintWriter(err, true));
    int exit = cli.execute(args);
    cli.getOut().flush();
    byte[] bytes = out.toByteArray();
    return new TernInProcess(
        exit, new String(bytes, StandardCharsets.UTF_8), err.toString(), bytes);
  }
}
