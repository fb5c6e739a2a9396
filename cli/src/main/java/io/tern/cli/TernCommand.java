package io.tern.cli;

import io.tern.cli.admin.AdminCommand;
import io.tern.cli.admin.WhoAmICommand;
import io.tern.cli.agent.AgentCommand;
import io.tern.cli.agent.GpusCommand;
import io.tern.cli.bench.BenchCommand;
import io.tern.cli.cluster.ClusterCommands;
import io.tern.cli.demo.DemoCommand;
import io.tern.cli.finops.BudgetCommand;
import io.tern.cli.finops.CostCommand;
import io.tern.cli.finops.OffPeakCommand;
import io.tern.cli.history.HistoryCommand;
import io.tern.cli.jobs.JobCommands;
import io.tern.cli.server.SchedulerCommand;
import io.tern.cli.server.ZkCommand;
import io.tern.cli.simulate.SimulateCommand;
import io.tern.scheduler.spec.JobSpecException;
import java.io.PrintWriter;
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
    },
    subcommands = {
      SubmitCommand.class,
      JobCommands.StatusCommand.class,
      JobCommands.ListCommand.class,
      JobCommands.CancelCommand.class,
      JobCommands.WatchCommand.class,
      JobCommands.LogsCommand.class,
      JobCommands.ExplainCommand.class,
      ClusterCommands.NodesCommand.class,
      ClusterCommands.QueueCommand.class,
      OffPeakCommand.class,
      BudgetCommand.class,
      CostCommand.class,
      HistoryCommand.class,
      SchedulerCommand.class,
      AgentCommand.class,
      GpusCommand.class,
      ZkCommand.class,
      SimulateCommand.class,
      BenchCommand.class,
      DemoCommand.class,
      AdminCommand.class,
      WhoAmICommand.class,
      CommandLine.HelpCommand.class
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
    return withExitCodes(new CommandLine(new TernCommand()));
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
    System.exit(commandLine().execute(args));
  }

  private static int handleExecutionException(
      Exception e, CommandLine cli, CommandLine.ParseResult parseResult) {
    PrintWriter err = cli.getErr();
    if (e instanceof JobSpecException spec) {
      err.println(spec.getMessage());
      return EXIT_BAD_INPUT;
    }
    if (e instanceof UserInputException input) {
      err.println("tern " + cli.getCommandName() + ": " + input.getMessage());
      return EXIT_BAD_INPUT;
    }
    err.println("tern " + cli.getCommandName() + ": " + describe(e));
    return EXIT_FAILURE;
  }

  private static int handleParameterException(CommandLine.ParameterException e, String[] args) {
    CommandLine cli = e.getCommandLine();
    PrintWriter err = cli.getErr();
    err.println("tern " + cli.getCommandName() + ": " + e.getMessage());
    err.println("Run 'tern " + qualifiedName(cli) + " --help' for usage.");
    return EXIT_BAD_INPUT;
  }

  private static String qualifiedName(CommandLine cli) {
    String name = cli.getCommandSpec().qualifiedName(" ");
    return name.startsWith("tern ") ? name.substring(5) : name;
  }

  private static String describe(Throwable e) {
    String message = e.getMessage();
    return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
  }
}
