package io.tern.security.pki;

import java.nio.file.Path;

/**
 * Where a Tern TLS directory keeps its files, as {@code tern admin certs} writes them:
 *
 * <pre>
 * DIR/ca.pem                     the CA certificate every party trusts
 * DIR/ca.key                     the CA key (only where certificates are issued)
 * DIR/scheduler.pem, .key        the schedulers' server certificate
 * DIR/agents/NODE.pem, .key      one client certificate per node agent, CN = the node id
 * </pre>
 */
public record TlsLayout(Path dir) {
  public Path caCertificate() {
    return dir.resolve("ca.pem");
  }

  public Path caKey() {
    return dir.resolve("ca.key");
  }

  public Path schedulerCertificate() {
    return dir.resolve("scheduler.pem");
  }

  public Path schedulerKey() {
    return dir.resolve("scheduler.key");
  }

  public Path agentCertificate(String nodeId) {
    return dir.resolve("agents").resolve(nodeId + ".pem");
  }

  public Path agentKey(String nodeId) {
    return dir.resolve("agents").resolve(nodeId + ".key");
  }
}
