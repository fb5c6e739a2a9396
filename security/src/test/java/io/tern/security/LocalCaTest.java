package io.tern.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tern.security.pki.IdentityKind;
import io.tern.security.pki.LocalCa;
import io.tern.security.pki.PemFiles;
import io.tern.security.pki.TlsLayout;
import io.tern.security.tls.PeerIdentity;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalCaTest {
  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-11-23T08:00:00Z"), ZoneOffset.UTC);

  @TempDir Path dir;

  @Test
  void issuedCertificatesChainToTheCaAndNameTheirIdentity() throws Exception {
    TlsLayout layout = new TlsLayout(dir);
    LocalCa.create(layout, Duration.ofDays(365), CLOCK);
    LocalCa ca = LocalCa.open(layout, CLOCK);

    X509Certificate leaf =
        ca.issue(
                IdentityKind.SCHEDULER,
                "scheduler",
                List.of("localhost", "10.0.0.5", "::1"),
                Duration.ofDays(30))
            .certificate();

    leaf.verify(ca.certificate().getPublicKey());
    assertThat(leaf.getNotAfter().toInstant()).isEqualTo(CLOCK.instant().plus(Duration.ofDays(30)));
    assertThat(leaf.getSubjectAlternativeNames())
        .extracting(name -> (Object) name.get(1))
        .containsExactly((Object) "localhost", "10.0.0.5", "0:0:0:0:0:0:0:1");
    assertThat(PeerIdentity.of(leaf))
        .contains(new PeerIdentity(IdentityKind.SCHEDULER, "scheduler"));
    assertThat(PeerIdentity.of(ca.certificate())).isEmpty();
  }

  @Test
  void theCaKeyIsReadableByItsOwnerOnly() throws Exception {
    TlsLayout layout = new TlsLayout(dir);
    LocalCa.create(layout, Duration.ofDays(1), CLOCK);

    assertThat(Files.getPosixFilePermissions(layout.caKey()))
        .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
    assertThat(PemFiles.readPrivateKey(layout.caKey()).getAlgorithm()).isEqualTo("EC");
  }

  @Test
  void anExistingCaIsNeverReplaced() throws Exception {
    TlsLayout layout = new TlsLayout(dir);
    X509Certificate first = LocalCa.create(layout, Duration.ofDays(1), CLOCK).certificate();

    assertThatThrownBy(() -> LocalCa.create(layout, Duration.ofDays(1), CLOCK))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("exists already");
    assertThat(PemFiles.readCertificates(layout.caCertificate())).containsExactly(first);
  }

  @Test
  void namesAndHostsThatCouldConfuseAVerifierAreRefused() throws Exception {
    LocalCa ca = LocalCa.create(new TlsLayout(dir), Duration.ofDays(1), CLOCK);

    assertThatThrownBy(() -> ca.issue(IdentityKind.AGENT, "../node", List.of(), Duration.ofDays(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("name:");
    assertThatThrownBy(
            () ->
                ca.issue(IdentityKind.AGENT, "a,OU=tern-scheduler", List.of(), Duration.ofDays(1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () -> ca.issue(IdentityKind.SCHEDULER, "s", List.of("bad host"), Duration.ofDays(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("host:");
    assertThatThrownBy(
            () -> ca.issue(IdentityKind.SCHEDULER, "s", List.of("300.1.1.1"), Duration.ofDays(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("host:");
  }

  @Test
  void aMissingOrGarbledFileIsNamedInTheError() throws Exception {
    Path garbage = Files.writeString(dir.resolve("ca.pem"), "not a certificate");

    assertThatThrownBy(() -> PemFiles.readCertificates(garbage))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(garbage.toString());
    assertThatThrownBy(() -> LocalCa.open(new TlsLayout(dir), CLOCK))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("ca.key is missing");
  }
}
