package io.tern.scheduler.server.console;

import io.tern.api.v1.CapacityType;
import io.tern.api.v1.GetJobRequest;
import io.tern.api.v1.Job;
import io.tern.api.v1.JobServiceGrpc;
import io.tern.api.v1.JobSpec;
import io.tern.api.v1.Resources;
import io.tern.api.v1.Role;
import io.tern.api.v1.SubmitJobRequest;
import io.tern.scheduler.server.auth.SecureCluster;
import io.tern.scheduler.server.testing.FakeAgent;
import io.tern.scheduler.server.testing.ReplicaCluster;
import io.tern.security.token.BearerToken;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/**
 * A TLS scheduler serving the console on a free port, one on-demand and one spot agent speaking
 * real gRPC with their certificates, and tokens for a user of team vision (alice), a user of team
 * nlp (bob), a finops user and the admin.
 */
final class ConsoleFixture implements AutoCloseable {
  final SecureCluster cluster;
  final FakeAgent onDemand;
  final FakeAgent spot;
  final BearerToken alice;
  final BearerToken bob;
  final BearerToken finops;
  final TestSimulations simulations = new TestSimulations();

  ConsoleFixture(Path dir) throws Exception {
    cluster = new SecureCluster(dir, 0, ConsoleSettings.on(0).withSimulations(simulations));
    alice = cluster.token("alice", List.of("vision"));
    bob = cluster.token("bob", List.of("nlp"));
    finops = cluster.token("fin", List.of(), Role.ROLE_FINOPS);
    onDemand =
        new FakeAgent(
                cluster.agentChannel("gpu-od-1"),
                "gpu-od-1",
                4,
                CapacityType.CAPACITY_TYPE_ON_DEMAND,
                "a100-od/us-east-1a",
                32)
            .connect();
    spot =
        new FakeAgent(
                cluster.agentChannel("gpu-spot-1"),
                "gpu-spot-1",
                4,
                CapacityType.CAPACITY_TYPE_SPOT,
                "a100-spot/us-east-1a",
                10)
            .connect();
  }

  String base() {
    return "https://localhost:" + cluster.leader.consolePort();
  }

  ConsoleHttp http() throws Exception {
    return new ConsoleHttp(base(), cluster.layout.caCertificate());
  }

  /** Submits a job of {@code gpus} GPUs for {@code team} as {@code who}; returns its id. */
  String submit(BearerToken who, String name, String team, int gpus) throws Exception {
    return submit(who, spec(name, team, gpus).build(), false);
  }

  static JobSpec.Builder spec(String name, String team, int gpus) {
    return JobSpec.newBuilder()
        .setName(name)
        .setTeam(team)
        .addCommand("train")
        .setResources(Resources.newBuilder().setGpus(gpus).setNodes(1));
  }

  /** Submits {@code spec} as {@code who} ({@code allowUnfit}: queued even if no node fits). */
  String submit(BearerToken who, JobSpec spec, boolean allowUnfit) throws Exception {
    return JobServiceGrpc.newBlockingStub(cluster.userChannel())
        .withCallCredentials(SecureCluster.as(who))
        .withDeadlineAfter(10, TimeUnit.SECONDS)
        .submitJob(SubmitJobRequest.newBuilder().setSpec(spec).setAllowUnfit(allowUnfit).build())
        .getJob()
        .getId();
  }

  /** The job as the admin sees it. */
  Job job(String id) throws Exception {
    return JobServiceGrpc.newBlockingStub(cluster.userChannel())
        .withCallCredentials(SecureCluster.as(cluster.admin))
        .withDeadlineAfter(10, TimeUnit.SECONDS)
        .getJob(GetJobRequest.newBuilder().setJobId(id).build());
  }

  /** The agent of the node the job's latest attempt was placed on, once it is placed. */
  FakeAgent agentOf(String id) throws Exception {
    Awaitility.await().atMost(ReplicaCluster.WAIT).until(() -> job(id).getAttemptsCount() > 0);
    String node = job(id).getAttempts(job(id).getAttemptsCount() - 1).getNodeIds(0);
    return node.equals(onDemand.nodeId) ? onDemand : spot;
  }

  @Override
  public void close() throws Exception {
    onDemand.close();
    spot.close();
    cluster.close();
  }
}
