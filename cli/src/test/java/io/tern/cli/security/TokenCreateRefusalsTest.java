package io.tern.cli.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.tern.api.v1.CreateTokenRequest;
import io.tern.api.v1.Role;
import io.tern.cli.TernCommand;
import io.tern.cli.testing.TernInProcess;
import io.tern.cli.testing.TernProcess;
import io.tern.scheduler.server.auth.OperatorTokens;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tern admin token create} refusals: one line naming the flag, exit 2, no token made. */
class TokenCreateRefusalsTest {
  @TempDir Path dir;

  @Test
  void anUnknownRoleIsRefusedNamingTheFlagAndTheValidRoles() {
    // Refused before anything is minted: no scheduler listens at the address given.
    TernInProcess run =
        TernInProcess.run(
            "admin",
            "token",
            "create",
            "--scheduler",
            "127.0.0.1:" + TernProcess.freePort(),
            "--user",
            "x",
            "--role",
            "finops",
            "--role",
            "superuser");

    assertThat(run.exit()).isEqualTo(TernCommand.EXIT_BAD_INPUT);
    assertThat(run.err())
        .isEqualTo(
            "tern admin token create: --role: 'superuser' is not a role; use one of finops,"
                + " admin\n");
  }

  @Test
  void withoutTheSchedulersDigestTheRefusalNamesTheDigestFlag() throws Exception {
    try (TestingServer zk = new TestingServer(true)) {
      // The first admin token, made with the schedulers' digest: Tern's znodes carry its ACL.
      OperatorTokens.create(
          zk.getConnectString(),
          "/tern",
          "tern:s3cret",
          CreateTokenRequest.newBuilder().setUser("root").addRoles(Role.ROLE_ADMIN).build(),
          "ops",
          Duration.ofSeconds(10),
          Clock.systemUTC());
      Path wrong = Files.writeString(dir.resolve("wrong.digest"), "tern:guess\n");

      TernInProcess none = create(zk, List.of());
      assertThat(none.exit()).isEqualTo(TernCommand.EXIT_BAD_INPUT);
      assertThat(none.err())
          .isEqualTo(
              "tern admin token create: --zk-digest-file: ZooKeeper refused access to"
                  + " /tern/auth/tokens: give the cluster's digest with --zk-digest-file FILE"
                  + " (the file the schedulers use)\n");

      TernInProcess other = create(zk, List.of("--zk-digest-file", wrong.toString()));
      assertThat(other.exit()).isEqualTo(TernCommand.EXIT_BAD_INPUT);
      assertThat(other.err())
          .isEqualTo(
              "tern admin token create: --zk-digest-file: ZooKeeper refused access to"
                  + " /tern/auth/tokens with the digest in "
                  + wrong
                  + ": give the file the schedulers use\n");
      assertThat(none.out() + other.out()).doesNotContain("tern_");
    }
  }

  private static TernInProcess create(TestingServer zk, List<String> flags) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "admin",
                "token",
                "create",
                "--zk",
                zk.getConnectString(),
                "--user",
                "eve",
                "--role",
                "admin"));
    args.addAll(flags);
    return TernInProcess.run(args.toArray(String[]::new));
  }
}
