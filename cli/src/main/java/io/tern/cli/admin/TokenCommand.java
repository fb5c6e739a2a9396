package io.tern.cli.admin;

import io.tern.api.v1.AdminServiceGrpc;
import io.tern.api.v1.CreateTokenRequest;
import io.tern.api.v1.CreateTokenResponse;
import io.tern.api.v1.ListTokensRequest;
import io.tern.api.v1.ListTokensResponse;
import io.tern.api.v1.RevokeTokenRequest;
import io.tern.api.v1.Role;
import io.tern.api.v1.TokenInfo;
import io.tern.cli.CommandModels;
import io.tern.cli.OutputFormat;
import io.tern.cli.OutputOptions;
import io.tern.cli.UserInputException;
import io.tern.cli.client.ClientOptions;
import io.tern.cli.client.Protos;
import io.tern.cli.client.SchedulerClient;
import io.tern.cli.client.Table;
import io.tern.cli.server.SecurityFlags;
import io.tern.scheduler.server.auth.OperatorTokens;
import io.tern.scheduler.spec.Durations;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.zookeeper.KeeperException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tern admin token}: users' bearer tokens. */
@Command(
    name = "token",
    description = "Users' bearer tokens: teams and roles; stored hashed; revocable at once.",
    subcommands = {
      TokenCommand.Create.class,
      TokenCommand.ListTokens.class,
      TokenCommand.Revoke.class
    })
public final class TokenCommand {
  private TokenCommand() {}

  /** {@code tern admin token create}. */
  @Command(
      modelTransformer = CommandModels.Declared.class,
      name = "create",
      description = {
        "Make a token and print it (once: only its hash is kept).",
        "Through a scheduler with an admin token, or, for the first admin token, straight into"
            + " ZooKeeper with --zk (the operator's way in)."
      })
  public static final class Create implements Callable<Integer> {
    /** The roles a token may hold, in the order the API declares them. */
    private static final List<Role> ROLES =
        Arrays.stream(Role.values())
            .filter(role -> role != Role.ROLE_UNSPECIFIED && role != Role.UNRECOGNIZED)
            .toList();

    @Spec picocli.CommandLine.Model.CommandSpec spec;
    final ClientOptions client = new ClientOptions();

    @Option(
        names = {"-o", "--output"},
        paramLabel = "FILE|json",
        description =
            "Write the token to FILE, created at mode 0600 (only you can read it); or 'json' to"
                + " print the token and its details as JSON. Default: print the token.")
    String output;

    @Option(names = "--user", required = true, paramLabel = "NAME", description = "Who it is for.")
    String user;

    @Option(
        names = "--team",
        paramLabel = "TEAM",
        description = "A team whose jobs the user may submit, see and cancel (repeatable).")
    List<String> teams = new ArrayList<>();

    @Option(names = "--role", paramLabel = "ROLE", description = "finops or admin (repeatable).")
    List<String> roles = new ArrayList<>();

    @Option(
        names = "--ttl",
        paramLabel = "DURATION",
        defaultValue = "90d",
        description = "How long it works, e.g. 12h, 30d (default ${DEFAULT-VALUE}).")
    String ttl;

    @Option(names = "--description", paramLabel = "TEXT", description = "What it is for.")
    String description = "";

    @Option(
        names = "--zk",
        paramLabel = "HOST:PORT[,...]",
        description = "Write the token straight into ZooKeeper instead of asking a scheduler.")
    String zk;

    @Option(
        names = "--zk-root",
        paramLabel = "PATH",
        defaultValue = "/tern",
        description = "With --zk: Tern's ZooKeeper root (default ${DEFAULT-VALUE}).")
    String zkRoot;

    @Option(
        names = "--zk-digest-file",
        paramLabel = "FILE",
        description = "With --zk: the schedulers' ZooKeeper USER:PASSWORD file, if they use one.")
    Path zkDigestFile;

    @Override
    public Integer call() throws Exception {
      if (OutputFormat.yaml.name().equals(output)) {
        // Checked before anything is minted.
        throw new UserInputException("-o: json, or a FILE to write the token to; not yaml");
      }
      CreateTokenRequest request = request();
      CreateTokenResponse made;
      if (zk != null) {
        made = createInZooKeeper(request);
      } else {
        try (SchedulerClient scheduler = client.connect()) {
          made = scheduler.call(c -> AdminServiceGrpc.newBlockingStub(c).createToken(request));
        }
      }
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      String about =
          "token "
              + made.getInfo().getId()
              + " for "
              + made.getInfo().getUser()
              + ", expires "
              + Protos.time(made.getInfo().getExpiresAt());
      if (OutputFormat.json.name().equals(output)) {
        PrivateFile.tightenRedirectedStdout();
        out.println(Protos.json(made));
      } else if (output != null && !OutputFormat.table.name().equals(output)) {
        PrivateFile.write(Path.of(output), made.getValue() + "\n");
        err.println(
            about
                + ", written to "
                + output
                + " (mode 0600). Point --token-file, TERN_TOKEN or tokenFile: in"
                + " ~/.tern/config.yaml at it.");
      } else {
        PrivateFile.tightenRedirectedStdout()
            .ifPresent(
                file -> err.println("tern: set " + file + " to mode 0600 (the token's file)"));
        out.println(made.getValue());
        err.println(
            about
                + ". It is shown once: keep it in a file only you can read (-o FILE writes one at"
                + " mode 0600), and point --token-file, TERN_TOKEN or tokenFile: in"
                + " ~/.tern/config.yaml at it.");
      }
      out.flush();
      err.flush();
      return 0;
    }

