package io.tern.security.pki;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * A certificate and its private key, with the chain up to (not including) the root.
 *
 * @param certificate the leaf
 * @param privateKey its key
 * @param chain the leaf first, then intermediates; the root stays in the trust store
 */
public record IssuedCertificate(
    X509Certificate certificate, PrivateKey privateKey, List<X509Certificate> chain) {
  public IssuedCertificate {
    chain = List.copyOf(chain);
  }
}
