package io.tern.cli.client;

import static io.tern.cli.CommandModels.option;

import io.tern.cli.CommandModels;
import io.tern.cli.UserInputException;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Model.CommandSpec;

/** The connection options of every client verb: where the scheduler is, TLS and the token. */
public final class ClientOptions implements CommandModels.OptionGroup {
  private String scheduler;
  private Path tlsCa;
  private Path tokenFile;

  /**
   * Null when not given: 15 s for a leader, and {@link SchedulerClient#REACH_PATIENCE} to reach
   * one.
   */
  private Integer waitSeconds;

  private static final int DEFAULT_WAIT_SECONDS = 15;

  @Override
  public void declare(CommandSpec spec) {
    spec.addOption(
        option(String.class, () -> scheduler, v -> scheduler = v, "--scheduler")
            .paramLabel("HOST:PORT[,...]")
            .description(
                "Scheduler replicas (any one will do). Default: $TERN_SCHEDULER, then 'scheduler:'"
                    + " in ~/.tern/config.yaml, then "
                    + SchedulerAddresses.DEFAULT
                    + ".")
            .build());
    spec.addOption(
        option(Path.class, () -> tlsCa, v -> tlsCa = v, "--tls-ca")
            .paramLabel("FILE")
            .description(
                "Speak TLS, trusting this CA certificate (PEM). Default: $TERN_TLS_CA, then"
                    + " 'tlsCa:' in ~/.tern/config.yaml; without one, plaintext.")
            .build());
    spec.addOption(
        option(Path.class, () -> tokenFile, v -> tokenFile = v, "--token-file")
            .paramLabel("FILE")
            .description(
                "File holding your token (tern_...). Default: $TERN_TOKEN, then 'token:' or"
                    + " 'tokenFile:' in ~/.tern/config.yaml.")
            .build());
    spec.addOption(
        option(Integer.class, () -> waitSeconds, v -> waitSeconds = v, "--wait")
            .paramLabel("SECONDS")
            .description(
                "How long to keep retrying while no scheduler leads (default "
                    + DEFAULT_WAIT_SECONDS
                    + "). Given, it is also how long to keep trying while no replica answers at"
                    + " all (a restart, an outage); without it that is "
                    + SchedulerClient.REACH_PATIENCE.toSeconds()
                    + " s.")
            .build());
  }

  public ClientConfig config() {
    return ClientConfig.resolve(
        scheduler, tlsCa, tokenFile, System.getenv(), ClientConfig.userHome(System.getenv()));
  }

  public SchedulerClient connect() {
    if (waitSeconds == null) {
      return new SchedulerClient(config(), Duration.ofSeconds(DEFAULT_WAIT_SECONDS));
    }
    if (waitSeconds < 0) {
      throw new UserInputException("--wait: expected seconds >= 0, got " + waitSeconds);
    }
    Duration wait = Duration.ofSeconds(waitSeconds);
    return new SchedulerClient(config(), wait, wait);
  }
}
