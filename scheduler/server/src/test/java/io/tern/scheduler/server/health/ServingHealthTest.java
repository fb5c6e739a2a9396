package io.tern.scheduler.server.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import org.junit.jupiter.api.Test;

/** The statuses for each combination of leadership, ZooKeeper and relaying. */
class ServingHealthTest {
  private static final String JOBS = "tern.v1.JobService";
  private static final String AGENTS = "tern.v1.AgentService";
  private static final String ADMIN = "tern.v1.AdminService";

  @Test
  void aRedirectingStandbyServesOnlyAdmin() {
    ServingHealth health = new ServingHealth(false);
    health.connected(true);

    assertThat(health.status("")).isEqualTo(ServingStatus.NOT_SERVING);
    assertThat(health.status(JOBS)).isEqualTo(ServingStatus.NOT_SERVING);
    assertThat(health.status(AGENTS)).isEqualTo(ServingStatus.NOT_SERVING);
    assertThat(health.status(ADMIN)).isEqualTo(ServingStatus.SERVING);

    health.leading(true);
    assertThat(health.status("")).isEqualTo(ServingStatus.SERVING);
    assertThat(health.status(AGENTS)).isEqualTo(ServingStatus.SERVING);
  }

  @Test
  void aRelayingStandbyServesClientsButNotAgents() {
    ServingHealth health = new ServingHealth(true);
    health.connected(true);

    assertThat(health.status("")).isEqualTo(ServingStatus.SERVING);
    assertThat(health.status(JOBS)).isEqualTo(ServingStatus.SERVING);
    assertThat(health.status("tern.v1.ClusterService")).isEqualTo(ServingStatus.SERVING);
    assertThat(health.status("tern.v1.FinOpsService")).isEqualTo(ServingStatus.SERVING);
    assertThat(health.status(AGENTS)).isEqualTo(ServingStatus.NOT_SERVING);
  }

  @Test
  void withoutZooKeeperNothingServes() {
    ServingHealth health = new ServingHealth(true);
    health.leading(true);
    health.connected(false);

    for (String service : new String[] {"", JOBS, AGENTS, ADMIN}) {
      assertThat(health.status(service)).as(service).isEqualTo(ServingStatus.NOT_SERVING);
    }
  }
}
