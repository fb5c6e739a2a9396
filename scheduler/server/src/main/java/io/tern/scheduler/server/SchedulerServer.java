package io.tern.scheduler.server;

import com.google.common.util.concurrent.MoreExecutors;
import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallExecutorSupplier;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.ProtoReflectionService;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.tern.api.v1.JobServiceGrpc;
import io.tern.checkpoint.CheckpointStore;
import io.tern.checkpoint.workdir.WorkdirStore;
import io.tern.scheduler.core.PlacementEngine;
import io.tern.scheduler.server.api.AdminServiceImpl;
import io.tern.scheduler.server.api.AgentServiceImpl;
import io.tern.scheduler.server.api.ClusterServiceImpl;
import io.tern.scheduler.server.api.FinOpsServiceImpl;
import io.tern.scheduler.server.api.JobServiceImpl;
import io.tern.scheduler.server.api.LeaderForwarding;
import io.tern.scheduler.server.api.RawServices;
import io.tern.scheduler.server.api.RequestTimes;
import io.tern.scheduler.server.api.ShortStatusDescriptions;
import io.tern.scheduler.server.api.WorkdirServiceImpl;
import io.tern.scheduler.server.auth.AuditLog;
import io.tern.scheduler.server.auth.Authenticator;
import io.tern.scheduler.server.auth.RateLimiter;
import io.tern.scheduler.server.auth.SecuritySettings;
import io.tern.scheduler.server.auth.TokenStore;
import io.tern.scheduler.server.auth.ZkAcls;
import io.tern.scheduler.server.cloud.CloudSetup;
import io.tern.scheduler.server.console.ConsoleServer;
import io.tern.scheduler.server.console.ConsoleSettings;
import io.tern.scheduler.server.health.ServingHealth;
import io.tern.scheduler.server.leader.CuratorLeaderElector;
import io.tern.scheduler.server.loop.SchedulerLoop;
import io.tern.scheduler.server.metrics.SchedulerMetrics;
import io.tern.scheduler.server.zk.CheckpointStoreRecord;
import io.tern.scheduler.server.zk.ZkPaths;
import io.tern.scheduler.server.zk.ZkStateStore;
import io.tern.security.tls.ClientTls;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One scheduler replica: ZooKeeper client, leader election, the scheduler loop, gRPC services (with
 * health and reflection) and metrics. Starts once, closes once.
 */
