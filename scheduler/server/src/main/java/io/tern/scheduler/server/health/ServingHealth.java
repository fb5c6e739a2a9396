package io.tern.scheduler.server.health;

import io.grpc.BindableService;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import io.tern.api.v1.AdminServiceGrpc;
import io.tern.api.v1.AgentServiceGrpc;
import io.tern.api.v1.ClusterServiceGrpc;
import io.tern.api.v1.FinOpsServiceGrpc;
import io.tern.api.v1.JobServiceGrpc;
import java.util.List;

/**
 * The replica's gRPC health ({@code grpc.health.v1.Health}), following what the replica can really
 * serve, so that load balancers and Kubernetes probes send calls only where they succeed:
 *
 * <ul>
 *   <li>{@code ""} (the whole server) and the scheduling services ({@code tern.v1.JobService},
 *       {@code ClusterService}, {@code FinOpsService}, {@code AgentService}) are SERVING only while
 *       this replica leads with its ZooKeeper connection up. A standby answers these calls with a
 *       redirect to the leader (FAILED_PRECONDITION and a {@code tern-leader} trailer), which a
 *       plain gRPC client does not follow, so a standby says NOT_SERVING.
 *   <li>{@code tern.v1.AdminService} (tokens, WhoAmI) needs no leader, only ZooKeeper: SERVING
 *       while the ZooKeeper connection is up, on any replica.
 * </ul>
 *
 * During a ZooKeeper outage everything is NOT_SERVING. Thread-safe: leadership and connection
 * changes come from the scheduler loop and from Curator's threads.
 */
public final class ServingHealth {
  /** Services that need the leader. */
  static final List<String> LEADER_SERVICES =
      List.of(
          "",
          JobServiceGrpc.SERVICE_NAME,
          ClusterServiceGrpc.SERVICE_NAME,
          FinOpsServiceGrpc.SERVICE_NAME,
          AgentServiceGrpc.SERVICE_NAME);

  private final HealthStatusManager manager = new HealthStatusManager();
  private boolean leading;
  private boolean connected;

  public ServingHealth() {
    publish();
  }

  /** The health service to add to the gRPC server. */
  public BindableService service() {
    return manager.getHealthService();
  }

  /** Whether this replica leads (with its state loaded). */
  public synchronized void leading(boolean now) {
    leading = now;
    publish();
  }

  /** Whether this replica's ZooKeeper connection is up. */
  public synchronized void connected(boolean now) {
    connected = now;
    publish();
  }

  private synchronized void publish() {
    ServingStatus scheduling =
        leading && connected ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;
    for (String service : LEADER_SERVICES) {
      manager.setStatus(service, scheduling);
    }
    manager.setStatus(
        AdminServiceGrpc.SERVICE_NAME,
        connected ? ServingStatus.SERVING : ServingStatus.NOT_SERVING);
  }

  /** Shutting down: NOT_SERVING for good, so watchers move away before the port closes. */
  public void close() {
    manager.enterTerminalState();
  }
}
