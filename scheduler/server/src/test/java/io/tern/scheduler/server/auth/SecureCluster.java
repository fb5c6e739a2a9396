package io.tern.scheduler.server.auth;

import io.grpc.CallCredentials;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.tern.api.v1.AdminServiceGrpc;
import io.tern.api.v1.CreateTokenRequest;
import io.tern.api.v1.Role;
import io.tern.api.v1.TokenMinting;
import io.tern.scheduler.server.SchedulerServer;
import io.tern.scheduler.server.console.ConsoleSettings;
import io.tern.scheduler.server.testing.ReplicaCluster;
import io.tern.security.pki.IdentityKind;
import io.tern.security.pki.LocalCa;
import io.tern.security.pki.TlsLayout;
import io.tern.security.tls.ClientTls;
import io.tern.security.tls.ServerTls;
import io.tern.security.token.BearerToken;
import io.tern.security.token.TokenCredentials;
import io.tern.testing.TestClock;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;

/**
 * A leader serving TLS with authentication on, a CA to issue agent certificates from, an admin
 * token made straight in ZooKeeper (as {@code tern admin token create --zk} does), and helpers for
 * channels as users and agents.
 */
public final class SecureCluster implements AutoCloseable {
  static final String ZK_DIGEST = "tern:s3cret";

  final ReplicaCluster cluster = new ReplicaCluster();
  public final TestClock clock = new TestClock(Instant.parse("2026-11-23T09:00:00Z"));
  public final TlsLayout layout;
  final LocalCa ca;
  public final SchedulerServer leader;
  public final Path auditLog;
  private final SecuritySettings security;
  private final ConsoleSettings console;
  public final BearerToken admin;
  private final List<ManagedChannel> channels = new ArrayList<>();

  SecureCluster(Path dir, double rateLimit) throws Exception {
    this(dir, rateLimit, ConsoleSettings.OFF);
  }

  /** With every replica serving the web console as {@code console} says. */
  public SecureCluster(Path dir, double rateLimit, ConsoleSettings console) throws Exception {
    this.console = console;
    layout = new TlsLayout(dir.resolve("tls"));
    ca = LocalCa.init(layout, List.of(), Duration.ofDays(30), Clock.systemUTC());
    auditLog = dir.resolve("audit.jsonl");
    security = new SecuritySettings(ServerTls.of(layout), rateLimit, auditLog, ZK_DIGEST);
    leader = replica();
    ReplicaCluster.awaitLeading(leader);
    try (CuratorFramework operator = operatorClient();
        TokenStore store = new TokenStore(operator, "/tern", clock).start()) {
      admin =
          BearerToken.parse(
                  store
                      .create(
                          CreateTokenRequest.newBuilder()
                              .setUser("root")
                              .addRoles(Role.ROLE_ADMIN)
                              .build(),
                          "operator",
                          TokenMinting.TOKEN_MINTING_ZOOKEEPER)
                      .getValue())
              .orElseThrow();
    }
  }

  /** Another replica with the leader's security settings; the first one started leads. */
  public SchedulerServer replica() throws Exception {
    return cluster.track(
        new SchedulerServer(
                cluster.config(Duration.ofSeconds(30)).withSecurity(security).withConsole(console),
                clock)
            .start());
  }

  /** A ZooKeeper client authenticated as Tern's digest identity. */
  CuratorFramework operatorClient() {
    CuratorFramework client =
        ZkAcls.apply(
                CuratorFrameworkFactory.builder()
                    .connectString(cluster.zkConnect())
                    .retryPolicy(new RetryOneTime(100)),
                ZK_DIGEST)
            .build();
    client.start();
    return client;
  }

  String target() {
    return "localhost:" + leader.port();
  }

  /** A TLS channel trusting the CA, without a client certificate. */
  public ManagedChannel userChannel() throws Exception {
    return track(
        Grpc.newChannelBuilder(target(), ClientTls.trusting(layout.caCertificate()).credentials())
            .build());
  }

  /** A TLS channel presenting an agent certificate for {@code nodeId}. */
  public ManagedChannel agentChannel(String nodeId) throws Exception {
    return agentChannel(nodeId, target());
  }

  /** A TLS channel to {@code target} presenting an agent certificate for {@code nodeId}. */
  public ManagedChannel agentChannel(String nodeId, String target) throws Exception {
    LocalCa.write(
        ca.issue(IdentityKind.AGENT, nodeId, List.of(), Duration.ofDays(1)),
        layout.agentCertificate(nodeId),
        layout.agentKey(nodeId));
    return track(
        Grpc.newChannelBuilder(
                target,
                new ClientTls(
                        layout.caCertificate(),
                        layout.agentCertificate(nodeId),
                        layout.agentKey(nodeId))
                    .credentials())
            .build());
  }

  private ManagedChannel track(ManagedChannel channel) {
    channels.add(channel);
    return channel;
  }

  /** A token for {@code user} in {@code teams} with {@code roles}, made by the admin. */
  public BearerToken token(String user, List<String> teams, Role... roles) throws Exception {
    return token(user, teams, Duration.ofDays(1), roles);
  }

  BearerToken token(String user, List<String> teams, Duration ttl, Role... roles) throws Exception {
    String value =
        AdminServiceGrpc.newBlockingStub(userChannel())
            .withCallCredentials(as(admin))
            .createToken(
                CreateTokenRequest.newBuilder()
                    .setUser(user)
                    .addAllTeams(teams)
                    .addAllRoles(List.of(roles))
                    .setTtl(com.google.protobuf.Duration.newBuilder().setSeconds(ttl.toSeconds()))
                    .build())
            .getValue();
    return BearerToken.parse(value).orElseThrow();
  }

  public static CallCredentials as(BearerToken token) {
    return new TokenCredentials(token);
  }

  @Override
  public void close() throws Exception {
    for (ManagedChannel channel : channels) {
      channel.shutdownNow();
    }
    cluster.close();
  }
}
