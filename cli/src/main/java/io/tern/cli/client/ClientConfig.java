package io.tern.cli.client;

import io.tern.cli.UserInputException;
import io.tern.security.tls.ClientTls;
import io.tern.security.token.BearerToken;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * How a client reaches the scheduler: which replicas, whether over TLS (and trusting which CA), and
 * with which token. Each setting comes from its flag, then its environment variable, then {@code
 * ~/.tern/config.yaml}:
 *
 * <pre>
 * scheduler: sched1:50051,sched2:50051   # or TERN_SCHEDULER, --scheduler
 * tlsCa: /etc/tern/ca.pem                # or TERN_TLS_CA, --tls-ca: use TLS, trusting this CA
 * tokenFile: ~/.tern/token               # or token: tern_..., TERN_TOKEN, --token-file
 * </pre>
 *
 * @param tls null for plaintext
 * @param tlsSource where the CA was named, for errors about it: {@code --tls-ca}, {@code
 *     TERN_TLS_CA} or the config file's {@code tlsCa}
 * @param token null for none
 */
public record ClientConfig(
    List<String> addresses, ClientTls tls, String tlsSource, BearerToken token) {

  /** A CA given as {@code --tls-ca}, or none. */
  public ClientConfig(List<String> addresses, ClientTls tls, BearerToken token) {
    this(addresses, tls, "--tls-ca", token);
  }

  /**
   * The user's home directory, where {@code ~/.tern} lives: {@code $HOME} as the shell has it, else
   * the JVM's {@code user.home} (which comes from the password database, not from {@code $HOME}).
   */
  public static Path userHome(Map<String, String> env) {
    String home = env.get("HOME");
    return home != null && !home.isBlank()
        ? Path.of(home)
        : Path.of(System.getProperty("user.home"));
  }

  /** Resolves every setting; errors name the flag, variable or file they came from. */
  public static ClientConfig resolve(
      String schedulerFlag,
      Path tlsCaFlag,
      Path tokenFileFlag,
      Map<String, String> env,
      Path home) {
    Path file = home.resolve(".tern/config.yaml");
    Map<?, ?> config = read(file);
    List<String> addresses;
    if (schedulerFlag != null) {
      // Given but empty is a mistake (an unset shell variable), not "use the default".
      addresses = SchedulerAddresses.parse(schedulerFlag, "--scheduler");
    } else if (present(env.get("TERN_SCHEDULER"))) {
      addresses = SchedulerAddresses.parse(env.get("TERN_SCHEDULER"), "TERN_SCHEDULER");
    } else if (config.get("scheduler") != null) {
      addresses =
          SchedulerAddresses.parse(String.valueOf(config.get("scheduler")), file + ": scheduler");
    } else {
      addresses = List.of(SchedulerAddresses.DEFAULT);
    }
    ClientTls tls = null;
    String tlsSource = "--tls-ca";
    if (tlsCaFlag != null) {
      tls = trusting(tlsCaFlag, tlsSource);
    } else if (present(env.get("TERN_TLS_CA"))) {
      tlsSource = "TERN_TLS_CA";
      tls = trusting(Path.of(env.get("TERN_TLS_CA")), tlsSource);
    } else if (config.get("tlsCa") != null) {
      tlsSource = file + ": tlsCa";
      tls = trusting(expand(String.valueOf(config.get("tlsCa")), home), tlsSource);
    }
    BearerToken token = null;
    if (tokenFileFlag != null) {
      token = token(readToken(tokenFileFlag, "--token-file"), "--token-file");
    } else if (present(env.get("TERN_TOKEN"))) {
      token = token(env.get("TERN_TOKEN"), "TERN_TOKEN");
    } else if (config.get("token") != null) {
      token = token(String.valueOf(config.get("token")), file + ": token");
    } else if (config.get("tokenFile") != null) {
      Path tokenFile = expand(String.valueOf(config.get("tokenFile")), home);
      token = token(readToken(tokenFile, file + ": tokenFile"), file + ": tokenFile");
    }
    if (token != null && tls == null) {
      throw new UserInputException(
          "--tls-ca: a token is set, but no CA to reach the scheduler over TLS; tokens are never"
              + " sent in plaintext (set --tls-ca, TERN_TLS_CA or tlsCa: in "
              + file
              + ")");
    }
    return new ClientConfig(addresses, tls, tlsSource, token);
  }

  private static boolean present(String value) {
    return value != null && !value.isBlank();
  }

  private static ClientTls trusting(Path ca, String source) {
    if (!Files.isRegularFile(ca)) {
      throw new UserInputException(source + ": no CA certificate file at " + ca);
    }
    return ClientTls.trusting(ca);
  }

  private static BearerToken token(String value, String source) {
    return BearerToken.parse(value)
        .orElseThrow(
            () ->
                new UserInputException(
                    source + ": not a Tern token (expected tern_<12 hex>_<43 characters>)"));
  }

  private static String readToken(Path file, String source) {
    try {
      return Files.readString(file).strip();
    } catch (IOException e) {
      throw new UserInputException(source + ": cannot read " + file + ": " + e.getMessage());
    }
  }

  private static Path expand(String path, Path home) {
    return path.startsWith("~/") ? home.resolve(path.substring(2)) : Path.of(path);
  }

  private static Map<?, ?> read(Path file) {
    if (!Files.isRegularFile(file)) {
      return Map.of();
    }
    Object doc;
    try {
      doc = new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(file));
    } catch (IOException | RuntimeException e) {
      throw new UserInputException(file + ": cannot read it: " + e.getMessage());
    }
    if (doc == null) {
      return Map.of();
    }
    if (!(doc instanceof Map<?, ?> map)) {
      throw new UserInputException(
          file + ": expected keys such as 'scheduler: HOST:PORT', got " + doc);
    }
    for (Object key : map.keySet()) {
      if (!KEYS.contains(String.valueOf(key))) {
        // A typo must not silently send the CLI to the default scheduler.
        throw new UserInputException(
            file + ": " + key + ": unknown key (the keys are " + String.join(", ", KEYS) + ")");
      }
    }
    return map;
  }

  /** The keys config.yaml may hold. */
  private static final List<String> KEYS = List.of("scheduler", "tlsCa", "token", "tokenFile");
}
