package io.tern.cli.client;

import io.tern.cli.UserInputException;
import java.util.ArrayList;
import java.util.List;

/**
 * Lists of scheduler replicas, {@code HOST:PORT[,HOST:PORT...]}: any one will do, since followers
 * point to the leader. {@link ClientConfig} says where a client's list comes from.
 */
public final class SchedulerAddresses {
  public static final String DEFAULT = "localhost:50051";

  private SchedulerAddresses() {}

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
      if (!valid || address.contains("/")) {
        throw new UserInputException(
            source
                + ": expected HOST:PORT[,HOST:PORT...], got \""
                + address
                + "\""
                + (address.contains("://") ? " (no scheme: the client speaks gRPC)" : ""));
      }
      out.add(address);
    }
    return out;
  }
}
