package io.tern.cli;

import java.lang.reflect.Field;
import java.util.function.Consumer;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.IGetter;
import picocli.CommandLine.Model.ISetter;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * The client verbs' command lines, declared in code with picocli's programmatic API rather than its
 * annotations. Reading annotations is the most expensive thing a short client call did: the JVM
 * makes a dynamic proxy class per annotation type and picocli reflects over every field, about 80
 * ms of a {@code tern submit} (CPU and wall, with the AOT cache). A model built in code costs about
 * 10 ms. Server verbs keep their annotations.
 *
 * <p>Options write straight into the verb's fields through a getter and a setter, so a verb's logic
 * reads fields as an annotated one does. The option groups client and server verbs share ({@link
 * io.tern.cli.client.ClientOptions}, {@link OutputOptions}) are declared here too, once; an
 * annotated verb takes them through {@link Declared}.
 */
public final class CommandModels {
  private CommandModels() {}

  /** Options declared in code that several commands share, as a picocli mixin would be. */
  public interface OptionGroup {
    /** Adds these options to {@code spec}, bound to this instance. */
    void declare(CommandSpec spec);
  }

  /**
   * The model transformer of an annotated command with {@link OptionGroup} fields ({@code final
   * ClientOptions client = new ClientOptions();}): {@code @Command(modelTransformer =
   * CommandModels.Declared.class)} declares each, in field order, as {@code @Mixin} would.
   */
  public static final class Declared implements CommandLine.IModelTransformer {
    @Override
    public CommandSpec transform(CommandSpec spec) {
      Object command = spec.userObject();
      for (Field field : command.getClass().getDeclaredFields()) {
        if (OptionGroup.class.isAssignableFrom(field.getType())) {
          try {
            field.setAccessible(true);
            ((OptionGroup) field.get(command)).declare(spec);
          } catch (IllegalAccessException e) {
            throw new CommandLine.InitializationException(
                "cannot read " + field + ": " + e.getMessage());
          }
        }
      }
      return spec;
    }
  }

  /**
   * A command named {@code name} that runs {@code command} (a {@code Runnable} or {@code
   * Callable}), with {@code -h/--help}, {@code -V/--version} and the usage text as an annotated
   * Tern command has it.
   */
  public static CommandSpec command(Object command, String name, String... description) {
    CommandSpec spec = CommandSpec.wrapWithoutInspection(command);
    spec.name(name);
    spec.versionProvider(new TernVersion());
    spec.usageMessage().description(description);
    spec.addOption(
        OptionSpec.builder("-h", "--help")
            .usageHelp(true)
            .description("Show this help message and exit.")
            .build());
    spec.addOption(
        OptionSpec.builder("-V", "--version")
            .versionHelp(true)
            .description("Print version information and exit.")
            .build());
    return spec;
  }

  /**
   * A command that prints its usage when called alone and does its work in {@code subcommands}:
   * {@code tern budget}, {@code tern offpeak}.
   */
  public static CommandSpec group(String name, String[] description, CommandSpec... subcommands) {
    Usage usage = new Usage();
    usage.spec = command(usage, name, description);
    usage.spec.usageMessage().commandListHeading("%nCommands:%n");
    for (CommandSpec subcommand : subcommands) {
      usage.spec.addSubcommand(subcommand.name(), subcommand);
    }
    return usage.spec;
  }

  /** Prints the usage of the command it runs for. */
  static final class Usage implements Runnable {
    CommandSpec spec;

    @Override
    public void run() {
      spec.commandLine().usage(spec.commandLine().getOut());
    }
  }

  /**
   * An option of {@code type} bound to a field: {@code get} reads it (picocli adds each value of a
   * repeated option to the collection it reads), {@code set} writes it; the field's value now is
   * the option's initial value.
   */
  public static <V> OptionSpec.Builder option(
      Class<? super V> type, Supplier<V> get, Consumer<V> set, String... names) {
    Binding<V> field = new Binding<>(get, set);
    return OptionSpec.builder(names).type(type).initialValue(get.get()).getter(field).setter(field);
  }

  /**
   * A positional parameter of {@code type} bound to a field, required (arity 1, as picocli makes an
   * annotated single-valued one) unless the caller says otherwise (arity and required both).
   */
  public static <V> PositionalParamSpec.Builder positional(
      Class<? super V> type, Supplier<V> get, Consumer<V> set) {
    Binding<V> field = new Binding<>(get, set);
    return PositionalParamSpec.builder()
        .arity("1")
        .required(true)
        .type(type)
        .initialValue(get.get())
        .getter(field)
        .setter(field);
  }

  /** One field, as picocli reads and writes an option's value. */
  private record Binding<V>(Supplier<V> read, Consumer<V> write) implements IGetter, ISetter {
    @Override
    @SuppressWarnings("unchecked")
    public <T> T get() {
      return (T) read.get();
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T set(T value) {
      T previous = get();
      write.accept((V) value);
      return previous;
    }
  }
}
