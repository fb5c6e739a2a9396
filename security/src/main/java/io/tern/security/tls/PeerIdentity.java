package io.tern.security.tls;

import io.grpc.Attributes;
import io.grpc.Grpc;
import io.tern.security.pki.IdentityKind;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Optional;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;

/**
 * Who the peer of a TLS connection is, from the client certificate the TLS layer verified against
 * the trusted CA: {@code OU=tern-agent, CN=node-7} is the agent of node-7.
 */
public record PeerIdentity(IdentityKind kind, String name) {

  /** The verified identity of a call's peer, or empty (plaintext, no certificate, not Tern's). */
  public static Optional<PeerIdentity> of(Attributes transport) {
    SSLSession session = transport.get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
    if (session == null) {
      return Optional.empty();
    }
    try {
      Certificate[] chain = session.getPeerCertificates();
      return chain.length > 0 && chain[0] instanceof X509Certificate leaf
          ? of(leaf)
          : Optional.empty();
    } catch (SSLPeerUnverifiedException e) {
      return Optional.empty();
    }
  }

  /** The identity a certificate names, or empty when its subject is not a Tern identity. */
  public static Optional<PeerIdentity> of(X509Certificate certificate) {
    X500Name subject = X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded());
    String unit = single(subject, BCStyle.OU);
    String common = single(subject, BCStyle.CN);
    IdentityKind kind = unit == null ? null : IdentityKind.fromOrganizationalUnit(unit);
    return kind == null || common == null || common.isBlank()
        ? Optional.empty()
        : Optional.of(new PeerIdentity(kind, common));
  }

  private static String single(X500Name name, org.bouncycastle.asn1.ASN1ObjectIdentifier type) {
    RDN[] rdns = name.getRDNs(type);
    if (rdns.length != 1 || rdns[0].isMultiValued()) {
      return null;
    }
    return IETFUtils.valueToString(rdns[0].getFirst().getValue());
  }
}
