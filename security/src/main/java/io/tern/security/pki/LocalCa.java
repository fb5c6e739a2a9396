package io.tern.security.pki;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.IPAddress;

/**
 * A certificate authority for clusters that have none of their own: local use, the demo, tests.
 * ECDSA P-256 keys, SHA-256 signatures, certificates built with Bouncy Castle.
 *
 * <p>Every certificate it issues names what it identifies in its subject: {@code O=tern,
 * OU=tern-agent, CN=node-7}. Scheduler certificates carry the host names and addresses clients
 * reach them at as subject alternative names, so ordinary TLS host name checks pass. The CA key
 * never leaves {@link TlsLayout#caKey()}; a production cluster would keep it offline.
 */
public final class LocalCa {
  /** Node ids and user names a certificate may carry: what Tern accepts as a node id. */
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");

  private static final SecureRandom RANDOM = new SecureRandom();

  private final X509Certificate certificate;
  private final PrivateKey key;
  private final Clock clock;

  private LocalCa(X509Certificate certificate, PrivateKey key, Clock clock) {
    this.certificate = certificate;
    this.key = key;
    this.clock = clock;
  }

  /** Makes a new CA valid for {@code validity} and writes it into {@code layout}. */
  public static LocalCa create(TlsLayout layout, Duration validity, Clock clock)
      throws IOException {
    if (Files.exists(layout.caCertificate())) {
      throw new IOException(layout.caCertificate() + " exists already; not replacing a CA");
    }
    KeyPair pair = newKeyPair();
    X500Name name = subject("tern-ca", "Tern local CA");
    Instant now = clock.instant();
    try {
      X509v3CertificateBuilder builder =
          new JcaX509v3CertificateBuilder(
              name,
              serial(),
              Date.from(now.minus(Duration.ofMinutes(5))),
              Date.from(now.plus(validity)),
              name,
              pair.getPublic());
      JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
      builder.addExtension(
          Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      builder.addExtension(
          Extension.subjectKeyIdentifier,
          false,
          extensions.createSubjectKeyIdentifier(pair.getPublic()));
      X509Certificate ca = sign(builder, pair.getPrivate());
      PemFiles.writePrivateKey(layout.caKey(), pair.getPrivate());
      PemFiles.writeCertificates(layout.caCertificate(), List.of(ca));
      return new LocalCa(ca, pair.getPrivate(), clock);
    } catch (GeneralSecurityException | IOException | RuntimeException e) {
      throw e instanceof IOException io ? io : new IOException("cannot make a CA: " + e, e);
    }
  }

  /**
   * Makes a new CA (valid ten times {@code validity}) and the schedulers' certificate in {@code
   * layout}, for {@code hosts} plus {@code localhost} and {@code 127.0.0.1}.
   *
   * @return the CA, to issue agents' certificates from
   * @throws IllegalArgumentException naming the host that is not a host name or address
   */
  public static LocalCa init(TlsLayout layout, List<String> hosts, Duration validity, Clock clock)
      throws IOException {
    List<String> names = new ArrayList<>(List.of("localhost", "127.0.0.1"));
    for (String host : hosts) {
      if (!names.contains(host.strip())) {
        names.add(host.strip());
      }
    }
    for (String host : names) {
      alternativeName(host); // refuse a bad host before anything is written
    }
    LocalCa ca = create(layout, validity.multipliedBy(10), clock);
    write(
        ca.issue(IdentityKind.SCHEDULER, "scheduler", names, validity),
        layout.schedulerCertificate(),
        layout.schedulerKey());
    return ca;
  }

  /** Opens the CA of {@code layout}; its key must be there. */
  public static LocalCa open(TlsLayout layout, Clock clock) throws IOException {
    if (!Files.exists(layout.caKey())) {
      throw new IOException(
          layout.caKey() + " is missing: certificates can only be issued where the CA key is");
    }
    return new LocalCa(
        PemFiles.readCertificates(layout.caCertificate()).getFirst(),
        PemFiles.readPrivateKey(layout.caKey()),
        clock);
  }

  public X509Certificate certificate() {
    return certificate;
  }

  /**
   * Issues a certificate for {@code kind}/{@code name}, valid for {@code validity}; usable both as
   * a TLS server and a TLS client certificate.
   *
   * @param hosts subject alternative names: host names or IP literals (for schedulers)
   * @throws IllegalArgumentException when {@code name} or a host is not acceptable
   */
  public IssuedCertificate issue(
      IdentityKind kind, String name, List<String> hosts, Duration validity) throws IOException {
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "name: must be 1-63 letters, digits, '.', '_' or '-' and start with a letter or digit,"
              + " got '"
              + name
              + "'");
    }
    KeyPair pair = newKeyPair();
    Instant now = clock.instant();
    try {
      X509v3CertificateBuilder builder =
          new JcaX509v3CertificateBuilder(
              certificate,
              serial(),
              Date.from(now.minus(Duration.ofMinutes(5))),
              Date.from(now.plus(validity)),
              subject(kind.organizationalUnit(), name),
              pair.getPublic());
      JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      builder.addExtension(
          Extension.keyUsage,
          true,
          new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement));
      builder.addExtension(
          Extension.extendedKeyUsage,
          false,
          new ExtendedKeyUsage(
              new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
      builder.addExtension(
          Extension.subjectKeyIdentifier,
          false,
          extensions.createSubjectKeyIdentifier(pair.getPublic()));
      builder.addExtension(
          Extension.authorityKeyIdentifier,
          false,
          extensions.createAuthorityKeyIdentifier(certificate));
      List<GeneralName> alternatives = new ArrayList<>();
      for (String host : hosts) {
        alternatives.add(alternativeName(host));
      }
      if (!alternatives.isEmpty()) {
        builder.addExtension(
            Extension.subjectAlternativeName,
            false,
            new GeneralNames(alternatives.toArray(GeneralName[]::new)));
      }
      X509Certificate leaf = sign(builder, key);
      return new IssuedCertificate(leaf, pair.getPrivate(), List.of(leaf));
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot issue a certificate for " + name + ": " + e, e);
    }
  }

