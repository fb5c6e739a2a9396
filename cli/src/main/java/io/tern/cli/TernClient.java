package io.tern.cli;

import io.tern.api.v1.JobProto;
import io.tern.cli.admin.WhoAmICommand;
import io.tern.cli.cluster.ClusterCommands;
import io.tern.cli.finops.BudgetCommand;
import io.tern.cli.finops.CostCommand;
import io.tern.cli.finops.OffPeakCommand;
import io.tern.cli.jobs.JobCommands;
import io.tern.cli.jobs.JobControlCommands;
import io.tern.scheduler.spec.workdir.WorkdirArchive;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The client verbs of {@code tern} on their own: the root of the client distribution ({@code
 * cli/target/tern-client.jar}), which carries only what these verbs load (picocli, gRPC, protobuf,
 * the spec and its checks) so that a call starts in a fraction of a second. {@code ./tern} and the
 * installed command send these verbs here and every other verb to {@link TernCommand}; the verbs,
 * flags and exit codes are the same objects under both roots.
 */
public final class TernClient {
  /**
   * The verbs, built only when called: even built in code, a model costs a client call something
   * per option, and most calls need one verb.
   */
  static final Map<String, Supplier<CommandSpec>> COMMANDS = commands();

  /**
   * The first arguments this root answers; {@code ./tern} and {@code deploy/bin/tern} keep the same
   * list (a test holds them to it).
   */
  public static final List<String> VERBS =
      Stream.concat(COMMANDS.keySet().stream(), Stream.of("--version", "-V")).toList();

  private TernClient() {}

  private static Map<String, Supplier<CommandSpec>> commands() {
    Map<String, Supplier<CommandSpec>> c = new LinkedHashMap<>();
    c.put("submit", () -> new SubmitCommand().model());
    c.put("status", () -> new JobCommands.StatusCommand().model());
    c.put("list", () -> new JobCommands.ListCommand().model());
    c.put("cancel", () -> new JobCommands.CancelCommand().model());
    c.put("hold", () -> new JobControlCommands.HoldCommand().model());
    c.put("release", () -> new JobControlCommands.ReleaseCommand().model());
    c.put("requeue", () -> new JobControlCommands.RequeueCommand().model());
    c.put("update", () -> new JobControlCommands.UpdateCommand().model());
    c.put("watch", () -> new JobCommands.WatchCommand().model());
    c.put("logs", () -> new JobCommands.LogsCommand().model());
    c.put("explain", () -> new JobCommands.ExplainCommand().model());
    c.put("nodes", () -> new ClusterCommands.NodesCommand().model());
    c.put("queue", () -> new ClusterCommands.QueueCommand().model());
    c.put("offpeak", OffPeakCommand::model);
    c.put("budget", BudgetCommand::model);
    c.put("cost", () -> new CostCommand().model());
    c.put("whoami", () -> new WhoAmICommand().model());
    return Collections.unmodifiableMap(c);
  }

  /**
   * A {@link CommandLine} for {@code args}, with Tern's exit codes and error printing: the verb
   * {@code args} name alone, none for {@code --version}, every verb otherwise (for usage).
   */
  public static CommandLine commandLine(String... args) {
    CommandLine cli =
        TernCommand.withExitCodes(
            new CommandLine(
                CommandModels.group(
                    "tern",
                    new String[] {"Tern's client verbs (run 'tern --help' for every command)."})));
    String first = args.length == 0 ? "" : args[0];
    Supplier<CommandSpec> named = COMMANDS.get(first);
    if (named != null) {
      cli.addSubcommand(first, named.get());
    } else if (!first.equals("--version") && !first.equals("-V")) {
      COMMANDS.forEach((name, make) -> cli.addSubcommand(name, make.get()));
    }
    return cli;
  }

  /**
   * The options of every client verb a user may give before the verb, kubectl-style ({@code tern
   * --scheduler HOST:PORT list}); each takes a value.
   */
  static final Set<String> LEADING_OPTIONS =
      Set.of("--scheduler", "--tls-ca", "--token-file", "--wait", "-o", "--output");

  /**
   * {@code args} as the verbs read them: client options ({@link #LEADING_OPTIONS}, as {@code --opt
   * VALUE}, {@code --opt=VALUE} or {@code -oFORMAT}) given before a client verb are moved after it,
   * before a {@code --} that ends the verb's options (submit's command) or else at the end.
   * Anything else is left as it is, for picocli to accept or refuse.
   */
  public static String[] arguments(String... args) {
    int verb = 0;
    while (verb < args.length) {
      String arg = args[verb];
      if (LEADING_OPTIONS.contains(arg)) {
        verb += 2;
      } else if (arg.startsWith("-o") && arg.length() > 2
          || arg.startsWith("--") && LEADING_OPTIONS.contains(arg.split("=", 2)[0])) {
        verb += 1;
      } else {
        break;
      }
    }
    if (verb == 0 || verb >= args.length || !COMMANDS.containsKey(args[verb])) {
      return args;
    }
    List<String> leading = List.of(args).subList(0, verb);
    List<String> rest = List.of(args).subList(verb, args.length);
    int end = rest.indexOf("--");
    int at = end < 0 ? rest.size() : end;
    List<String> moved = new ArrayList<>(rest.subList(0, at));
    moved.addAll(leading);
    moved.addAll(rest.subList(at, rest.size()));
    return moved.toArray(String[]::new);
  }

  public static void main(String[] args) {
    args = arguments(args);
    if (args.length > 0 && args[0].equals("submit")) {
      prepareSubmit();
    }
    System.exit(commandLine(args).execute(args));
  }

  /**
   * Starts a submit's two slowest first uses on another thread, while the main one reads the
   * command line: the descriptors of the job messages, which a {@code JobSpec}'s {@code env} map
   * needs (built from their serialized form: about 20 ms in a fresh JVM, and the AOT cache cannot
   * keep them), and the SHA-256 provider that digests the packed code (about 10 ms: the JDK reads
   * its security configuration then). The main thread finds them ready, or waits for them as it
   * waits for any class another thread is initializing.
   */
  static void prepareSubmit() {
    Thread preparer = new Thread(TernClient::loadSubmitDependencies, "tern-prepare-submit");
    preparer.setDaemon(true);
    preparer.start();
  }

  private static void loadSubmitDependencies() {
    JobProto.getDescriptor();
    WorkdirArchive.sha256();
  }
}
