package io.tern.scheduler.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tern.api.v1.SubmitJobRequest;
import io.tern.scheduler.server.loop.SchedulerLoop;
import io.tern.scheduler.server.testing.Clients;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingCluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A real three-server ZooKeeper ensemble in this JVM: survive one loss, stop safely without quorum.
 */
class ZooKeeperEnsembleTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private TestingCluster ensemble;
  private SchedulerServer server;
  private Clients clients;

  @BeforeEach
  void start() throws Exception {
    ensemble = new TestingCluster(3);
    ensemble.start();
    server =
        new SchedulerServer(
                SchedulerConfig.local(ensemble.getConnectString(), 0), Clock.systemUTC())
            .start();
    await().atMost(WAIT).until(() -> server.loop().role().get() == SchedulerLoop.Role.LEADER);
    clients = new Clients(server.address());
  }

  @AfterEach
  void stop() throws Exception {
    clients.close();
    server.close();
    ensemble.close();
  }

  private String submit(String name) {
    return clients
        .jobs
        .submitJob(SubmitJobRequest.newBuilder().setSpec(Clients.spec(name, 1)).build())
        .getJob()
        .getId();
  }

  @Test
  void losingOneServerStopsNothing() throws Exception {
    submit("before");
    List<InstanceSpec> servers = List.copyOf(ensemble.getInstances());

    ensemble.killServer(servers.get(0));

    await().atMost(WAIT).ignoreExceptions().until(() -> submit("after") != null);
    assertThat(server.loop().role().get()).isEqualTo(SchedulerLoop.Role.LEADER);
  }

  @Test
  void losingQuorumStopsTheSchedulerWhichSaysWhyAndResumesAfter() throws Exception {
    String before = submit("before");
    List<InstanceSpec> servers = List.copyOf(ensemble.getInstances());

    ensemble.killServer(servers.get(0));
    ensemble.killServer(servers.get(1));

    await().atMost(WAIT).until(() -> server.loop().role().get() != SchedulerLoop.Role.LEADER);
    assertThat(server.loop().describeRole().get()).contains("ZooKeeper connection");
    assertThat(server.loop().describeRole().get()).startsWith("FOLLOWER");
    StatusRuntimeException refused = null;
    try {
      submit("during");
    } catch (StatusRuntimeException e) {
      refused = e;
    }
    assertThat(refused).isNotNull();
    assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(refused.getStatus().getDescription()).contains("ZooKeeper");

    ensemble.restartServer(servers.get(0));
    ensemble.restartServer(servers.get(1));

    await().atMost(WAIT).until(() -> server.loop().role().get() == SchedulerLoop.Role.LEADER);
    String after =
        await().atMost(WAIT).ignoreExceptions().until(() -> submit("after"), id -> id != null);
    assertThat(after).isGreaterThan(before);
  }
}
