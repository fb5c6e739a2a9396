package io.tern.cli.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.tern.cli.TernCommand;
import io.tern.cli.testing.TernInProcess;
import io.tern.cli.testing.TernProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How the CLI fails when there is nothing to talk to, or the input is wrong: fast, in one line that
 * says what was tried, with the documented exit codes. Real processes where what the JVM prints
 * around the command (logs, stack traces) matters.
 */
class ClientFailuresTest {
  @TempDir Path dir;

  /** A one-line error: no stack trace, no log lines. */
  private static void assertOneLine(String err) {
    assertThat(err.strip()).doesNotContain("\n");
    assertThat(err).doesNotContain("\tat ", "Exception", "WARNING", "SEVERE");
  }

  @Test
  void withTheSchedulerDownListAndStatusFailFastNamingTheAddress() {
    String address = "127.0.0.1:" + TernProcess.freePort();
    for (String[] verb : new String[][] {{"list"}, {"status", "job-000001"}}) {
      long start = System.nanoTime();
      String[] args = java.util.Arrays.copyOf(verb, verb.length + 2);
      args[verb.length] = "--scheduler";
      args[verb.length + 1] = address;
      TernInProcess run = TernInProcess.run(args);
      Duration took = Duration.ofNanos(System.nanoTime() - start);

      assertThat(run.exit()).isEqualTo(TernCommand.EXIT_FAILURE);
      assertThat(run.err())
          .startsWith("tern " + verb[0] + ": no scheduler answered at " + address)
          .contains("connection refused");
      assertOneLine(run.err());
      assertThat(took).isLessThan(Duration.ofSeconds(8));
    }
  }

  @Test
  void aTlsClientAtAPlaintextPortIsToldItsHandshakeFailed() throws Exception {
    TernInProcess init = TernInProcess.run("admin", "certs", "init", "--dir", dir.toString());
    assertThat(init.exit()).as(init.err()).isZero();
    io.grpc.Server plaintext =
        io.grpc.Grpc.newServerBuilderForPort(0, io.grpc.InsecureServerCredentials.create())
            .build()
            .start();
    try {
      String address = "127.0.0.1:" + plaintext.getPort();
      TernInProcess run =
          TernInProcess.run(
              "list", "--scheduler", address, "--tls-ca", dir.resolve("ca.pem").toString());

      assertThat(run.exit()).isEqualTo(TernCommand.EXIT_FAILURE);
      assertThat(run.err())
          .startsWith("tern list: no scheduler answered at " + address)
          .contains("TLS handshake failed")
          .contains("--tls-ca");
      assertOneLine(run.err());
    } finally {
      plaintext.shutdownNow();
    }
  }

  @Test
  void aPlaintextClientAtAPortThatHangsUpIsToldItMayBeTls() throws Exception {
    // A port that accepts and hangs up, as a TLS port does on a plaintext HTTP/2 preface.
    try (java.net.ServerSocket port = new java.net.ServerSocket(0)) {
      Thread hangUp =
          Thread.ofVirtual()
              .start(
                  () -> {
                    while (!port.isClosed()) {
                      try (java.net.Socket s = port.accept()) {
                        s.getInputStream().read();
                      } catch (java.io.IOException e) {
                        return;
                      }
                    }
                  });
      String address = "127.0.0.1:" + port.getLocalPort();
      long start = System.nanoTime();
      TernInProcess run = TernInProcess.run("list", "--scheduler", address);
      Duration took = Duration.ofNanos(System.nanoTime() - start);

      assertThat(run.exit()).isEqualTo(TernCommand.EXIT_FAILURE);
      assertThat(run.err())
          .startsWith("tern list: no scheduler answered at " + address)
          .contains("the connection was closed before any answer")
          .contains("If that port speaks TLS, give its CA with --tls-ca");
      assertOneLine(run.err());
      // Nothing answered: the reach patience applies, not the 15 s of --wait.
      assertThat(took).isLessThan(SchedulerClient.REACH_PATIENCE.plusSeconds(2));
      port.close();
      hangUp.join();
    }
  }

