package io.tern.scheduler.server.auth;

import io.tern.security.tls.ServerTls;
import java.nio.file.Path;

/**
 * How a scheduler replica protects itself.
 *
 * @param tls the server certificate and the CA of client certificates; null serves plaintext, and
 *     then nobody is authenticated (local use only)
 * @param rateLimitPerSecond calls a second per user (bursts of twice that); 0 disables the limit
 * @param auditLog a file to append the audit log to, or null for the {@code tern.audit} logger only
 * @param zkDigest {@code user:password} for ZooKeeper digest authentication; when set, every znode
 *     Tern creates is readable and writable by that identity only. Null: open ACLs.
 */
public record SecuritySettings(
    ServerTls tls, double rateLimitPerSecond, Path auditLog, String zkDigest) {
  public SecuritySettings {
    if (rateLimitPerSecond < 0) {
      throw new IllegalArgumentException("rate limit: must be >= 0");
    }
    if (zkDigest != null && (zkDigest.indexOf(':') <= 0 || zkDigest.endsWith(":"))) {
      throw new IllegalArgumentException("ZooKeeper digest: expected USER:PASSWORD");
    }
  }

  /** Plaintext, no authentication, no rate limit, open ZooKeeper ACLs: local use and tests. */
  public static SecuritySettings off() {
    return new SecuritySettings(null, 0, null, null);
  }

  public boolean authenticates() {
    return tls != null;
  }

  /** The digest never appears in logs or toString. */
  @Override
  public String toString() {
    return "SecuritySettings[tls="
        + tls
        + ", rateLimitPerSecond="
        + rateLimitPerSecond
        + ", auditLog="
        + auditLog
        + ", zkDigest="
        + (zkDigest == null ? "none" : "set")
        + "]";
  }
}
