package io.tern.cli.finops;

import static io.tern.cli.CommandModels.option;
import static io.tern.cli.CommandModels.positional;

import io.tern.api.v1.DeleteOffPeakWindowRequest;
import io.tern.api.v1.ListOffPeakWindowsRequest;
import io.tern.api.v1.ListOffPeakWindowsResponse;
import io.tern.api.v1.OffPeakWindow;
import io.tern.api.v1.SetOffPeakWindowRequest;
import io.tern.cli.CommandModels;
import io.tern.cli.OutputOptions;
import io.tern.cli.UserInputException;
import io.tern.cli.client.Protos;
import io.tern.cli.client.SchedulerClient;
import io.tern.cli.client.Table;
import io.tern.scheduler.spec.Durations;
import io.tern.scheduler.spec.finops.InvalidWindowException;
import io.tern.scheduler.spec.finops.OffPeakWindowRules;
import java.io.PrintWriter;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code tern offpeak set|list|delete}: the off-peak windows deferrable and spot work waits for.
 */
public final class OffPeakCommand {
  private OffPeakCommand() {}

  /** {@code tern offpeak}: prints its usage; the work is in its subcommands. */
  public static CommandSpec model() {
    return CommandModels.group(
        "offpeak",
        new String[] {
          "Manage off-peak windows: recurring times when spot capacity is preferred and"
              + " deferrable jobs run.",
          "A window opens at each fire time of a Quartz cron expression (sec min hour day month"
              + " weekday) in its time zone and stays open for its duration."
        },
        new SetCommand().model(),
        new ListCommand().model(),
        new DeleteCommand().model());
  }

  /** API field → the flag that sets it, so errors name what the user typed. */
  static final Map<String, String> FLAGS =
      Map.of("name", "NAME", "cron", "--cron", "duration", "--duration", "time_zone", "--tz");

  private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm");

  public static final class SetCommand extends FinOpsVerb {
    String name;
    String cron;
    String duration;
    String zone;

    public SetCommand() {
      super(
          "set",
          "Create or replace a window, e.g. set weeknights --cron \"0 0 20 ? * MON-FRI\""
              + " --duration 11h --tz Europe/Berlin");
    }

    @Override
    protected void declare(CommandSpec model) {
      model.addPositional(
          positional(String.class, () -> name, v -> name = v)
              .paramLabel("NAME")
              .description("The window's name, e.g. weeknights.")
              .build());
      model.addOption(
          option(String.class, () -> cron, v -> cron = v, "--cron")
              .required(true)
              .paramLabel("EXPR")
              .description("Quartz cron expression for each opening, e.g. \"0 0 20 ? * MON-FRI\".")
              .build());
      model.addOption(
          option(String.class, () -> duration, v -> duration = v, "--duration")
              .required(true)
              .paramLabel("DURATION")
              .description("How long each opening lasts, e.g. 11h or 1h30m.")
              .build());
      model.addOption(
          option(String.class, () -> zone, v -> zone = v, "--tz")
              .paramLabel("ZONE")
              .defaultValue("UTC")
              .description("IANA time zone the cron is read in (default: ${DEFAULT-VALUE}).")
              .build());
    }

    OffPeakWindow window;

    @Override
    void validate() {
      Duration length =
          Durations.parse(duration)
              .orElseThrow(
                  () ->
                      new UserInputException(
                          "--duration: '"
                              + duration
                              + "' is not a duration like 90s, 30m, 11h or 1h30m"));
      window =
          OffPeakWindow.newBuilder()
              .setName(name)
              .setCron(cron)
              .setDuration(com.google.protobuf.Duration.newBuilder().setSeconds(length.toSeconds()))
              .setTimeZone(zone)
              .build();
      try {
        OffPeakWindowRules.check(window);
      } catch (InvalidWindowException e) {
        throw new UserInputException(byFlag(e.fieldErrors(), FLAGS));
      }
    }

    @Override
    int run(SchedulerClient scheduler) {
      OffPeakWindow set =
          scheduler.call(
              c ->
                  finops(c)
                      .setOffPeakWindow(
                          SetOffPeakWindowRequest.newBuilder().setWindow(window).build()));
      if (output.structured()) {
        out().println(output.render(Protos.json(set)));
      } else {
        out().println("off-peak window " + set.getName() + " set; " + opening(set));
      }
      return 0;
    }
  }

  public static final class ListCommand extends FinOpsVerb {
    public ListCommand() {
      super("list", "List the windows, whether each is open and when it opens.");
    }

    @Override
    int run(SchedulerClient scheduler) {
      ListOffPeakWindowsResponse windows =
          scheduler.call(
              c -> finops(c).listOffPeakWindows(ListOffPeakWindowsRequest.getDefaultInstance()));
      if (output.structured()) {
        out().println(output.render(Protos.json(windows)));
      } else {
        print(windows, out());
      }
      return 0;
    }
  }

  public static final class DeleteCommand extends FinOpsVerb {
    String name;

    public DeleteCommand() {
      super("delete", "Delete a window.");
    }

    @Override
    protected void declare(CommandSpec model) {
      model.addPositional(
          positional(String.class, () -> name, v -> name = v)
              .paramLabel("NAME")
              .description("The window's name.")
              .build());
    }

    @Override
    int run(SchedulerClient scheduler) {
      scheduler.call(
          c ->
              finops(c)
                  .deleteOffPeakWindow(
                      DeleteOffPeakWindowRequest.newBuilder().setName(name).build()));
      if (output.structured()) {
        out().println(output.render(OutputOptions.toJson(Map.of("deleted", name))));
      } else {
        out().println("off-peak window " + name + " deleted");
      }
      return 0;
    }
  }

  static void print(ListOffPeakWindowsResponse windows, PrintWriter out) {
    if (windows.getWindowsCount() == 0) {
      out.println("no off-peak windows (add one with 'tern offpeak set')");
      return;
    }
    Table table = new Table("NAME", "CRON", "DURATION", "TIME ZONE", "OPEN", "NEXT OPENING");
    for (OffPeakWindow w : windows.getWindowsList()) {
      table.row(
          w.getName(),
          w.getCron(),
          Durations.format(Duration.ofSeconds(w.getDuration().getSeconds())),
          w.getTimeZone(),
          w.getOpenNow() ? "yes" : "no",
          nextOpening(w));
    }
    table.print(out);
  }

  /** The next opening in the window's own zone, e.g. {@code 2025-06-02 20:00}. */
  static String nextOpening(OffPeakWindow w) {
    if (!w.hasNextOpen()) {
      return "never";
    }
    Instant at = Instant.ofEpochSecond(w.getNextOpen().getSeconds(), w.getNextOpen().getNanos());
    try {
      return WHEN.format(at.atZone(ZoneId.of(w.getTimeZone())));
    } catch (DateTimeException e) {
      return at.toString();
    }
  }

  private static String opening(OffPeakWindow w) {
    return (w.getOpenNow() ? "open now; " : "")
        + "next opening "
        + nextOpening(w)
        + " "
        + w.getTimeZone();
  }
}
