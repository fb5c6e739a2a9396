package io.tern.scheduler.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tern.api.v1.SubmitJobRequest;
import io.tern.scheduler.server.loop.SchedulerLoop;
import io.tern.scheduler.server.testing.Clients;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * The scheduler against the official ZooKeeper image, where a Docker engine exists. Skipped without
 * one; {@link SchedulerServerTest} and {@link ZooKeeperEnsembleTest} cover the same ground with
 * in-process servers everywhere.
 */
@Testcontainers(disabledWithoutDocker = true)
class ZooKeeperContainerTest {
  @Container
  private static final GenericContainer<?> ZOOKEEPER =
      new GenericContainer<>("zookeeper:3.9").withExposedPorts(2181);

  @Test
  void schedulerLeadsAndStoresJobsInAZooKeeperContainer() throws Exception {
    String connect = ZOOKEEPER.getHost() + ":" + ZOOKEEPER.getMappedPort(2181);
    try (SchedulerServer server =
            new SchedulerServer(SchedulerConfig.local(connect, 0), Clock.systemUTC()).start();
        Clients clients = new Clients(server.address())) {
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> server.loop().role().get() == SchedulerLoop.Role.LEADER);

      String id =
          clients
              .jobs
              .submitJob(SubmitJobRequest.newBuilder().setSpec(Clients.spec("c", 1)).build())
              .getJob()
              .getId();

      assertThat(id).isEqualTo("job-000001");
    }
  }
}