  @Test
  void aGivenWaitRidesOutAReplicaThatIsNotUpYet() throws Exception {
    int port = TernProcess.freePort();
    String address = "127.0.0.1:" + port;
    try (var zk = new org.apache.curator.test.TestingServer(true)) {
      var late =
          java.util.concurrent.CompletableFuture.supplyAsync(
              () -> {
                try {
                  Thread.sleep(SchedulerClient.REACH_PATIENCE.plusSeconds(2).toMillis());
                  return new io.tern.scheduler.server.SchedulerServer(
                          io.tern.scheduler.server.SchedulerConfig.local(
                              zk.getConnectString(), port),
                          java.time.Clock.systemUTC())
                      .start();
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      long start = System.nanoTime();
      TernInProcess run = TernInProcess.run("list", "--scheduler", address, "--wait", "60");
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      try (var server = late.get()) {
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(took).isGreaterThan(SchedulerClient.REACH_PATIENCE.plusSeconds(2));
      }
    }
  }

  @Test
  void aNegativeWaitOrAnEmptySchedulerIsBadInputNamingTheFlag() {
    TernInProcess negative = TernInProcess.run("list", "--wait", "-3");
    assertThat(negative.exit()).isEqualTo(TernCommand.EXIT_BAD_INPUT);
    assertThat(negative.err()).contains("--wait: expected seconds >= 0, got -3");
    TernInProcess empty = TernInProcess.run("list", "--scheduler", "");
    assertThat(empty.exit()).isEqualTo(TernCommand.EXIT_BAD_INPUT);
    assertThat(empty.err()).contains("--scheduler");
  }

  @Test
  void submitSaysTheJobWasNotSubmittedWhenNoSchedulerAnswers() {
    String address = "127.0.0.1:" + TernProcess.freePort();
    TernInProcess run =
        TernInProcess.run(
            "submit", "--scheduler", address, "--name", "n", "--team", "t", "--", "true");

    assertThat(run.exit()).isEqualTo(TernCommand.EXIT_FAILURE);
    assertThat(run.err())
        .startsWith("tern submit: the job was not submitted: no scheduler answered at " + address);
    assertOneLine(run.err());
  }

  @Test
  void anUnresolvableHostPrintsOneLineAndNoStackTrace() throws Exception {
    TernProcess status =
        TernProcess.startUnconfigured(
            dir,
            "status",
            home(),
            "status",
            "job-000001",
            "--scheduler",
            "no-such-host.invalid:50051");
    assertThat(status.awaitExit(Duration.ofSeconds(60))).isTrue();

    String output = status.output();
    assertThat(output)
        .startsWith("tern status: no scheduler answered at no-such-host.invalid:50051")
        .contains("unknown host");
    assertOneLine(output);
  }

  @Test
  void whoamiWithNothingConfiguredNamesTheDefaultAddress() throws Exception {
    TernProcess whoami = TernProcess.startUnconfigured(dir, "whoami", home(), "whoami");
    assertThat(whoami.awaitExit(Duration.ofSeconds(60))).isTrue();

    // Whether or not something answers there, the address it used is in the output.
    assertThat(whoami.output()).contains("localhost:50051");
  }

  private Path home() throws Exception {
    return Files.createDirectories(dir.resolve("home"));
  }

  @Test
  void aBinaryFileOrADirectoryGivenToSubmitIsBadInputNamingIt() throws Exception {
    Path binary = dir.resolve("model.bin");
    Files.write(binary, new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1, (byte) 0xc3, 0x28});

    TernInProcess fromBinary = TernInProcess.run("submit", binary.toString());
    TernInProcess fromDirectory = TernInProcess.run("submit", dir.toString());

    assertThat(fromBinary.exit()).isEqualTo(TernCommand.EXIT_BAD_INPUT);
    assertThat(fromBinary.err())
        .isEqualTo(
            "tern submit: "
                + binary
                + ": not a text file (it is not UTF-8); a job spec is a YAML file\n");
    assertThat(fromDirectory.exit()).isEqualTo(TernCommand.EXIT_BAD_INPUT);
    assertThat(fromDirectory.err())
        .isEqualTo("tern submit: " + dir + ": is a directory, not a job spec (a YAML file)\n");
  }

  @Test
  void aMistypedVerbGetsASuggestion() {
    TernInProcess run = TernInProcess.run("lsit");

    assertThat(run.exit()).isEqualTo(TernCommand.EXIT_BAD_INPUT);
    assertThat(run.err())
        .startsWith("tern: Unmatched argument")
        .contains("Did you mean: list?")
        .doesNotContain("tern tern");
  }

  @Test
  void suggestionsAreTheVerbsAnEditOrTwoAway() {
    assertThat(TernInProcess.run("stauts").err()).contains("Did you mean: status?");
    assertThat(TernInProcess.run("nodse").err()).contains("Did you mean: nodes?");
    assertThat(TernInProcess.run("zzzzzzzz").err()).doesNotContain("Did you mean: status");
  }

  @Test
  void aSubcommandsErrorsNameTheWholeCommand() {
    TernInProcess run = TernInProcess.run("offpeak", "set", "--no-such-flag");

    assertThat(run.exit()).isEqualTo(TernCommand.EXIT_BAD_INPUT);
    assertThat(run.err())
        .startsWith("tern offpeak set: ")
        .contains("Run 'tern offpeak set --help'");
  }

  @Test
  void completionPrintsABashScriptForEveryVerb() {
    TernInProcess run = TernInProcess.run("completion", "bash");

    assertThat(run.exit()).isZero();
    assertThat(run.out()).contains("complete -F", "submit", "offpeak", "--scheduler");
    assertThat(TernInProcess.run("completion", "fish").exit())
        .isEqualTo(TernCommand.EXIT_BAD_INPUT);
  }
}
