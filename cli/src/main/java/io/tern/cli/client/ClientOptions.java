package io.tern.cli.client;

import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Option;

/** The {@code --scheduler} option of every client verb. */
public final class ClientOptions {
  @Option(
      names = "--scheduler",
      paramLabel = "HOST:PORT[,...]",
      description =
          "Scheduler replicas (any one will do). Default: $TERN_SCHEDULER, then 'scheduler:' in"
              + " ~/.tern/config.yaml, then "
              + SchedulerAddresses.DEFAULT
              + ".")
  String scheduler;

  @Option(
      names = "--wait",
      paramLabel = "SECONDS",
      defaultValue = "15",
      description =
          "How long to keep retrying while no scheduler leads (default: ${DEFAULT-VALUE}).")
  int waitSeconds = 15;

  public SchedulerClient connect() {
    return new SchedulerClient(
        SchedulerAddresses.resolve(
            scheduler, System.getenv(), Path.of(System.getProperty("user.home"))),
        Duration.ofSeconds(Math.max(0, waitSeconds)));
  }
}
