package io.tern.cli.agent;

import io.tern.agent.gpu.GpuProbeSpec;
import io.tern.agent.job.JobLauncher;
import io.tern.agent.job.JobShim;
import io.tern.api.v1.CapacityType;
import io.tern.checkpoint.config.CheckpointStoreLocation;
import io.tern.cli.EndpointUrl;
import io.tern.cli.UserInputException;
import io.tern.cli.client.SchedulerAddresses;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/** Checks {@code tern agent}'s flag values; each error names its flag and exits 2. */
public final class AgentFlags {
  private static final Pattern NODE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");

  private AgentFlags() {}

  static List<String> schedulers(String value) {
    return SchedulerAddresses.parse(value, "--scheduler");
  }

  static String nodeId(String value) {
    if (!NODE_ID.matcher(value).matches()) {
      throw new UserInputException(
          "--node-id: \""
              + value
              + "\" must be 1-63 letters, digits, '.', '_' or '-', starting with a letter or digit");
    }
    return value;
  }

  static CapacityType capacity(String value) {
    return switch (value.trim().toLowerCase(Locale.ROOT)) {
      case "spot" -> CapacityType.CAPACITY_TYPE_SPOT;
      case "on-demand", "ondemand" -> CapacityType.CAPACITY_TYPE_ON_DEMAND;
      default ->
          throw new UserInputException(
              "--capacity: expected spot or on-demand, got \"" + value + "\"");
    };
  }

  public static JobShim jobShim(String value) {
    return switch (value.trim().toLowerCase(Locale.ROOT)) {
      case "auto" -> JobShim.AUTO;
      case "native" -> {
        if (!JobLauncher.nativeShimBuilt()) {
          throw new UserInputException(
              "--job-shim native: this build has no native job shim for "
                  + System.getProperty("os.arch")
                  + " (it is compiled where gcc is); use auto or bash");
        }
        yield JobShim.NATIVE;
      }
      case "bash" -> JobShim.BASH;
      default ->
          throw new UserInputException(
              "--job-shim: expected auto, native or bash, got \"" + value + "\"");
    };
  }

  static GpuProbeSpec gpus(String value) {
    try {
      return GpuProbeSpec.parse(value);
    } catch (IllegalArgumentException e) {
      throw new UserInputException("--gpus: " + e.getMessage());
    }
  }

  static double price(double value) {
    if (!(value >= 0) || Double.isInfinite(value)) {
      throw new UserInputException("--price: must be 0 or more US dollars per hour, got " + value);
    }
    return value;
  }

  static URI imdsEndpoint(String value) {
    return EndpointUrl.parse("--imds-endpoint", value, "http://169.254.169.254");
  }

  /** A location; a relative path is taken from the current directory. */
  public static CheckpointStoreLocation checkpointStore(String value) {
    try {
      boolean relativePath = !value.isBlank() && !value.startsWith("/") && !value.contains(":");
      return CheckpointStoreLocation.parse(
          relativePath ? java.nio.file.Path.of(value).toAbsolutePath().toString() : value);
    } catch (IllegalArgumentException e) {
      throw new UserInputException("--checkpoint-store: " + e.getMessage());
    }
  }
}
