package io.tern.cli;

import io.grpc.StatusRuntimeException;
import io.tern.cli.admin.AdminCommand;
import io.tern.cli.agent.AgentCommand;
import io.tern.cli.agent.GpusCommand;
import io.tern.cli.bench.BenchCommand;
import io.tern.cli.client.CallFailures;
import io.tern.cli.demo.DemoCommand;
import io.tern.cli.history.HistoryCommand;
import io.tern.cli.server.SchedulerCommand;
import io.tern.cli.server.ZkCommand;
import io.tern.cli.simulate.SimulateCommand;
import io.tern.scheduler.spec.JobSpecException;
import java.io.PrintWriter;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The one {@code tern} command. Exit codes: 0 on success, 2 on bad input (the message names the
 * field or flag), 1 on any other failure.
 */
@Command(
    name = "tern",
    mixinStandardHelpOptions = true,
    scope = CommandLine.ScopeType.INHERIT,
    versionProvider = TernVersion.class,
    description = {
      "Tern: a GPU batch-job scheduler with spot checkpointing.",
      "",
      "Queues training and batch jobs, places them on GPU nodes, prefers cheap spot capacity in"
          + " off-peak windows, and checkpoints and resumes jobs when a spot node is reclaimed.",
      ""
    },
    commandListHeading = "%nCommands:%n",
    footerHeading = "%n",
    footer = {
      "Run 'tern COMMAND --help' for a command's options.",
      "Exit codes: 0 success, 1 failure, 2 bad input."
    })
public final class TernCommand implements Runnable {
  /** Exit code for bad input: a spec, flag or argument the user must fix. */
  public static final int EXIT_BAD_INPUT = 2;

  /** Exit code for every other failure. */
  public static final int EXIT_FAILURE = 1;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    // `tern` alone: show what there is to do rather than fail.
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** A {@link CommandLine} wired with Tern's exit codes and error printing. */
  public static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new TernCommand());
    TernClient.COMMANDS.forEach((name, verb) -> cli.addSubcommand(name, verb.get()));
    // The other verbs, each through its own CommandLine: that applies its model transformers
    // (CommandModels.Declared). Not a constant: the client jar, which has none of them, loads this
    // class for its exit codes.
    List<Supplier<Object>> serverVerbs =
        List.of(
            HistoryCommand::new,
            SchedulerCommand::new,
            AgentCommand::new,
            GpusCommand::new,
            ZkCommand::new,
            SimulateCommand::new,
            BenchCommand::new,
            DemoCommand::new,
            AdminCommand::new,
            CompletionCommand::new,
            CommandLine.HelpCommand::new);
    serverVerbs.forEach(verb -> cli.addSubcommand(new CommandLine(verb.get())));
    return withExitCodes(cli);
  }

  /**
   * {@code cli} with Tern's exit codes and error printing (for this root and {@link TernClient}).
   */
  static CommandLine withExitCodes(CommandLine cli) {
    cli.setExecutionExceptionHandler(TernCommand::handleExecutionException);
    cli.setParameterExceptionHandler(TernCommand::handleParameterException);
    return cli;
  }

  public static void main(String[] args) {
    System.exit(commandLine().execute(TernClient.arguments(args)));
  }

  private static int handleExecutionException(
      Exception thrown, CommandLine cli, CommandLine.ParseResult parseResult) {
    PrintWriter err = cli.getErr();
    // A call's failure a verb let through: its description, not gRPC's "CODE: description".
    Exception e =
        thrown instanceof StatusRuntimeException status ? CallFailures.failure(status) : thrown;
    if (e instanceof JobSpecException spec) {
      err.println(spec.getMessage());
      return EXIT_BAD_INPUT;
    }
    if (e instanceof UserInputException input) {
      err.println(qualifiedName(cli) + ": " + input.getMessage());
      return EXIT_BAD_INPUT;
    }
    err.println(qualifiedName(cli) + ": " + describe(e));
    return EXIT_FAILURE;
  }

  private static int handleParameterException(CommandLine.ParameterException e, String[] args) {
    CommandLine cli = e.getCommandLine();
    PrintWriter err = cli.getErr();
    // An option of a group given twice (submit's spec flags) reads as a second use of the whole
    // group; say which option it was, as picocli does for an option outside a group.
    String message =
        e instanceof CommandLine.MaxValuesExceededException
            ? repeatedOption(cli, args)
                .map(option -> "option '" + option + "' should be specified only once")
                .orElse(e.getMessage())
            : e.getMessage();
    err.println(qualifiedName(cli) + ": " + message);
    if (e instanceof CommandLine.UnmatchedArgumentException unmatched) {
      List<String> suggestions = suggestions(cli, unmatched);
      if (!suggestions.isEmpty()) {
        err.println("Did you mean: " + String.join(" or ", suggestions) + "?");
      }
    }
    err.println("Run '" + qualifiedName(cli) + " --help' for usage.");
    return EXIT_BAD_INPUT;
  }

  /** The first single-valued option of {@code cli} that {@code args} give twice, before "--". */
  static Optional<String> repeatedOption(CommandLine cli, String[] args) {
    Set<String> seen = new HashSet<>();
    for (String arg : args) {
      if (arg.equals("--")) {
        break;
      }
      CommandLine.Model.OptionSpec option =
          arg.startsWith("-") ? cli.getCommandSpec().findOption(arg.split("=", 2)[0]) : null;
      if (option != null && !option.isMultiValue() && !seen.add(option.longestName())) {
        return Optional.of(option.longestName());
      }
    }
    return Optional.empty();
  }

  /**
   * The subcommands a mistyped one was probably meant to be: those one or two edits away (a swap of
   * neighbours counts as one: {@code lsit} is {@code list}), nearest first; otherwise picocli's own
   * guesses.
   */
  static List<String> suggestions(CommandLine cli, CommandLine.UnmatchedArgumentException e) {
    List<String> unmatched = e.getUnmatched();
    if (!unmatched.isEmpty() && !cli.getSubcommands().isEmpty()) {
      String typed = unmatched.getFirst();
      List<String> near =
          cli.getSubcommands().keySet().stream()
              .filter(name -> editDistance(typed, name) <= 2)
              .sorted(
                  java.util.Comparator.comparingInt((String name) -> editDistance(typed, name))
                      .thenComparing(name -> name))
              .toList();
      if (!near.isEmpty()) {
        return near;
      }
    }
    return e.getSuggestions();
  }

  /** Optimal string alignment distance: insertions, deletions, substitutions, adjacent swaps. */
  static int editDistance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1
            && j > 1
            && a.charAt(i - 1) == b.charAt(j - 2)
            && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }

  /** The command as typed: {@code tern}, {@code tern offpeak set}. */
  private static String qualifiedName(CommandLine cli) {
    return cli.getCommandSpec().qualifiedName(" ");
  }

  private static String describe(Throwable e) {
    String message = e.getMessage();
    return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
  }
}
