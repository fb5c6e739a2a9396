package io.tern.cli;

import java.io.PrintWriter;
import java.io.Writer;
import java.util.List;

/**
 * The training run behind the client jar's AOT cache (see cli/pom.xml): runs the client verbs the
 * way a user does, so that the classes they load, from flag parsing through spec checks to a gRPC
 * call, are in the cache. The calls go to an address nothing listens on and fail fast; their output
 * is dropped.
 */
final class ClientTraining {
  private static final String NOWHERE = "127.0.0.1:1";

  private ClientTraining() {}

  public static void main(String[] args) {
    TernClient.oneCallTransport();
    List<List<String>> calls =
        List.of(
            List.of("--version"),
            List.of("submit", "--help"),
            List.of(
                "submit", "--dry-run", "--name", "t", "--team", "t", "--gpus", "1", "--", "true"),
            List.of(
                "submit", "--dry-run", "-o", "json", "--name", "t", "--team", "t", "--", "true"),
            List.of(
                "submit",
                "--name",
                "t",
                "--team",
                "t",
                "--scheduler",
                NOWHERE,
                "--wait",
                "0",
                "--",
                "true"),
            List.of("status", "job-000001", "--scheduler", NOWHERE, "--wait", "0"),
            List.of("list", "--scheduler", NOWHERE, "--wait", "0"),
            List.of("list", "-o", "json", "--scheduler", NOWHERE, "--wait", "0"),
            List.of(
                "offpeak",
                "set",
                "t",
                "--cron",
                "0 0 20 ? * MON-FRI",
                "--duration",
                "10h",
                "--scheduler",
                NOWHERE,
                "--wait",
                "0"));
    PrintWriter nowhere = new PrintWriter(Writer.nullWriter());
    for (List<String> call : calls) {
      var cli = TernClient.commandLine(call.toArray(String[]::new));
      cli.setOut(nowhere);
      cli.setErr(nowhere);
      cli.execute(call.toArray(String[]::new));
    }
  }
}
