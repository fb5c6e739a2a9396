package io.tern.cli.client;

import io.tern.cli.UserInputException;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Option;

/** The connection options of every client verb: where the scheduler is, TLS and the token. */
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
      names = "--tls-ca",
      paramLabel = "FILE",
      description =
          "Speak TLS, trusting this CA certificate (PEM). Default: $TERN_TLS_CA, then 'tlsCa:' in"
              + " ~/.tern/config.yaml; without one, plaintext.")
  Path tlsCa;

  @Option(
      names = "--token-file",
      paramLabel = "FILE",
      description =
          "File holding your token (tern_...). Default: $TERN_TOKEN, then 'token:' or 'tokenFile:'"
              + " in ~/.tern/config.yaml.")
  Path tokenFile;

  @Option(
      names = "--wait",
      paramLabel = "SECONDS",
      defaultValue = "15",
      description =
          "How long to keep retrying while no scheduler leads (default: ${DEFAULT-VALUE}).")
  int waitSeconds = 15;

  public ClientConfig config() {
    return ClientConfig.resolve(
        scheduler, tlsCa, tokenFile, System.getenv(), Path.of(System.getProperty("user.home")));
  }

  public SchedulerClient connect() {
    if (waitSeconds < 0) {
      throw new UserInputException("--wait: expected seconds >= 0, got " + waitSeconds);
    }
    return new SchedulerClient(config(), Duration.ofSeconds(waitSeconds));
  }
}
