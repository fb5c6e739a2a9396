package io.tern.security.tls;

import io.grpc.ChannelCredentials;
import io.grpc.TlsChannelCredentials;
import io.tern.security.pki.PemCertificates;
import io.tern.security.pki.PemFiles;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A client's TLS settings: the CA it trusts to have signed the schedulers' certificates, and
 * optionally its own certificate (agents present one naming their node).
 *
 * @param ca the CA certificate (PEM)
 * @param certificateChain the client's certificate chain, or null
 * @param privateKey its key, or null
 */
public record ClientTls(Path ca, Path certificateChain, Path privateKey) {
  public ClientTls {
    if ((certificateChain == null) != (privateKey == null)) {
      throw new IllegalArgumentException("a client certificate needs both its chain and its key");
    }
  }

  public static ClientTls trusting(Path ca) {
    return new ClientTls(ca, null, null);
  }

  /** gRPC channel credentials; the files are read now. */
  public ChannelCredentials credentials() throws IOException {
    PemCertificates.read(ca);
    TlsChannelCredentials.Builder builder =
        TlsChannelCredentials.newBuilder().trustManager(ca.toFile());
    if (certificateChain != null) {
      PemFiles.readCertificates(certificateChain);
      PemFiles.readPrivateKey(privateKey);
      builder.keyManager(certificateChain.toFile(), privateKey.toFile());
    }
    return builder.build();
  }
}
