package io.tern.scheduler.server.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.tern.api.v1.CapacityType;
import io.tern.api.v1.JobSpec;
import io.tern.api.v1.Resources;
import io.tern.api.v1.SubmitJobRequest;
import io.tern.scheduler.server.SchedulerServer;
import io.tern.scheduler.server.testing.Clients;
import io.tern.scheduler.server.testing.FakeAgent;
import io.tern.scheduler.server.testing.ReplicaCluster;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A standby serves the console too, reading through the leader as its gRPC API relays; on a
 * scheduler without TLS users sign in by name, and a replica that serves no console says so.
 */
class ConsoleStandbyTest {
  @Test
  void aStandbysConsoleShowsTheLeadersJobsAndNodes() throws Exception {
    try (ReplicaCluster cluster = new ReplicaCluster()) {
      var config = cluster.config(Duration.ofSeconds(30)).withConsole(ConsoleSettings.on(0));
      SchedulerServer leader =
          cluster.track(new SchedulerServer(config, Clock.systemUTC()).start());
      ReplicaCluster.awaitLeading(leader);
      SchedulerServer standby =
          cluster.track(new SchedulerServer(config, Clock.systemUTC()).start());
      FakeAgent agent =
          cluster.track(
              new FakeAgent(leader.address(), "gpu-1", 2, CapacityType.CAPACITY_TYPE_ON_DEMAND)
                  .connect());
      String id;
      try (Clients clients = new Clients(leader.address())) {
        id =
            clients
                .jobs
                .submitJob(
                    SubmitJobRequest.newBuilder()
                        .setSpec(
                            JobSpec.newBuilder()
                                .setName("relayed")
                                .setTeam("vision")
                                .addCommand("train")
                                .setResources(Resources.newBuilder().setGpus(1).setNodes(1)))
                        .build())
                .getJob()
                .getId();
      }
      assertThat(ReplicaCluster.leads(standby)).isFalse();

      ConsoleHttp http = new ConsoleHttp("http://127.0.0.1:" + standby.consolePort());
      assertThat(http.signInAs("bad name!").statusCode()).isEqualTo(400);
      HttpResponse<String> signedIn = http.signInAs("carol");
      assertThat(signedIn.statusCode()).isEqualTo(303);
      assertThat(signedIn.headers().firstValue("Set-Cookie").orElseThrow())
          .contains("HttpOnly")
          .contains("SameSite=Strict")
          .doesNotContain("Secure");
      assertThat(http.get("/api/jobs").body()).contains(id).contains("relayed");
      assertThat(http.get("/api/nodes").body()).contains(agent.nodeId);
      assertThat(http.events("/events/job?id=" + id, 1))
          .singleElement()
          .asString()
          .startsWith("data")
          .contains(id);
      assertThat(http.action("/api/jobs/" + id + "/cancel").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void aReplicaWithoutAConsoleServesNone() throws Exception {
    try (ReplicaCluster cluster = new ReplicaCluster()) {
      SchedulerServer server = cluster.leader();
      assertThat(server.consolePort()).isEqualTo(-1);
    }
  }

  @Test
  void anOptionalConsoleOnATakenPortIsSkippedAndARequiredOneFails() throws Exception {
    try (ReplicaCluster cluster = new ReplicaCluster();
        var taken = new java.net.ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.0.1"))) {
      // On loopback and a free port, like the taken one.
      var config = cluster.config(Duration.ofSeconds(30)).withHosts("127.0.0.1", "127.0.0.1");
      var bound =
          new SchedulerServer(
              config.withConsole(new ConsoleSettings(taken.getLocalPort(), true)),
              Clock.systemUTC());
      cluster.track(bound.start());
      assertThat(bound.consolePort()).isEqualTo(-1);
      var required =
          new SchedulerServer(
              config.withConsole(ConsoleSettings.on(taken.getLocalPort())), Clock.systemUTC());
      try {
        org.assertj.core.api.Assertions.assertThatThrownBy(required::start)
            .hasMessageContaining("console port " + taken.getLocalPort());
      } finally {
        required.close();
      }
    }
  }
}
