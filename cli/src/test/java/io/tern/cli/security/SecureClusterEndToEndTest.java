package io.tern.cli.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tern.cli.TernCommand;
import io.tern.cli.testing.TernInProcess;
import io.tern.cli.testing.TernProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A secured cluster from the command line, with real processes on loopback: {@code tern admin
 * certs} makes the CA and certificates, {@code tern zk}, {@code tern scheduler --tls-dir} and
 * {@code tern agent --tls-dir} run, the first admin token goes straight into ZooKeeper, users'
 * tokens come from the scheduler, and the client verbs speak TLS with tokens.
 */
class SecureClusterEndToEndTest {
  @TempDir Path dir;
  private final List<TernProcess> processes = new ArrayList<>();

  record Run(int exit, String out, String err) {}

  @AfterEach
  void stopAll() {
    processes.reversed().forEach(TernProcess::close);
  }

  private TernProcess start(String name, String... args) {
    TernProcess p = TernProcess.start(dir, name, args);
    processes.add(p);
    return p;
  }

  private static Run tern(String... args) {
    TernInProcess run = TernInProcess.run(args);
    return new Run(run.exit(), run.out(), run.err());
  }

  private static Run ok(String... args) {
    Run run = tern(args);
    assertThat(run.exit()).as(String.join(" ", args) + ": " + run.err()).isZero();
    return run;
  }

  @Test
  void usersWorkWithTheirTeamsJobsOverTlsAndNobodyElseGetsIn() throws Exception {
    Path tls = dir.resolve("tls");
    ok("admin", "certs", "init", "--dir", tls.toString());
    ok("admin", "certs", "agent", "node-1", "--dir", tls.toString());
    assertThat(tern("admin", "certs", "agent", "../evil", "--dir", tls.toString()).exit())
        .isEqualTo(TernCommand.EXIT_BAD_INPUT);

    int zkPort = TernProcess.freePort();
    int port = TernProcess.freePort();
    String zk = "127.0.0.1:" + zkPort;
    String scheduler = "127.0.0.1:" + port;
    Path audit = dir.resolve("audit.jsonl");
    start("zk", "zk", "--port", "" + zkPort, "--data", dir.resolve("zk").toString())
        .awaitOutput("ZooKeeper listening", Duration.ofSeconds(30));
    start(
            "scheduler",
            "scheduler",
            "--zk",
            zk,
            "--port",
            "" + port,
            "--advertise",
            "127.0.0.1",
            "--metrics-port",
            "-1",
            "--tls-dir",
            tls.toString(),
            "--audit-log",
            audit.toString())
        .awaitOutput("TLS with tokens", Duration.ofSeconds(60));

    // The first admin token: straight into ZooKeeper, as the operator.
    Path adminToken = dir.resolve("admin.token");
    Run minted =
        ok(
            "admin",
            "token",
            "create",
            "--zk",
            zk,
            "--user",
            "root",
            "--role",
            "admin",
            "-o",
            adminToken.toString());
    assertThat(minted.out()).doesNotContain("tern_");
    assertThat(minted.err()).contains("written to " + adminToken, "mode 0600");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(adminToken)))
        .isEqualTo("rw-------");
    String[] asAdmin = {
      "--scheduler",
      scheduler,
      "--tls-ca",
      tls.resolve("ca.pem").toString(),
      "--token-file",
      adminToken.toString()
    };
    Path alice = token(asAdmin, "alice", "vision");
    Path bob = token(asAdmin, "bob", "nlp");

    start(
        "agent",
        "agent",
        "--scheduler",
        scheduler,
        "--node-id",
        "node-1",
        "--capacity",
        "on-demand",
        "--gpus",
        "sim:2xA100:40",
        "--work-dir",
        dir.resolve("agent").toString(),
        "--tls-dir",
        tls.toString());

    String[] asAlice = as(scheduler, tls, alice);
    String job =
        ok(with(
                with(new String[] {"submit"}, asAlice),
                "--name",
                "hello",
                "--team",
                "vision",
                "--gpus",
                "1",
                "--",
                "bash",
                "-c",
                "echo hi"))
            .out()
            .strip();
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                tern(with(new String[] {"status", job, "-o", "json"}, asAlice))
                    .out()
                    .contains("JOB_STATE_SUCCEEDED"));
    assertThat(ok(with(new String[] {"whoami"}, asAlice)).out())
        .contains("alice")
        .contains("vision");

    Run asBob = tern(with(new String[] {"status", job}, as(scheduler, tls, bob)));
    assertThat(asBob.exit()).isEqualTo(TernCommand.EXIT_FAILURE);
    // Another team's job reads exactly as a missing one.
    assertThat(asBob.err()).contains("no job " + job);
    Run missing = tern(with(new String[] {"status", job + "0"}, as(scheduler, tls, bob)));
    assertThat(missing.exit()).isEqualTo(asBob.exit());
    assertThat(missing.err().replace(job + "0", job)).isEqualTo(asBob.err());

    Run noToken =
        tern("status", job, "--scheduler", scheduler, "--tls-ca", tls.resolve("ca.pem").toString());
    assertThat(noToken.exit()).isEqualTo(TernCommand.EXIT_FAILURE);
    assertThat(noToken.err()).contains("no credentials");

    Run plaintextToken =
        tern("status", job, "--scheduler", scheduler, "--token-file", alice.toString());
    assertThat(plaintextToken.exit()).isEqualTo(TernCommand.EXIT_BAD_INPUT);
    assertThat(plaintextToken.err()).contains("never sent in plaintext");

    Run memberMakesToken =
        tern(
            with(
                new String[] {"admin", "token", "create", "--user", "x", "--team", "vision"},
                asAlice));
    assertThat(memberMakesToken.exit()).isEqualTo(TernCommand.EXIT_FAILURE);
    assertThat(memberMakesToken.err()).contains("needs the admin role");

    assertThat(Files.readAllLines(audit))
        .anySatisfy(
            line ->
                assertThat(line).contains("SubmitJob").contains("\"who\":\"alice\"").contains(job))
        .anySatisfy(line -> assertThat(line).contains("CreateToken").contains("PERMISSION_DENIED"));
  }

  private Path token(String[] asAdmin, String user, String team) throws Exception {
    Path file = dir.resolve(user + ".token");
    Files.writeString(file, "an older file, readable by all\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    ok(
        with(
            new String[] {
              "admin", "token", "create", "--user", user, "--team", team, "-o", file.toString()
            },
            asAdmin));
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    assertThat(Files.readString(file)).startsWith("tern_").doesNotContain("older");
    return file;
  }

  private static String[] as(String scheduler, Path tls, Path token) {
    return new String[] {
      "--scheduler",
      scheduler,
      "--tls-ca",
      tls.resolve("ca.pem").toString(),
      "--token-file",
      token.toString()
    };
  }

  /** {@code first} then {@code more}. */
  private static String[] with(String[] first, String... more) {
    String[] all = new String[first.length + more.length];
    System.arraycopy(first, 0, all, 0, first.length);
    System.arraycopy(more, 0, all, first.length, more.length);
    return all;
  }
}
