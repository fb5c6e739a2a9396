package io.tern.cli;

import io.tern.cli.client.ClientOptions;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import java.util.function.Supplier;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

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

  /** {@code --team TEAM}, a filter described as {@code description}. */
  protected static OptionSpec teamOption(
      Supplier<String> get, Consumer<String> set, String description) {
    return CommandModels.option(String.class, get, set, "--team")
        .paramLabel("TEAM")
        .description(description)
        .build();
  }

  /**
   * {@code team} as given to {@code --team}: a name a job could have (an empty one would match
   * every team, as no filter does), else a {@link UserInputException} naming the flag.
   */
  protected static String checkedTeam(String team) {
    if (team != null && team.isEmpty()) {
      throw new UserInputException("--team: must not be empty (leave it out for every team)");
    }
    if (team != null) {
      io.tern.scheduler.spec.JobSpecValidator.teamProblem(team)
          .ifPresent(
              problem -> {
                throw new UserInputException("--team: " + problem);
              });
    }
    return team;
  }

  /** {@code --limit N}, at most N {@code what}, 50 unless given. */
  protected static OptionSpec limitOption(
      Supplier<Integer> get, Consumer<Integer> set, String what) {
    return CommandModels.option(Integer.class, get, set, "--limit")
        .paramLabel("N")
        .defaultValue("50")
        .description("At most N " + what + " (default ${DEFAULT-VALUE}).")
        .build();
  }

  protected final PrintWriter out() {
    return model().commandLine().getOut();
  }

  /**
   * Where a verb writes bytes as they came, not as text ({@code tern logs}), after what {@link
   * #out()} printed so far: the stream under {@code out} when it is a {@link ByteWriter}, stdout
   * otherwise (picocli's own {@code out} prints there too).
   */
  protected final OutputStream bytesOut() {
    PrintWriter out = out();
    out.flush();
    return out instanceof ByteWriter writer ? writer.bytes() : System.out;
  }

  protected final PrintWriter err() {
    return model().commandLine().getErr();
  }
}
