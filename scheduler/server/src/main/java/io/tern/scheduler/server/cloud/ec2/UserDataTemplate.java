package io.tern.scheduler.server.cloud.ec2;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The agent boot script with {@code {{NAME}}} placeholders: {@code SCHEDULER}, {@code CAPACITY},
 * {@code POOL}, {@code PRICE}. The node id is not a placeholder: the script reads the instance id
 * from IMDS at boot. {@link #DEFAULT} is {@code deploy/ec2/agent-user-data.sh}, which the build
 * copies into this package's resources, so the shaded jar needs no file beside it. Immutable and
 * thread-safe.
 */
public final class UserDataTemplate {
  private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{([A-Z_]+)}}");

  /** Values are pasted between single quotes in a shell script: keep them to safe characters. */
  private static final Pattern SAFE_VALUE = Pattern.compile("[A-Za-z0-9.:,/_@+=-]*");

  /** EC2 takes at most 16 KB of user data. */
  static final int MAX_BYTES = 16 * 1024;

  /** The resource this class loads {@link #DEFAULT} from. */
  static final String DEFAULT_RESOURCE = "agent-user-data.sh";

  public static final UserDataTemplate DEFAULT = fromResource(DEFAULT_RESOURCE);

  private final String text;

  public UserDataTemplate(String text) {
    this.text = text;
  }

  public static UserDataTemplate fromFile(Path path) throws IOException {
    return new UserDataTemplate(Files.readString(path, StandardCharsets.UTF_8));
  }

  private static UserDataTemplate fromResource(String name) {
    try (InputStream in = UserDataTemplate.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException(
            "resource " + name + " is missing beside " + UserDataTemplate.class.getName());
      }
      return new UserDataTemplate(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the resource " + name, e);
    }
  }

  public String text() {
    return text;
  }

  /**
   * The script with every placeholder replaced.
   *
   * @throws IllegalArgumentException for a placeholder without a value, a value with characters
   *     that are unsafe in a shell script, or a result over EC2's 16 KB limit
   */
  public String render(Map<String, String> values) {
    for (var e : values.entrySet()) {
      if (!SAFE_VALUE.matcher(e.getValue()).matches()) {
        throw new IllegalArgumentException(
            "user data value " + e.getKey() + " has unsafe characters: " + e.getValue());
      }
    }
    Matcher m = PLACEHOLDER.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String value = values.get(m.group(1));
      if (value == null) {
        throw new IllegalArgumentException(
            "user data placeholder {{" + m.group(1) + "}} has no value");
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    if (out.toString().getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
      throw new IllegalArgumentException("user data is over EC2's 16 KB limit");
    }
    return out.toString();
  }
}
