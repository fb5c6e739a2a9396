package io.tern.cli.server;

import io.tern.cli.UserInputException;
import io.tern.scheduler.server.auth.SecuritySettings;
import io.tern.security.pki.TlsLayout;
import io.tern.security.tls.ServerTls;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code tern scheduler}'s TLS, authentication, rate limit, audit and ZooKeeper ACL flags. */
public final class SecurityFlags {
  @Option(
      names = "--tls-dir",
      paramLabel = "DIR",
      description =
          "Serve TLS with DIR/scheduler.pem and DIR/scheduler.key, accept agent certificates signed"
              + " by DIR/ca.pem, and require a token or an agent certificate on every call (make"
              + " DIR with 'tern admin certs init').")
  Path tlsDir;

  @Option(
      names = "--tls-cert",
      paramLabel = "FILE",
      description = "Server certificate chain (PEM), instead of --tls-dir's.")
  Path tlsCert;

  @Option(
      names = "--tls-key",
      paramLabel = "FILE",
      description = "Server private key (PEM, PKCS#8), with --tls-cert.")
  Path tlsKey;

  @Option(
      names = "--tls-client-ca",
      paramLabel = "FILE",
      description = "CA of the agents' client certificates (PEM), with --tls-cert.")
  Path tlsClientCa;

  @Option(
      names = "--rate-limit",
      paramLabel = "CALLS",
      defaultValue = "100",
      description =
          "Calls a second per user with TLS on (bursts of twice that); 0: no limit (default"
              + " ${DEFAULT-VALUE}).")
  double rateLimit;

  @Option(
      names = "--audit-log",
      paramLabel = "FILE",
      description =
          "Append one JSON line per mutating call (who, what, when, result) to FILE; it always goes"
              + " to the tern.audit logger too.")
  Path auditLog;

  @Option(
      names = "--zk-digest-file",
      paramLabel = "FILE",
      description =
          "File holding USER:PASSWORD for ZooKeeper digest authentication; Tern's znodes are then"
              + " readable and writable by that identity only.")
  Path zkDigestFile;

  SecuritySettings settings() {
    if (rateLimit < 0) {
      throw new UserInputException("--rate-limit: must be >= 0, got " + rateLimit);
    }
    return new SecuritySettings(tls(), rateLimit, auditLog, zkDigest(zkDigestFile));
  }

  private ServerTls tls() {
    boolean explicit = tlsCert != null || tlsKey != null || tlsClientCa != null;
    if (tlsDir != null && explicit) {
      throw new UserInputException(
          "--tls-dir: give it or --tls-cert/--tls-key/--tls-client-ca, not both");
    }
    if (tlsDir != null) {
      if (!Files.isDirectory(tlsDir)) {
        throw new UserInputException("--tls-dir: " + tlsDir + " is not a directory");
      }
      return ServerTls.of(new TlsLayout(tlsDir));
    }
    if (!explicit) {
      return null;
    }
    if (tlsCert == null || tlsKey == null || tlsClientCa == null) {
      throw new UserInputException(
          (tlsCert == null ? "--tls-cert" : tlsKey == null ? "--tls-key" : "--tls-client-ca")
              + ": --tls-cert, --tls-key and --tls-client-ca go together");
    }
    return new ServerTls(tlsCert, tlsKey, tlsClientCa);
  }

  /** USER:PASSWORD from a file (trailing newline ignored), or null without a file. */
  public static String zkDigest(Path file) {
    if (file == null) {
      return null;
    }
    String digest;
    try {
      digest = Files.readString(file).strip();
    } catch (IOException e) {
      throw new UserInputException("--zk-digest-file: cannot read " + file + ": " + e.getMessage());
    }
    int colon = digest.indexOf(':');
    if (colon <= 0 || colon == digest.length() - 1 || digest.contains("\n")) {
      throw new UserInputException(
          "--zk-digest-file: " + file + " must hold one line USER:PASSWORD");
    }
    return digest;
  }
}
