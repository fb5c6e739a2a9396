package io.tern.cli.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tern.cli.UserInputException;
import io.tern.security.token.BearerToken;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClientConfigTest {
  @TempDir Path home;
  private Path ca;
  private BearerToken token;

  @BeforeEach
  void files() throws Exception {
    ca = Files.writeString(home.resolve("ca.pem"), "not read until a channel opens");
    token = BearerToken.generate();
  }

  private void config(String yaml) throws Exception {
    Files.createDirectories(home.resolve(".tern"));
    Files.writeString(home.resolve(".tern/config.yaml"), yaml);
  }

  @Test
  void withNothingSetItIsPlaintextToLocalhost() {
    ClientConfig config = ClientConfig.resolve(null, null, null, Map.of(), home);

    assertThat(config.addresses()).containsExactly(SchedulerAddresses.DEFAULT);
    assertThat(config.tls()).isNull();
    assertThat(config.token()).isNull();
  }

  @Test
  void aTypoInTheConfigFileIsNamedNotIgnored() throws Exception {
    config("schedular: a:1\n");

    assertThatThrownBy(() -> ClientConfig.resolve(null, null, null, Map.of(), home))
        .isInstanceOf(UserInputException.class)
        .hasMessageEndingWith(
            "config.yaml: schedular: unknown key (the keys are scheduler, tlsCa, token,"
                + " tokenFile)");
  }

  @Test
  void homeIsTheShellsHomeBeforeTheJvms() {
    assertThat(ClientConfig.userHome(Map.of("HOME", "/tmp/elsewhere")))
        .isEqualTo(Path.of("/tmp/elsewhere"));
    assertThat(ClientConfig.userHome(Map.of())).isEqualTo(Path.of(System.getProperty("user.home")));
  }

  @Test
  void theConfigFileGivesSchedulerCaAndTokenFile() throws Exception {
    Files.writeString(home.resolve("token"), token.value() + "\n");
    config("scheduler: a:1,b:2\ntlsCa: ~/ca.pem\ntokenFile: ~/token\n");

    ClientConfig config = ClientConfig.resolve(null, null, null, Map.of(), home);

    assertThat(config.addresses()).containsExactly("a:1", "b:2");
    assertThat(config.tls().ca()).isEqualTo(ca);
    assertThat(config.token()).isEqualTo(token);
  }

  @Test
  void flagsBeatTheEnvironmentWhichBeatsTheFile() throws Exception {
    config("scheduler: file:1\ntoken: " + BearerToken.generate().value() + "\n");
    Path flagToken = Files.writeString(home.resolve("flag.token"), token.value());

    ClientConfig fromEnv =
        ClientConfig.resolve(
            null,
            null,
            null,
            Map.of(
                "TERN_SCHEDULER",
                "env:1",
                "TERN_TLS_CA",
                ca.toString(),
                "TERN_TOKEN",
                token.value()),
            home);
    ClientConfig fromFlags =
        ClientConfig.resolve("flag:1", ca, flagToken, Map.of("TERN_SCHEDULER", "env:1"), home);

    assertThat(fromEnv.addresses()).containsExactly("env:1");
    assertThat(fromEnv.token()).isEqualTo(token);
    assertThat(fromFlags.addresses()).containsExactly("flag:1");
    assertThat(fromFlags.token()).isEqualTo(token);
  }

  @Test
  void aTokenWithoutTlsIsRefusedRatherThanSentInClear() {
    assertThatThrownBy(
            () -> ClientConfig.resolve(null, null, null, Map.of("TERN_TOKEN", token.value()), home))
        .isInstanceOf(UserInputException.class)
        .hasMessageStartingWith("--tls-ca:")
        .hasMessageContaining("never sent in plaintext");
  }

  /** The error of the first call through {@code config}: its CA is read when a channel opens. */
  private static UserInputException firstCall(ClientConfig config) {
    try (SchedulerClient client = new SchedulerClient(config, Duration.ZERO)) {
      return assertThrows(UserInputException.class, () -> client.call(channel -> null));
    }
  }

  @Test
  void aCaThatIsNoCertificateIsBlamedOnWhereItWasNamed() throws Exception {
    UserInputException fromFlag =
        firstCall(ClientConfig.resolve(null, ca, null, Map.of("TERN_TLS_CA", "/other"), home));
    UserInputException fromEnv =
        firstCall(
            ClientConfig.resolve(null, null, null, Map.of("TERN_TLS_CA", ca.toString()), home));
    config("tlsCa: ~/ca.pem\n");
    UserInputException fromFile = firstCall(ClientConfig.resolve(null, null, null, Map.of(), home));

    assertThat(fromFlag).hasMessageStartingWith("--tls-ca: ").hasMessageContaining("ca.pem");
    assertThat(fromEnv).hasMessageStartingWith("TERN_TLS_CA: ").hasMessageContaining("ca.pem");
    assertThat(fromFile)
        .hasMessageStartingWith(home.resolve(".tern/config.yaml") + ": tlsCa: ")
        .hasMessageContaining("not a PEM certificate file");
  }

  @Test
  void badValuesNameWhereTheyCameFrom() throws Exception {
    assertThatThrownBy(
            () ->
                ClientConfig.resolve(
                    null,
                    null,
                    null,
                    Map.of("TERN_TLS_CA", ca.toString(), "TERN_TOKEN", "hunter2"),
                    home))
        .isInstanceOf(UserInputException.class)
        .hasMessageStartingWith("TERN_TOKEN: not a Tern token");
    assertThatThrownBy(
            () -> ClientConfig.resolve(null, home.resolve("missing.pem"), null, Map.of(), home))
        .isInstanceOf(UserInputException.class)
        .hasMessageStartingWith("--tls-ca: no CA certificate file");
    config("scheduler: nocolon\n");
    assertThatThrownBy(() -> ClientConfig.resolve(null, null, null, Map.of(), home))
        .isInstanceOf(UserInputException.class)
        .hasMessageContaining("config.yaml: scheduler");
  }
}
