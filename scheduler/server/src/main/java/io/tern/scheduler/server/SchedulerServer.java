package io.tern.scheduler.server;

import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.tern.scheduler.core.PlacementEngine;
import io.tern.scheduler.server.api.AgentServiceImpl;
import io.tern.scheduler.server.api.Callers;
import io.tern.scheduler.server.api.ClusterServiceImpl;
import io.tern.scheduler.server.api.FinOpsServiceImpl;
import io.tern.scheduler.server.api.JobServiceImpl;
import io.tern.scheduler.server.cloud.CloudSetup;
import io.tern.scheduler.server.leader.CuratorLeaderElector;
import io.tern.scheduler.server.loop.ClusterRequests;
import io.tern.scheduler.server.loop.FinOpsRequests;
import io.tern.scheduler.server.loop.JobRequests;
import io.tern.scheduler.server.loop.SchedulerLoop;
import io.tern.scheduler.server.metrics.SchedulerMetrics;
import io.tern.scheduler.server.zk.ZkPaths;
import io.tern.scheduler.server.zk.ZkStateStore;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
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
  private CuratorFramework curator;
  private CuratorLeaderElector elector;
  private SchedulerLoop loop;
  private Server grpc;
  private SchedulerMetrics metrics;
  private String address;
  private int metricsPort = -1;

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

  public SchedulerServer start() throws Exception {
    if (!state.compareAndSet(State.LATENT, State.STARTED)) {
      throw new IllegalStateException("a SchedulerServer starts once; it is " + state.get());
    }
    curator =
        CuratorFrameworkFactory.builder()
            .connectString(config.zkConnect())
            .sessionTimeoutMs((int) config.zkSessionTimeout().toMillis())
            .connectionTimeoutMs((int) Math.min(5000, config.zkSessionTimeout().toMillis()))
            .retryPolicy(new ExponentialBackoffRetry(100, 10, 2000))
            .build();
    curator.start();
    ZkStateStore store = new ZkStateStore(curator, new ZkPaths(config.zkRoot()));

    // The port is part of the election id, so it is settled before anything else starts.
    int port = config.port() == 0 ? freePort(config.bindHost()) : config.port();
    address = config.advertisedHost() + ":" + port;
    elector = new CuratorLeaderElector(curator, store.paths().leader(), address);
    metrics =
        new SchedulerMetrics(() -> elector.isLeader() ? 1 : 0, () -> loop.lastPlanNanos() / 1e9);
    loop =
        new SchedulerLoop(
            store,
            elector,
            new PlacementEngine(),
            clock,
            config.settings(),
            (team, status) -> metrics.budgetStatusChanged(status.label()),
            cloud,
            cloud.enabled() ? cloud.connector().open(address) : null);
    loop.agents().onMessageHandled(metrics::agentMessageHandled);
    Callers callers = new Callers();
    HealthStatusManager health = new HealthStatusManager();
    grpc =
        NettyServerBuilder.forAddress(new InetSocketAddress(config.bindHost(), port))
            .addService(
                ServerInterceptors.intercept(
                    new JobServiceImpl(new JobRequests(loop), loop.logs(), metrics::submitted),
                    callers))
            .addService(
                ServerInterceptors.intercept(
                    new ClusterServiceImpl(new ClusterRequests(loop)), callers))
            .addService(ServerInterceptors.intercept(new AgentServiceImpl(loop.agents()), callers))
            .addService(
                ServerInterceptors.intercept(
                    new FinOpsServiceImpl(new FinOpsRequests(loop)), callers))
            .addService(health.getHealthService())
            .addService(ProtoReflectionServiceV1.newInstance())
            .build()
            .start();
    if (config.metricsPort() >= 0) {
      metricsPort = metrics.serve(config.bindHost(), config.metricsPort());
    }
    elector.start(loop);
    log.info("scheduler replica {} started (ZooKeeper {})", address, config.zkConnect());
    return this;
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

  public SchedulerLoop loop() {
    return loop;
  }

  public CuratorFramework curator() {
    return curator;
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
    if (grpc != null) {
      grpc.shutdown();
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
    if (curator != null) {
      curator.close();
    }
  }
}
