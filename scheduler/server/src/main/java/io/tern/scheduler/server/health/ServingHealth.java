package io.tern.scheduler.server.health;

import io.grpc.BindableService;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import io.tern.api.v1.AdminServiceGrpc;
import io.tern.api.v1.AgentServiceGrpc;
import io.tern.api.v1.ClusterServiceGrpc;
import io.tern.api.v1.FinOpsServiceGrpc;
import io.tern.api.v1.JobServiceGrpc;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The replica's gRPC health ({@code grpc.health.v1.Health}), following what the replica can really
 * serve, so that load balancers and Kubernetes probes send calls only where they succeed:
 *
 * <ul>
 *   <li>{@code ""} (the whole server) and the client services ({@code tern.v1.JobService}, {@code
 *       ClusterService}, {@code FinOpsService}) are SERVING while this replica leads with its
 *       ZooKeeper connection up. A standby is SERVING for them too only when it relays their calls
 *       to the leader ({@code standbyRelays}); a standby that answers with a redirect
 *       (FAILED_PRECONDITION and a {@code tern-leader} trailer, which a plain gRPC client does not
 *       follow) says NOT_SERVING.
 *   <li>{@code tern.v1.AgentService} is SERVING on the leader only: agents stream to the leader.
 *   <li>{@code tern.v1.AdminService} (tokens, WhoAmI) needs no leader, only ZooKeeper: SERVING
 *       while the ZooKeeper connection is up, on any replica.
 * </ul>
 *
 * During a ZooKeeper outage everything is NOT_SERVING. Thread-safe: leadership and connection
 * changes come from the scheduler loop and from Curator's threads.
 */
public final class ServingHealth {
  /** What a client calls: the leader serves it, and so does a relaying standby. */
  static final List<String> CLIENT_SERVICES =
      List.of(
          "",
          JobServiceGrpc.SERVICE_NAME,
          ClusterServiceGrpc.SERVICE_NAME,
          FinOpsServiceGrpc.SERVICE_NAME);

  private final HealthStatusManager manager = new HealthStatusManager();
  private final Map<String, ServingStatus> published = new HashMap<>();
  private final boolean standbyRelays;
  private boolean leading;
  private boolean connected;

  /**
   * @param standbyRelays whether a standby relays client calls to the leader (then it can serve
   *     them) rather than redirecting the caller
   */
  public ServingHealth(boolean standbyRelays) {
    this.standbyRelays = standbyRelays;
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
    for (String service : CLIENT_SERVICES) {
      set(service, connected && (leading || standbyRelays));
    }
    set(AgentServiceGrpc.SERVICE_NAME, connected && leading);
    set(AdminServiceGrpc.SERVICE_NAME, connected);
  }

  private void set(String service, boolean serving) {
    ServingStatus status = serving ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;
    published.put(service, status);
    manager.setStatus(service, status);
  }

  /** What {@code service} was last set to (tests); null for a service it does not know. */
  synchronized ServingStatus status(String service) {
    return published.get(service);
  }

  /** Shutting down: NOT_SERVING for good, so watchers move away before the port closes. */
  public void close() {
    manager.enterTerminalState();
  }
}