    private CreateTokenRequest request() {
      Duration lifetime =
          Durations.parse(ttl)
              .orElseThrow(
                  () -> new UserInputException("--ttl: expected e.g. 12h or 30d, got " + ttl));
      CreateTokenRequest.Builder request =
          CreateTokenRequest.newBuilder()
              .setUser(user)
              .addAllTeams(teams)
              .setDescription(description)
              .setTtl(com.google.protobuf.Duration.newBuilder().setSeconds(lifetime.toSeconds()));
      for (String role : roles) {
        request.addRoles(role(role));
      }
      return request.build();
    }

    /** {@code finops} or {@code admin}, in any case, as a {@link Role}. */
    private static Role role(String name) {
      return ROLES.stream()
          .filter(role -> roleName(role).equals(name.toLowerCase(Locale.ROOT)))
          .findFirst()
          .orElseThrow(
              () ->
                  new UserInputException(
                      "--role: '"
                          + name
                          + "' is not a role; use one of "
                          + String.join(", ", ROLES.stream().map(Create::roleName).toList())));
    }

    private static String roleName(Role role) {
      return Protos.enumName(role, "ROLE_").toLowerCase(Locale.ROOT);
    }

    private CreateTokenResponse createInZooKeeper(CreateTokenRequest request) throws Exception {
      try {
        return OperatorTokens.create(
            zk,
            zkRoot,
            SecurityFlags.zkDigest(zkDigestFile),
            request,
            System.getProperty("user.name", "operator") + " (via --zk)",
            Duration.ofSeconds(15),
            Clock.systemUTC());
      } catch (ConnectException e) {
        throw new UserInputException("--zk: " + e.getMessage());
      } catch (KeeperException.NoAuthException e) {
        // The schedulers' digest ACL on Tern's znodes: no digest, or another one, was given.
        String refused = "--zk-digest-file: ZooKeeper refused access to " + e.getPath();
        throw new UserInputException(
            zkDigestFile == null
                ? refused
                    + ": give the cluster's digest with --zk-digest-file FILE (the file the"
                    + " schedulers use)"
                : refused
                    + " with the digest in "
                    + zkDigestFile
                    + ": give the file the schedulers use");
      } catch (IllegalArgumentException e) {
        throw new UserInputException(e.getMessage());
      }
    }
  }

  /** {@code tern admin token list}. */
  @Command(
      modelTransformer = CommandModels.Declared.class,
      name = "list",
      description = "List tokens (never their values), newest first.")
  public static final class ListTokens implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;
    final ClientOptions client = new ClientOptions();
    final OutputOptions output = new OutputOptions();

    @Option(names = "--user", paramLabel = "NAME", description = "Only this user's.")
    String user = "";

    @Option(names = "--all", description = "Include revoked and expired tokens.")
    boolean all;

    @Override
    public Integer call() {
      ListTokensResponse tokens;
      try (SchedulerClient scheduler = client.connect()) {
        tokens =
            scheduler.call(
                c ->
                    AdminServiceGrpc.newBlockingStub(c)
                        .listTokens(
                            ListTokensRequest.newBuilder()
                                .setUser(user)
                                .setIncludeInactive(all)
                                .build()));
      }
      PrintWriter out = spec.commandLine().getOut();
      if (output.format() == OutputFormat.json) {
        out.println(Protos.json(tokens));
      } else {
        Table table = new Table("ID", "USER", "TEAMS", "ROLES", "CREATED", "EXPIRES", "STATE");
        Instant now = Instant.now();
        for (TokenInfo t : tokens.getTokensList()) {
          table.row(
              t.getId(),
              t.getUser(),
              String.join(",", t.getTeamsList()),
              String.join(
                  ",", t.getRolesList().stream().map(r -> Protos.enumName(r, "ROLE_")).toList()),
              Protos.time(t.getCreatedAt()),
              Protos.time(t.getExpiresAt()),
              t.getRevoked()
                  ? "revoked"
                  : now.isAfter(Instant.ofEpochSecond(t.getExpiresAt().getSeconds()))
                      ? "expired"
                      : "active");
        }
        table.print(out);
      }
      out.flush();
      return 0;
    }
  }

  /** {@code tern admin token revoke ID}. */
  @Command(
      modelTransformer = CommandModels.Declared.class,
      name = "revoke",
      description = "Revoke a token on every scheduler replica at once.")
  public static final class Revoke implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;
    final ClientOptions client = new ClientOptions();

    @Parameters(paramLabel = "ID", description = "The token id (the 12 hex digits after tern_).")
    String id;

    @Override
    public Integer call() {
      TokenInfo revoked;
      try (SchedulerClient scheduler = client.connect()) {
        revoked =
            scheduler.call(
                c ->
                    AdminServiceGrpc.newBlockingStub(c)
                        .revokeToken(RevokeTokenRequest.newBuilder().setId(id).build()));
      }
      spec.commandLine()
          .getOut()
          .println("revoked " + revoked.getId() + " (" + revoked.getUser() + ")");
      spec.commandLine().getOut().flush();
      return 0;
    }
  }
}
