package io.tern.security.tls;

import io.grpc.ServerCredentials;
import io.grpc.TlsServerCredentials;
import io.tern.security.pki.PemFiles;
import io.tern.security.pki.TlsLayout;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A scheduler's TLS settings: its certificate chain and key, and the CA whose client certificates
 * it accepts. Clients may present a certificate (agents must, and it names their node; users
 * authenticate with tokens instead), so client authentication is optional at the TLS layer and
 * required per service by the scheduler's authorization.
 */
public record ServerTls(Path certificateChain, Path privateKey, Path clientCa) {

  /** The scheduler files of a {@link TlsLayout} directory. */
  public static ServerTls of(TlsLayout layout) {
    return new ServerTls(
        layout.schedulerCertificate(), layout.schedulerKey(), layout.caCertificate());
  }

  /**
   * gRPC server credentials; the files are read now, and a missing or unreadable one is an error
   * naming it.
   */
  public ServerCredentials credentials() throws IOException {
    // Read once through Bouncy Castle first: its errors name the file, Netty's do not.
    PemFiles.readCertificates(certificateChain);
    PemFiles.readPrivateKey(privateKey);
    PemFiles.readCertificates(clientCa);
    return TlsServerCredentials.newBuilder()
        .keyManager(certificateChain.toFile(), privateKey.toFile())
        .trustManager(clientCa.toFile())
        .clientAuth(TlsServerCredentials.ClientAuth.OPTIONAL)
        .build();
  }
}
