package io.tern.security.pki;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads PEM certificates with the JDK alone, so that a client trusting a CA needs no Bouncy Castle
 * on its class path. Stateless and thread-safe.
 */
public final class PemCertificates {
  private PemCertificates() {}

  /** Every certificate in a PEM file, in order. */
  public static List<X509Certificate> read(Path file) throws IOException {
    List<X509Certificate> certificates = new ArrayList<>();
    try (InputStream in = Files.newInputStream(file)) {
      for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        if (c instanceof X509Certificate x509) {
          certificates.add(x509);
        }
      }
    } catch (CertificateException | RuntimeException e) {
      throw new IOException(file + ": not a PEM certificate file: " + e.getMessage(), e);
    }
    if (certificates.isEmpty()) {
      throw new IOException(file + ": no PEM certificate in it");
    }
    return certificates;
  }
}
