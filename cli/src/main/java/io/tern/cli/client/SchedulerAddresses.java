package io.tern.cli.client;

import io.tern.cli.UserInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Where the scheduler is: {@code --scheduler}, then {@code TERN_SCHEDULER}, then {@code scheduler:}
 * in {@code ~/.tern/config.yaml}, then {@code localhost:50051}. Each may list several replicas,
 * comma-separated; any one will do, since followers point to the leader.
 */
public final class SchedulerAddresses {
  public static final String DEFAULT = "localhost:50051";

  private SchedulerAddresses() {}

  public static List<String> resolve(String flag, Map<String, String> env, Path home) {
    String source;
    String value;
    if (flag != null && !flag.isBlank()) {
      source = "--scheduler";
      value = flag;
    } else if (env.get("TERN_SCHEDULER") != null && !env.get("TERN_SCHEDULER").isBlank()) {
      source = "TERN_SCHEDULER";
      value = env.get("TERN_SCHEDULER");
    } else {
      Path config = home.resolve(".tern/config.yaml");
      value = fromConfig(config);
      source = config.toString();
      if (value == null) {
        return List.of(DEFAULT);
      }
    }
    return parse(value, source);
  }

  /** Splits and checks a comma-separated list of HOST:PORT. */
  public static List<String> parse(String value, String source) {
    List<String> out = new ArrayList<>();
    for (String part : value.split(",", -1)) {
      String address = part.trim();
      int colon = address.lastIndexOf(':');
      boolean valid = colon > 0 && colon < address.length() - 1;
      if (valid) {
        try {
          int port = Integer.parseInt(address.substring(colon + 1));
          valid = port > 0 && port < 65536;
        } catch (NumberFormatException e) {
          valid = false;
        }
      }
      if (!valid) {
        throw new UserInputException(
            source + ": expected HOST:PORT[,HOST:PORT...], got \"" + address + "\"");
      }
      out.add(address);
    }
    return out;
  }

  private static String fromConfig(Path config) {
    if (!Files.isRegularFile(config)) {
      return null;
    }
    try {
      Object doc =
          new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(config));
      if (doc instanceof Map<?, ?> map && map.get("scheduler") != null) {
        return String.valueOf(map.get("scheduler"));
      }
      return null;
    } catch (IOException | RuntimeException e) {
      throw new UserInputException(config + ": cannot read it: " + e.getMessage());
    }
  }
}