  /** Writes an issued certificate (chain) and its key to {@code certificate} and {@code key}. */
  public static void write(IssuedCertificate issued, Path certificate, Path key)
      throws IOException {
    PemFiles.writePrivateKey(key, issued.privateKey());
    PemFiles.writeCertificates(certificate, issued.chain());
  }

  private static GeneralName alternativeName(String host) {
    if (host.isBlank() || host.length() > 253) {
      throw new IllegalArgumentException("host: must be 1-253 characters, got '" + host + "'");
    }
    if (IPAddress.isValid(host)) {
      return new GeneralName(GeneralName.iPAddress, host);
    }
    if (host.matches("[0-9.]+") || host.contains(":")) {
      throw new IllegalArgumentException("host: not an IP address: '" + host + "'");
    }
    if (!host.matches("[A-Za-z0-9*]([A-Za-z0-9.-]*[A-Za-z0-9])?")) {
      throw new IllegalArgumentException("host: not a host name: '" + host + "'");
    }
    return new GeneralName(GeneralName.dNSName, host);
  }

  private static X500Name subject(String unit, String commonName) {
    return new X500NameBuilder(BCStyle.INSTANCE)
        .addRDN(BCStyle.O, "tern")
        .addRDN(BCStyle.OU, unit)
        .addRDN(BCStyle.CN, commonName)
        .build();
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey signer)
      throws GeneralSecurityException {
    try {
      return new JcaX509CertificateConverter()
          .getCertificate(
              builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer)));
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException(e);
    }
  }

  private static KeyPair newKeyPair() throws IOException {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IOException("no EC key generator: " + e, e);
    }
  }

  private static BigInteger serial() {
    return new BigInteger(127, RANDOM).add(BigInteger.ONE);
  }
}
