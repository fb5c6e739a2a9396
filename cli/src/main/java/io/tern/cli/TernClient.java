package io.tern.cli;

import io.tern.cli.admin.WhoAmICommand;
import io.tern.cli.cluster.ClusterCommands;
import io.tern.cli.finops.BudgetCommand;
import io.tern.cli.finops.CostCommand;
import io.tern.cli.finops.OffPeakCommand;
import io.tern.cli.jobs.JobCommands;
import io.tern.cli.jobs.JobControlCommands;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The client verbs of {@code tern} on their own: the root of the client distribution ({@code
 * cli/target/tern-client.jar}), which carries only what these verbs load (picocli, gRPC, protobuf,
 * the spec and its checks) so that a call starts in a fraction of a second. {@code ./tern} and the
 * installed command send these verbs here and every other verb to {@link TernCommand}; the verbs,
 * flags and exit codes are the same objects under both roots.
 */
@Command(
    name = "tern",
    mixinStandardHelpOptions = true,
    scope = CommandLine.ScopeType.INHERIT,
    versionProvider = TernVersion.class,
    description = "Tern's client verbs (run 'tern --help' for every command).",
    commandListHeading = "%nCommands:%n")
public final class TernClient implements Runnable {
  /**
   * The verbs, built only when called: picocli reads a command's whole model (every option of every
   * nested command) when it is added, which would cost a client call more than its work.
   */
  private static final Map<String, Supplier<Object>> COMMANDS = commands();

  /**
   * The first arguments this root answers; {@code ./tern} and {@code deploy/bin/tern} keep the same
   * list (a test holds them to it).
   */
  public static final List<String> VERBS =
      Stream.concat(COMMANDS.keySet().stream(), Stream.of("--version", "-V")).toList();

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  private static Map<String, Supplier<Object>> commands() {
    Map<String, Supplier<Object>> c = new LinkedHashMap<>();
    c.put("submit", SubmitCommand::new);
    c.put("status", JobCommands.StatusCommand::new);
    c.put("list", JobCommands.ListCommand::new);
    c.put("cancel", JobCommands.CancelCommand::new);
    c.put("hold", JobControlCommands.HoldCommand::new);
    c.put("release", JobControlCommands.ReleaseCommand::new);
    c.put("requeue", JobControlCommands.RequeueCommand::new);
    c.put("update", JobControlCommands.UpdateCommand::new);
    c.put("watch", JobCommands.WatchCommand::new);
    c.put("logs", JobCommands.LogsCommand::new);
    c.put("explain", JobCommands.ExplainCommand::new);
    c.put("nodes", ClusterCommands.NodesCommand::new);
    c.put("queue", ClusterCommands.QueueCommand::new);
    c.put("offpeak", OffPeakCommand::new);
    c.put("budget", BudgetCommand::new);
    c.put("cost", CostCommand::new);
    c.put("whoami", WhoAmICommand::new);
    return Collections.unmodifiableMap(c);
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /**
   * A {@link CommandLine} for {@code args}, with Tern's exit codes and error printing: the verb
   * {@code args} name alone, none for {@code --version}, every verb otherwise (for usage).
   */
  public static CommandLine commandLine(String... args) {
    CommandLine cli = TernCommand.withExitCodes(new CommandLine(new TernClient()));
    String first = args.length == 0 ? "" : args[0];
    Supplier<Object> named = COMMANDS.get(first);
    if (named != null) {
      cli.addSubcommand(named.get());
    } else if (!first.equals("--version") && !first.equals("-V")) {
      COMMANDS.values().forEach(make -> cli.addSubcommand(make.get()));
    }
    return cli;
  }

  public static void main(String[] args) {
    System.exit(commandLine(args).execute(args));
  }
}
