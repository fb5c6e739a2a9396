package io.tern.scheduler.server.cloud.ec2;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The agent boot script with {@code {{NAME}}} placeholders: {@code SCHEDULER}, {@code CAPACITY},
 * {@code POOL}, {@code PRICE}. The node id is not a placeholder: the script reads the instance id
 * from IMDS at boot. {@link #DEFAULT} is {@code deploy/ec2/agent-user-data.sh}, kept in the code so
 * the shaded jar needs no file (a test checks the two are the same). Immutable and thread-safe.
 */
public final class UserDataTemplate {
  private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{([A-Z_]+)}}");

  /** Values are pasted between single quotes in a shell script: keep them to safe characters. */
  private static final Pattern SAFE_VALUE = Pattern.compile("[A-Za-z0-9.:,/_@+=-]*");

  /** EC2 takes at most 16 KB of user data. */
  static final int MAX_BYTES = 16 * 1024;

  public static final UserDataTemplate DEFAULT =
      new UserDataTemplate(
"""
#!/bin/bash
# Tern agent boot script for EC2 instances launched by the scheduler's ec2 cloud connector.
# The connector fills in the double-brace placeholders; everything else runs as written.
# Needs on the AMI: the `tern` launcher on PATH (with its JDK), curl, the NVIDIA driver.
set -euo pipefail

# The node id is the instance id, read through IMDSv2 (token first, then the metadata).
imds() {
  local token
  token=$(curl -sf -X PUT "http://169.254.169.254/latest/api/token" \\
    -H "X-aws-ec2-metadata-token-ttl-seconds: 300")
  curl -sf -H "X-aws-ec2-metadata-token: ${token}" "http://169.254.169.254/latest/meta-data/$1"
}
for attempt in $(seq 1 30); do
  NODE_ID=$(imds instance-id) && break
  sleep 2
done
: "${NODE_ID:?instance metadata did not answer}"

mkdir -p /var/lib/tern
cat > /etc/default/tern-agent <<CONF
TERN_SCHEDULER='{{SCHEDULER}}'
TERN_NODE_ID='${NODE_ID}'
TERN_CAPACITY='{{CAPACITY}}'
TERN_POOL='{{POOL}}'
TERN_PRICE='{{PRICE}}'
CONF

# A systemd unit when the AMI has one (deploy/systemd), so the agent restarts if it dies.
if systemctl cat tern-agent.service >/dev/null 2>&1; then
  systemctl enable --now tern-agent.service
  exit 0
fi
exec tern agent --scheduler '{{SCHEDULER}}' --node-id "${NODE_ID}" \\
  --capacity '{{CAPACITY}}' --pool '{{POOL}}' --price '{{PRICE}}' \\
  --gpus nvml --work-dir /var/lib/tern \\
  >>/var/log/tern-agent.log 2>&1
""");

  private final String text;

  public UserDataTemplate(String text) {
    this.text = text;
  }

  public static UserDataTemplate fromFile(Path path) throws IOException {
    return new UserDataTemplate(Files.readString(path, StandardCharsets.UTF_8));
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
