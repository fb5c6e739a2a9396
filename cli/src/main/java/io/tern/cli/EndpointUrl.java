package io.tern.cli;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * Checks a flag that names an HTTP endpoint: {@code http} or {@code https}, a host, a port when a
 * colon says there is one (1-65535), no user info, query or fragment. A URL the JDK would accept
 * but no client can use ({@code http://127.0.0.1:}, {@code http://host:99999}) fails here, naming
 * the flag, rather than quietly later.
 */
public final class EndpointUrl {
  private EndpointUrl() {}

  /**
   * @param flag the flag, for the message, e.g. "--imds-endpoint"
   * @param example a good value, for the message
   * @throws UserInputException (exit 2) naming the flag and what is wrong
   */
  public static URI parse(String flag, String value, String example) {
    String problem = problem(value);
    if (problem != null) {
      throw new UserInputException(
          flag + ": \"" + value + "\" is not a usable URL (" + problem + "); e.g. " + example);
    }
    return URI.create(value.trim());
  }

  /** Why {@code value} is not a usable endpoint URL, or null when it is one. */
  public static String problem(String value) {
    if (value == null || value.isBlank()) {
      return "empty";
    }
    URI uri;
    try {
      uri = new URI(value.trim());
    } catch (URISyntaxException e) {
      return e.getReason();
    }
    if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
      return "the scheme must be http or https";
    }
    String authority = uri.getRawAuthority();
    if (authority == null || uri.getHost() == null) {
      return authority != null && authority.contains(":")
          ? "the port must be a number from 1 to 65535"
          : "no host";
    }
    if (authority.endsWith(":")) {
      return "a colon but no port";
    }
    if (uri.getPort() == 0 || uri.getPort() > 65_535) {
      return "the port must be a number from 1 to 65535";
    }
    if (uri.getRawUserInfo() != null || uri.getRawQuery() != null || uri.getRawFragment() != null) {
      return "no user info, query or fragment allowed";
    }
    return null;
  }
}