public final class SchedulerServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SchedulerServer.class);

  private enum State {
    LATENT,
    STARTED,
    CLOSED
  }

  private final SchedulerConfig config;
  private final Clock clock;
  private final CloudSetup cloud;
  private final AtomicReference<State> state = new AtomicReference<>(State.LATENT);

  /** gRPC messages: a job spec is limited far below this; agents' registrations are small. */
  static final int MAX_MESSAGE_BYTES = 4 << 20;

  static final int MAX_METADATA_BYTES = 16 << 10;

  private CuratorFramework curator;
  private TokenStore tokens;
  private AuditLog audit;
  private CuratorLeaderElector elector;
  private SchedulerLoop loop;
  private Server grpc;
  private SchedulerMetrics metrics;
  private LeaderForwarding forwarding;
  private ServingHealth health;
  private String address;
  private int metricsPort = -1;
  private Optional<WorkdirStore> workdirs = Optional.empty();
  private Optional<CheckpointStore> checkpoints = Optional.empty();
  private Optional<Duration> keepCheckpoints = Optional.empty();
  private WorkdirServiceImpl workdirService;
  private ConsoleServer console;
  private int consolePort = -1;

  public SchedulerServer(SchedulerConfig config, Clock clock) {
    this(config, clock, CloudSetup.none());
  }

  /**
   * @param cloud the pools to autoscale into while leading, and the connector that launches them
   *     (opened at start, once this replica's address is known; closed with the replica)
   */
  public SchedulerServer(SchedulerConfig config, Clock clock, CloudSetup cloud) {
    this.config = config;
    this.clock = clock;
    this.cloud = cloud;
  }

  /**
   * Keeps the code jobs take with them ({@code WorkdirService}) in {@code store}, which agents read
   * too; without it the replica refuses uploads. Before {@link #start}.
   */
  public SchedulerServer withWorkdirs(WorkdirStore store) {
    if (state.get() != State.LATENT) {
      throw new IllegalStateException(
          "workdirs are set before start; the server is " + state.get());
    }
    this.workdirs = Optional.of(store);
    return this;
  }

  /**
   * Uses the agents' checkpoint store: keeps the code jobs take with them in it ({@link
   * #withWorkdirs}), and, while leading, deletes the checkpoints of jobs that finished {@code keep}
   * ago ({@code keep} empty: never). A store with a marker (a file store) is settled against the
   * cluster's record at {@link #start} ({@link CheckpointStoreRecord}): a new cluster initialises
   * it. Before {@link #start}.
   */
  public SchedulerServer withCheckpointStore(CheckpointStore store, Optional<Duration> keep) {
    withWorkdirs(store.workdirs());
    this.checkpoints = Optional.of(store);
    this.keepCheckpoints = keep;
    return this;
  }

  /** How many uploaded workdirs this replica wrote into the store; for tests and metrics. */
  public long workdirsStored() {
    return workdirService == null ? 0 : workdirService.stored();
  }

  public SchedulerServer start() throws Exception {
    if (!state.compareAndSet(State.LATENT, State.STARTED)) {
      throw new IllegalStateException("a SchedulerServer starts once; it is " + state.get());
    }
    SecuritySettings security = config.security();
    curator =
        ZkAcls.apply(
                CuratorFrameworkFactory.builder()
                    .connectString(config.zkConnect())
                    .sessionTimeoutMs((int) config.zkSessionTimeout().toMillis())
                    .connectionTimeoutMs((int) Math.min(5000, config.zkSessionTimeout().toMillis()))
                    .retryPolicy(new ExponentialBackoffRetry(100, 10, 2000)),
                security.zkDigest())
            .build();
    curator.start();
    tokens = new TokenStore(curator, config.zkRoot(), clock).start();
    audit = new AuditLog(clock, security.auditLog());
    Authenticator authenticator =
        security.authenticates()
            ? Authenticator.on(
                tokens,
                new RateLimiter(
                    security.rateLimitPerSecond(), 2 * security.rateLimitPerSecond(), clock),
                audit)
            : Authenticator.off();
    ZkStateStore store = new ZkStateStore(curator, new ZkPaths(config.zkRoot()));
    // Before anything uses the store: a new cluster initialises it; afterwards it is the store
    // ZooKeeper records, never an empty folder where its volume should be mounted.
    if (checkpoints.isPresent() && checkpoints.get().marker().isPresent()) {
      CheckpointStoreRecord.settle(curator, store.paths(), checkpoints.get().marker().get());
    }

    // The port is part of the election id, so it is settled before anything else starts.
    int port = config.port() == 0 ? freePort(config.bindHost()) : config.port();
    address = config.advertisedHost() + ":" + port;
    elector = new CuratorLeaderElector(curator, store.paths().leader(), address);
    metrics =
        new SchedulerMetrics(() -> elector.isLeader() ? 1 : 0, () -> loop.lastPlanNanos() / 1e9);
    loop =
        new SchedulerLoop(
            SchedulerLoop.Threads.standard(),
            store,
            elector,
            new PlacementEngine(),
            clock,
            config.settings(),
            (team, status) -> metrics.budgetStatusChanged(status.label()),
            cloud,
            cloud.enabled() ? cloud.connector().open(address) : null);
    loop.agents().onMessageHandled(metrics::agentMessageHandled);
    loop.observe(metrics);
    checkpoints.ifPresent(c -> loop.retireCheckpoints(c, keepCheckpoints));
    metrics.spot(loop.spot());
    metrics.state(SchedulerMetrics.StateScrape.cached(loop::figures));
    loop.agents().onCheckpointCommitFailed(metrics::checkpointCommitFailed);
    // A standby relays client calls to the leader (LeaderForwarding), so it serves them too while
    // it is connected to ZooKeeper; AgentService is the leader's only.
    health = new ServingHealth(true);
    loop.onRoleChanged(role -> health.leading(role == SchedulerLoop.Role.LEADER));
    curator
        .getConnectionStateListenable()
        .addListener((client, change) -> health.connected(change.isConnected()));
    health.connected(curator.getZookeeperClient().isConnected());
    InetSocketAddress bind = new InetSocketAddress(config.bindHost(), port);
    NettyServerBuilder builder =
        security.tls() == null
            ? NettyServerBuilder.forAddress(bind)
            : NettyServerBuilder.forAddress(bind, security.tls().credentials());
    // The client pings a call's replica after 10 s without a word from it, to find a paused one
    // (SchedulerClient.KEEPALIVE); a server refuses pings more often than its permit (5 min by
    // default) and hangs up on a client that sends them.
    builder.permitKeepAliveTime(5, TimeUnit.SECONDS);
    if (!security.authenticates() && security.auditLog() == null) {
      // Nothing on the submit path blocks (validation, then a hand-off to the loop): run it on the
      // network thread and save a thread hop per submit. With authentication a token may need a
      // ZooKeeper read, and an audit file is written, so those calls keep gRPC's executor.
      builder.callExecutor(
          new ServerCallExecutorSupplier() {
            @Override
            public <Q, R> Executor getExecutor(ServerCall<Q, R> call, Metadata headers) {
              return call.getMethodDescriptor()
                      .getFullMethodName()
                      .equals(JobServiceGrpc.getSubmitJobMethod().getFullMethodName())
                  ? MoreExecutors.directExecutor()
                  : null;
            }
          });
    }
    forwarding = new LeaderForwarding(elector, address, leaderCredentials(security));
    // Interceptors on each service run last-listed first: who is calling, then the audit of what
    // they did. A standby relays client calls to the leader before either, so the leader checks
    // and audits them; agents keep their own stream to the leader (it must see their certificate).
    ServerInterceptor[] checks = {audit, authenticator};
    // Client services also refuse Durations and Timestamps protobuf does not allow, once the call
    // is authenticated and audited; agents' messages have their own checks (AgentMessageValidator).
    ServerInterceptor[] clientChecks = {new RequestTimes(), audit, authenticator};
    grpc =
        builder
            .maxInboundMessageSize(MAX_MESSAGE_BYTES)
            .maxInboundMetadataSize(MAX_METADATA_BYTES)
            .decompressorRegistry(RawServices.decompressors())
            .addService(
                RawServices.forwardedToLeader(
                    ServerInterceptors.intercept(
                        new JobServiceImpl(
                            loop.jobs(),
                            loop.jobControls(),
                            loop.history(),
                            loop.logs(),
                            metrics::submitted,
                            clock,
                            workdirs),
                        clientChecks),
                    forwarding))
            .addService(
                RawServices.forwardedToLeader(
                    ServerInterceptors.intercept(
                        new ClusterServiceImpl(loop.cluster()), clientChecks),
                    forwarding))
            .addService(
                RawServices.parsedHere(
                    ServerInterceptors.intercept(new AgentServiceImpl(loop.agents()), checks)))
            .addService(
                RawServices.forwardedToLeader(
                    ServerInterceptors.intercept(
                        new FinOpsServiceImpl(loop.finOps(), clock), clientChecks),
                    forwarding))
            .addService(
                // The store is shared and holds no leader state: any replica takes uploads.
                RawServices.parsedHere(
                    ServerInterceptors.intercept(
                        workdirService = new WorkdirServiceImpl(workdirs), clientChecks)))
            .addService(
                // Tokens live in ZooKeeper, not in the leader's state: any replica serves them.
                RawServices.parsedHere(
                    ServerInterceptors.intercept(
                        new AdminServiceImpl(tokens, security.authenticates()), clientChecks)))
            .addService(ServerInterceptors.intercept(health.service(), checks))
            .addService(
                ServerInterceptors.intercept(ProtoReflectionServiceV1.newInstance(), checks))
            // v1alpha too: grpcurl before 1.9, Postman and other tools still speak only it.
            .addService(ServerInterceptors.intercept(reflectionV1Alpha(), checks))
            // Every error's description fits the trailer a client accepts.
            .intercept(new ShortStatusDescriptions())
            // Every call is counted by method and code, refused and relayed ones included.
            .intercept(metrics.grpc())
            .build()
            .start();
    if (!security.authenticates()) {
      log.warn(
          "serving plaintext without authentication on {}: anyone who reaches this port may submit"
              + " and cancel jobs. Use TLS (tern scheduler --tls-dir) beyond local use.",
          bind);
    }
    if (config.metricsPort() >= 0) {
      metricsPort = metrics.serve(config.bindHost(), config.metricsPort());
    }
    elector.start(loop);
    // After the election has begun: the console's web server takes a second or two of CPU to
    // start, which must not delay a leader.
    startConsole(security);
    log.info("scheduler replica {} started (ZooKeeper {})", address, config.zkConnect());
    return this;
  }

  /** The web console, calling this replica's own gRPC API as each signed-in user. */
  private void startConsole(SecuritySettings security) throws IOException {
    ConsoleSettings settings = config.console();
    if (!settings.enabled()) {
      return;
    }
    console =
        new ConsoleServer(
            address,
            leaderCredentials(security),
            security.authenticates(),
            security.tls(),
            loop.cluster(),
            settings.simulations(),
            audit,
            clock);
    try {
      consolePort = console.start(config.bindHost(), settings.port());
    } catch (java.net.BindException e) {
      console.close();
      console = null;
      if (!settings.optional()) {
        throw e;
      }
      log.warn("{}: serving no web console (--console-port picks another)", e.getMessage());
    }
  }

  @SuppressWarnings("deprecation") // the v1alpha service, served on purpose beside v1
  private static io.grpc.BindableService reflectionV1Alpha() {
    return ProtoReflectionService.newInstance();
  }

  /** The address this replica is known by: {@code advertisedHost:port}. */
  public String address() {
    return address;
  }

  public int port() {
    return grpc.getPort();
  }

  public int metricsPort() {
    return metricsPort;
  }

  /** The web console's port, or -1 when this replica serves none. */
  public int consolePort() {
    return consolePort;
  }

  public SchedulerLoop loop() {
    return loop;
  }

  public CuratorFramework curator() {
    return curator;
  }

  /** How a standby reaches the leader: trusting the cluster's CA under TLS, else plaintext. */
  private static ChannelCredentials leaderCredentials(SecuritySettings security)
      throws IOException {
    return security.tls() == null
        ? InsecureChannelCredentials.create()
        : ClientTls.trusting(security.tls().clientCa()).credentials();
  }

  private static int freePort(String host) throws IOException {
    try (var socket = new java.net.ServerSocket()) {
      socket.bind(new InetSocketAddress(host, 0));
      return socket.getLocalPort();
    }
  }

  @Override
  public void close() throws IOException {
    if (state.getAndSet(State.CLOSED) != State.STARTED) {
      return;
    }
    if (console != null) {
      console.close();
    }
    if (health != null) {
      health.close();
    }
    if (grpc != null) {
      grpc.shutdown();
    }
    if (forwarding != null) {
      forwarding.close();
    }
    if (elector != null) {
      elector.close();
    }
    if (loop != null) {
      loop.close();
    }
    if (metrics != null) {
      metrics.close();
    }
    if (grpc != null) {
      try {
        grpc.awaitTermination(2, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      grpc.shutdownNow();
    }
    if (tokens != null) {
      tokens.close();
    }
    if (audit != null) {
      audit.close();
    }
    if (curator != null) {
      curator.close();
    }
  }
}
