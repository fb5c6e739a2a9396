package io.tern.scheduler.server;

import io.tern.scheduler.server.auth.SecuritySettings;
import io.tern.scheduler.server.console.ConsoleSettings;
import io.tern.scheduler.server.loop.SchedulerSettings;
import java.time.Duration;

/**
 * How to run one scheduler replica.
 *
 * @param zkConnect ZooKeeper connection string, e.g. {@code zk1:2181,zk2:2181,zk3:2181}
 * @param zkRoot the znode under which Tern keeps its state
 * @param bindHost the interface gRPC listens on
 * @param port the gRPC port (0 picks a free one)
 * @param advertisedHost the host other replicas, agents and clients reach this replica at
 * @param metricsPort the Prometheus port; 0 picks a free one, -1 disables metrics
 * @param zkSessionTimeout how long ZooKeeper keeps a silent replica's session (and leadership)
 * @param security TLS, authentication, rate limits, the audit log and ZooKeeper ACLs
 * @param console the web console's port, or off
 */
public record SchedulerConfig(
    String zkConnect,
    String zkRoot,
    String bindHost,
    int port,
    String advertisedHost,
    int metricsPort,
    Duration zkSessionTimeout,
    SchedulerSettings settings,
    SecuritySettings security,
    ConsoleSettings console) {

  public static SchedulerConfig local(String zkConnect, int port) {
    return new SchedulerConfig(
        zkConnect,
        "/tern",
        "0.0.0.0",
        port,
        "127.0.0.1",
        -1,
        Duration.ofSeconds(3),
        SchedulerSettings.defaults(),
        SecuritySettings.off(),
        ConsoleSettings.OFF);
  }

  /** Listening on {@code newBindHost}, telling others {@code newAdvertisedHost}. */
  public SchedulerConfig withHosts(String newBindHost, String newAdvertisedHost) {
    return new SchedulerConfig(
        zkConnect,
        zkRoot,
        newBindHost,
        port,
        newAdvertisedHost,
        metricsPort,
        zkSessionTimeout,
        settings,
        security,
        console);
  }

  public SchedulerConfig withMetricsPort(int newPort) {
    return new SchedulerConfig(
        zkConnect,
        zkRoot,
        bindHost,
        port,
        advertisedHost,
        newPort,
        zkSessionTimeout,
        settings,
        security,
        console);
  }

  public SchedulerConfig withSettings(SchedulerSettings newSettings) {
    return new SchedulerConfig(
        zkConnect,
        zkRoot,
        bindHost,
        port,
        advertisedHost,
        metricsPort,
        zkSessionTimeout,
        newSettings,
        security,
        console);
  }

  public SchedulerConfig withSecurity(SecuritySettings newSecurity) {
    return new SchedulerConfig(
        zkConnect,
        zkRoot,
        bindHost,
        port,
        advertisedHost,
        metricsPort,
        zkSessionTimeout,
        settings,
        newSecurity,
        console);
  }

  public SchedulerConfig withConsole(ConsoleSettings newConsole) {
    return new SchedulerConfig(
        zkConnect,
        zkRoot,
        bindHost,
        port,
        advertisedHost,
        metricsPort,
        zkSessionTimeout,
        settings,
        security,
        newConsole);
  }
}
