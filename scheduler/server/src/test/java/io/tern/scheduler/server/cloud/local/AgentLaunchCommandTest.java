package io.tern.scheduler.server.cloud.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.tern.scheduler.core.model.CapacityType;
import io.tern.security.pki.IdentityKind;
import io.tern.security.pki.LocalCa;
import io.tern.security.pki.PemFiles;
import io.tern.security.pki.TlsLayout;
import io.tern.security.tls.PeerIdentity;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentLaunchCommandTest {
  @TempDir Path dir;

  @Test
  void aLaunchedAgentGetsACertificateForItsOwnNodeAndTheTlsDir() throws Exception {
    TlsLayout layout = new TlsLayout(dir);
    LocalCa ca = LocalCa.create(layout, Duration.ofDays(1), Clock.systemUTC());
    AgentLaunchCommand command =
        AgentLaunchCommand.withTls(
            AgentLaunchCommand.ternAgent(Path.of("java"), "cp", "127.0.0.1:1", dir.resolve("work")),
            ca,
            layout);

    List<String> argv =
        command.argv("local-1-3", new LocalPool("p", CapacityType.SPOT, "sim:1xL4:24", 0.5, 1));

    assertThat(argv).containsSequence("--tls-dir", dir.toString());
    assertThat(argv).containsSequence("--node-id", "local-1-3");
    var certificate = PemFiles.readCertificates(layout.agentCertificate("local-1-3")).getFirst();
    certificate.verify(ca.certificate().getPublicKey());
    assertThat(PeerIdentity.of(certificate))
        .contains(new PeerIdentity(IdentityKind.AGENT, "local-1-3"));
  }
}
