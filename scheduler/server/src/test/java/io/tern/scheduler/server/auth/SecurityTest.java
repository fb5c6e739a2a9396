package io.tern.scheduler.server.auth;

import static io.tern.scheduler.server.auth.SecureCluster.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.tern.api.v1.AdminServiceGrpc;
import io.tern.api.v1.AgentMessage;
import io.tern.api.v1.AgentServiceGrpc;
import io.tern.api.v1.CancelJobRequest;
import io.tern.api.v1.CapacityType;
import io.tern.api.v1.ClusterServiceGrpc;
import io.tern.api.v1.CreateTokenRequest;
import io.tern.api.v1.ExplainJobRequest;
import io.tern.api.v1.ExportHistoryRequest;
import io.tern.api.v1.FinOpsServiceGrpc;
import io.tern.api.v1.GetCostReportRequest;
import io.tern.api.v1.GetJobRequest;
import io.tern.api.v1.GetQueueRequest;
import io.tern.api.v1.HistoryChunk;
import io.tern.api.v1.Job;
import io.tern.api.v1.JobServiceGrpc;
import io.tern.api.v1.JobSpec;
import io.tern.api.v1.ListJobsRequest;
import io.tern.api.v1.ListNodesRequest;
import io.tern.api.v1.ListTokensRequest;
import io.tern.api.v1.Register;
import io.tern.api.v1.RevokeTokenRequest;
import io.tern.api.v1.Role;
import io.tern.api.v1.SetBudgetRequest;
import io.tern.api.v1.StoredToken;
import io.tern.api.v1.StreamLogsRequest;
import io.tern.api.v1.SubmitJobRequest;
import io.tern.api.v1.WatchJobRequest;
import io.tern.api.v1.WhoAmIRequest;
import io.tern.scheduler.server.SchedulerServer;
import io.tern.scheduler.server.testing.AgentStream;
import io.tern.scheduler.server.testing.Clients;
import io.tern.scheduler.server.testing.FakeAgent;
import io.tern.scheduler.server.testing.ReplicaCluster;
import io.tern.security.token.BearerToken;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.zookeeper.KeeperException;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * One test per denial, against a real leader serving TLS on loopback with a real ZooKeeper behind
 * it: who may call what, team isolation, agents bound to their node, token lifetimes, the rate
 * limit, the audit log and ZooKeeper ACLs.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SecurityTest {
  private static final double RATE = 50;

  private SecureCluster secure;

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    secure = new SecureCluster(dir, RATE);
  }

  @AfterAll
  void stop() throws Exception {
    if (secure != null) {
      secure.close();
    }
  }

  private JobServiceGrpc.JobServiceBlockingStub jobs(BearerToken token) throws Exception {
    return JobServiceGrpc.newBlockingStub(secure.userChannel())
        .withCallCredentials(as(token))
        .withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  private AdminServiceGrpc.AdminServiceBlockingStub admin(BearerToken token) throws Exception {
    return AdminServiceGrpc.newBlockingStub(secure.userChannel())
        .withCallCredentials(as(token))
        .withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  private static void assertStatus(ThrowingCallable call, Status.Code code, String message) {
    assertThatThrownBy(call)
        .isInstanceOf(StatusRuntimeException.class)
        .satisfies(
            e -> {
              Status status = ((StatusRuntimeException) e).getStatus();
              assertThat(status.getCode()).isEqualTo(code);
              assertThat(status.getDescription()).contains(message);
            });
  }

  private static Status catchStatus(ThrowingCallable call) {
    try {
      call.call();
    } catch (StatusRuntimeException e) {
      return e.getStatus();
    } catch (Throwable e) {
      throw new AssertionError("expected a gRPC status, got " + e, e);
    }
    throw new AssertionError("expected a gRPC status, the call succeeded");
  }

  private static JobSpec spec(String team) {
    return Clients.spec("train-" + team, 1).toBuilder().setTeam(team).build();
  }

  @Test
  void plaintextToTheTlsPortIsRefused() {
    ManagedChannel plain = NettyChannelBuilder.forTarget(secure.target()).usePlaintext().build();
    try {
      assertThatThrownBy(
              () ->
                  JobServiceGrpc.newBlockingStub(plain)
                      .withDeadlineAfter(10, TimeUnit.SECONDS)
                      .listJobs(ListJobsRequest.getDefaultInstance()))
          .isInstanceOf(StatusRuntimeException.class)
          .extracting(e -> ((StatusRuntimeException) e).getStatus().getCode())
          .isEqualTo(Status.Code.UNAVAILABLE);
    } finally {
      plain.shutdownNow();
    }
  }

  @Test
  void aCallWithoutATokenIsUnauthenticated() throws Exception {
    assertStatus(
        () ->
            JobServiceGrpc.newBlockingStub(secure.userChannel())
                .listJobs(ListJobsRequest.getDefaultInstance()),
        Status.Code.UNAUTHENTICATED,
        "no credentials");
  }

  @Test
  void aWrongTokenIsUnauthenticated() throws Exception {
    BearerToken stranger = BearerToken.generate();
    BearerToken real = secure.token("wrong-secret", List.of("vision"));
    BearerToken forged = new BearerToken(real.id(), stranger.secret());

    assertStatus(
        () -> admin(stranger).whoAmI(WhoAmIRequest.getDefaultInstance()),
        Status.Code.UNAUTHENTICATED,
        "unknown token");
    assertStatus(
        () -> admin(forged).whoAmI(WhoAmIRequest.getDefaultInstance()),
        Status.Code.UNAUTHENTICATED,
        "unknown token");
  }

  @Test
  void aTokenGivenTwiceIsRefusedWhicheverComesFirst() throws Exception {
    BearerToken alice = secure.token("alice-twice", List.of("vision"));
    BearerToken bob = secure.token("bob-twice", List.of("nlp"));
    for (List<String> values :
        List.of(
            List.of("Bearer " + alice.value(), "Bearer " + bob.value()),
            List.of("Bearer " + BearerToken.generate().value(), "Bearer " + alice.value()))) {
      io.grpc.Metadata headers = new io.grpc.Metadata();
      values.forEach(v -> headers.put(io.tern.security.token.TokenCredentials.AUTHORIZATION, v));
      assertStatus(
          () ->
              AdminServiceGrpc.newBlockingStub(secure.userChannel())
                  .withInterceptors(io.grpc.stub.MetadataUtils.newAttachHeadersInterceptor(headers))
                  .withDeadlineAfter(10, TimeUnit.SECONDS)
                  .whoAmI(WhoAmIRequest.getDefaultInstance()),
          Status.Code.UNAUTHENTICATED,
          "authorization: given more than once");
    }
  }

  @Test
  void aRevokedTokenIsRefusedAtOnce() throws Exception {
    BearerToken token = secure.token("leaver", List.of("vision"));
    assertThat(admin(token).whoAmI(WhoAmIRequest.getDefaultInstance()).getName())
        .isEqualTo("leaver");

    admin(secure.admin).revokeToken(RevokeTokenRequest.newBuilder().setId(token.id()).build());

    assertStatus(
        () -> admin(token).whoAmI(WhoAmIRequest.getDefaultInstance()),
        Status.Code.UNAUTHENTICATED,
        "revoked");
    assertThat(
            admin(secure.admin)
                .listTokens(ListTokensRequest.newBuilder().setUser("leaver").build())
                .getTokensList())
        .isEmpty();
    assertThat(
            admin(secure.admin)
                .listTokens(
                    ListTokensRequest.newBuilder()
                        .setUser("leaver")
                        .setIncludeInactive(true)
                        .build())
                .getTokensList())
        .singleElement()
        .satisfies(info -> assertThat(info.getRevoked()).isTrue());
  }

  @Test
  void anExpiredTokenIsRefused() throws Exception {
    BearerToken token = secure.token("intern", List.of("vision"), Duration.ofSeconds(1));
    assertThat(admin(token).whoAmI(WhoAmIRequest.getDefaultInstance()).getTeamsList())
        .containsExactly("vision");

    secure.clock.advance(Duration.ofSeconds(2));

    assertStatus(
        () -> admin(token).whoAmI(WhoAmIRequest.getDefaultInstance()),
        Status.Code.UNAUTHENTICATED,
        "expired");
  }

  @Test
  void aUserSeesCancelsAndReadsOnlyTheirTeamsJobs() throws Exception {
    BearerToken vision = secure.token("vic", List.of("vision"));
    BearerToken nlp = secure.token("nadia", List.of("nlp"));
    Job job =
        jobs(vision)
            .submitJob(SubmitJobRequest.newBuilder().setSpec(spec("vision")).build())
            .getJob();
    String id = job.getId();
    assertThat(job.getOwner()).isEqualTo("vic");

    // Another team's job is answered word for word as a job that does not exist.
    String missing = id.substring(0, id.length() - 1) + (id.endsWith("9") ? "8" : "9");
    Status absent =
        catchStatus(() -> jobs(nlp).getJob(GetJobRequest.newBuilder().setJobId(missing).build()));
    assertThat(absent.getCode()).isEqualTo(Status.Code.NOT_FOUND);
    String notYours = "no job " + id;
    assertThat(absent.getDescription()).isEqualTo("no job " + missing);
    assertStatus(
        () -> jobs(nlp).getJob(GetJobRequest.newBuilder().setJobId(id).build()),
        Status.Code.NOT_FOUND,
        notYours);
    assertStatus(
        () -> jobs(nlp).cancelJob(CancelJobRequest.newBuilder().setJobId(id).build()),
        Status.Code.NOT_FOUND,
        notYours);
    assertStatus(
        () -> jobs(nlp).explainJob(ExplainJobRequest.newBuilder().setJobId(id).build()),
        Status.Code.NOT_FOUND,
        notYours);
    assertStatus(
        () -> jobs(nlp).watchJob(WatchJobRequest.newBuilder().setJobId(id).build()).next(),
        Status.Code.NOT_FOUND,
        notYours);
    assertStatus(
        () -> jobs(nlp).streamLogs(StreamLogsRequest.newBuilder().setJobId(id).build()).next(),
        Status.Code.NOT_FOUND,
        notYours);
    assertThat(
            catchStatus(() -> jobs(nlp).getJob(GetJobRequest.newBuilder().setJobId(id).build()))
                .getDescription())
        .isEqualTo(notYours);
    assertStatus(
        () -> jobs(nlp).listJobs(ListJobsRequest.newBuilder().setTeam("vision").build()),
        Status.Code.PERMISSION_DENIED,
        "not a member of team 'vision'");
    assertStatus(
        () -> jobs(nlp).submitJob(SubmitJobRequest.newBuilder().setSpec(spec("vision")).build()),
        Status.Code.PERMISSION_DENIED,
        "spec.team");
    assertThat(jobs(nlp).listJobs(ListJobsRequest.getDefaultInstance()).getJobsList())
        .extracting(j -> j.getSpec().getTeam())
        .doesNotContain("vision");

    // Still there, still pending, for its own team and for admins.
    assertThat(jobs(vision).getJob(GetJobRequest.newBuilder().setJobId(id).build()).getState())
        .isEqualTo(job.getState());
    assertThat(jobs(secure.admin).getJob(GetJobRequest.newBuilder().setJobId(id).build()).getId())
        .isEqualTo(id);
    // In the queue, another team's job keeps its place but not its name.
    assertThat(
            ClusterServiceGrpc.newBlockingStub(secure.userChannel())
                .withCallCredentials(as(nlp))
                .getQueue(GetQueueRequest.getDefaultInstance())
                .getEntriesList())
        .filteredOn(e -> e.getTeam().equals("vision"))
        .allSatisfy(e -> assertThat(e.getJobId()).isEmpty());
  }

  @Test
  void finOpsReadsAnotherTeamsJobAndIsToldPlainlyItMayNotActOnIt() throws Exception {
    BearerToken finops = secure.token("fiona", List.of(), Role.ROLE_FINOPS);
    String id =
        jobs(secure.admin)
            .submitJob(SubmitJobRequest.newBuilder().setSpec(spec("vision")).build())
            .getJob()
            .getId();

    assertThat(jobs(finops).getJob(GetJobRequest.newBuilder().setJobId(id).build()).getId())
        .isEqualTo(id);
    // It exists to FinOps: "no job" would be untrue.
    assertStatus(
        () -> jobs(finops).cancelJob(CancelJobRequest.newBuilder().setJobId(id).build()),
        Status.Code.PERMISSION_DENIED,
        "fiona may read " + id + " but not act on it or read its logs");
  }

  @Test
  void aUserExportsTheirTeamsHistoryAndFinOpsEveryones() throws Exception {
    BearerToken vision = secure.token("hal", List.of("vision"));
    BearerToken finops = secure.token("fiona", List.of(), Role.ROLE_FINOPS);
    jobs(vision).submitJob(SubmitJobRequest.newBuilder().setSpec(spec("vision")).build());
    jobs(secure.admin).submitJob(SubmitJobRequest.newBuilder().setSpec(spec("nlp")).build());
    ExportHistoryRequest sinceEver =
        ExportHistoryRequest.newBuilder()
            .setSince(com.google.protobuf.Timestamp.newBuilder().setSeconds(1))
            .build();
    ListJobsRequest all = ListJobsRequest.newBuilder().setPageSize(1000).build();

    // Nothing here ran (no agents): every job is left out, and counted only where visible.
    HistoryChunk mine = jobs(vision).exportHistory(sinceEver).next();
    HistoryChunk everyone = jobs(finops).exportHistory(sinceEver).next();

    assertThat(mine.getJobsList()).isEmpty();
    assertThat(mine.getJobsLeftOut())
        .isEqualTo(
            jobs(secure.admin).listJobs(all.toBuilder().setTeam("vision").build()).getJobsCount());
    assertThat(everyone.getJobsLeftOut())
        .isEqualTo(jobs(secure.admin).listJobs(all).getJobsCount())
        .isGreaterThan(mine.getJobsLeftOut());
    assertStatus(
        () -> jobs(vision).exportHistory(sinceEver.toBuilder().setTeam("nlp").build()).next(),
        Status.Code.PERMISSION_DENIED,
        "may not read the history of team 'nlp'");
    assertStatus(
        () -> jobs(vision).exportHistory(ExportHistoryRequest.getDefaultInstance()).next(),
        Status.Code.INVALID_ARGUMENT,
        "since: is required");
  }

  @Test
  void anIdempotencyKeyBelongsToItsTeam() throws Exception {
    BearerToken both = secure.token("dual", List.of("vision", "nlp"));
    SubmitJobRequest.Builder request = SubmitJobRequest.newBuilder().setIdempotencyKey("nightly-1");

    String first = jobs(both).submitJob(request.setSpec(spec("vision")).build()).getJob().getId();
    String again = jobs(both).submitJob(request.setSpec(spec("vision")).build()).getJob().getId();
    String other = jobs(both).submitJob(request.setSpec(spec("nlp")).build()).getJob().getId();

    assertThat(again).isEqualTo(first);
    assertThat(other).isNotEqualTo(first);
    // Without a team, a member of several sees all their teams' jobs.
    assertThat(jobs(both).listJobs(ListJobsRequest.getDefaultInstance()).getJobsList())
        .extracting(Job::getId)
        .contains(first, other);
  }

  @Test
  void finOpsVerbsNeedTheFinOpsRole() throws Exception {
    BearerToken member = secure.token("mo", List.of("vision"));
    BearerToken finops = secure.token("fin", List.of(), Role.ROLE_FINOPS);
    SetBudgetRequest budget =
        SetBudgetRequest.newBuilder()
            .setBudget(
                io.tern.api.v1.Budget.newBuilder()
                    .setTeam("vision")
                    .setMonthlyUsd(1000)
                    .setSoftAt(0.8))
            .build();

    assertStatus(
        () -> finops(member).setBudget(budget),
        Status.Code.PERMISSION_DENIED,
        "needs the finops or admin role");
    assertThat(finops(finops).setBudget(budget).getTeam()).isEqualTo("vision");
    assertStatus(
        () ->
            finops(member).getCostReport(GetCostReportRequest.newBuilder().setTeam("nlp").build()),
        Status.Code.PERMISSION_DENIED,
        "not a member of team 'nlp'");
    // Without a team, a member of one team gets that team's costs.
    assertThat(
            finops(member).getCostReport(GetCostReportRequest.getDefaultInstance()).getTeamsList())
        .allSatisfy(line -> assertThat(line.getKey()).isEqualTo("vision"));
    BearerToken twoTeams = secure.token("two-hats", List.of("vision", "nlp"));
    assertStatus(
        () -> finops(twoTeams).getCostReport(GetCostReportRequest.getDefaultInstance()),
        Status.Code.INVALID_ARGUMENT,
        "name one team whose costs");
  }

  private FinOpsServiceGrpc.FinOpsServiceBlockingStub finops(BearerToken token) throws Exception {
    return FinOpsServiceGrpc.newBlockingStub(secure.userChannel())
        .withCallCredentials(as(token))
        .withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  @Test
  void onlyAdminsMakeTokensOrDrainNodes() throws Exception {
    BearerToken member = secure.token("eve", List.of("vision"));

    assertStatus(
        () ->
            admin(member)
                .createToken(
                    CreateTokenRequest.newBuilder()
                        .setUser("eve")
                        .addRoles(Role.ROLE_ADMIN)
                        .build()),
        Status.Code.PERMISSION_DENIED,
        "needs the admin role");
    assertStatus(
        () ->
            ClusterServiceGrpc.newBlockingStub(secure.userChannel())
                .withCallCredentials(as(member))
                .drainNode(io.tern.api.v1.DrainNodeRequest.newBuilder().setNodeId("n1").build()),
        Status.Code.PERMISSION_DENIED,
        "needs the admin role");
  }

  @Test
  void aRoleTheApiDoesNotDefineIsRefusedNamingTheValidOnes() throws Exception {
    assertStatus(
        () ->
            admin(secure.admin)
                .createToken(
                    CreateTokenRequest.newBuilder()
                        .setUser("rolf")
                        .addRoles(Role.ROLE_FINOPS)
                        .addRolesValue(7)
                        .build()),
        Status.Code.INVALID_ARGUMENT,
        "roles[1]: 7 is not a Role; use one of ROLE_FINOPS, ROLE_ADMIN");
    assertStatus(
        () ->
            admin(secure.admin)
                .createToken(
                    CreateTokenRequest.newBuilder()
                        .setUser("rolf")
                        .addRoles(Role.ROLE_UNSPECIFIED)
                        .build()),
        Status.Code.INVALID_ARGUMENT,
        "roles[0]: ROLE_UNSPECIFIED is not a Role; use one of ROLE_FINOPS, ROLE_ADMIN");
  }

  @Test
  void aPlaintextReplicaMintsAndRevokesNoTokens() throws Exception {
    // A plaintext replica on the same ZooKeeper: every caller is a local admin there, so token
    // management is closed; the first admin token comes from whoever holds ZooKeeper.
    SchedulerServer plain =
        secure.cluster.track(
            new SchedulerServer(
                    secure
                        .cluster
                        .config(Duration.ofSeconds(30))
                        .withSecurity(new SecuritySettings(null, 0, null, SecureCluster.ZK_DIGEST)),
                    secure.clock)
                .start());
    ManagedChannel channel =
        NettyChannelBuilder.forTarget("localhost:" + plain.port()).usePlaintext().build();
    try {
      AdminServiceGrpc.AdminServiceBlockingStub anyone =
          AdminServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
      assertStatus(
          () ->
              anyone.createToken(
                  CreateTokenRequest.newBuilder()
                      .setUser("intruder")
                      .addRoles(Role.ROLE_ADMIN)
                      .build()),
          Status.Code.PERMISSION_DENIED,
          "tern admin token create --zk");
      assertStatus(
          () ->
              anyone.revokeToken(RevokeTokenRequest.newBuilder().setId(secure.admin.id()).build()),
          Status.Code.PERMISSION_DENIED,
          "serves plaintext");
    } finally {
      channel.shutdownNow();
    }
    assertThat(admin(secure.admin).whoAmI(WhoAmIRequest.getDefaultInstance()).getName())
        .isEqualTo("root");
    assertThat(
            admin(secure.admin)
                .listTokens(ListTokensRequest.newBuilder().setIncludeInactive(true).build())
                .getTokensList())
        .extracting(io.tern.api.v1.TokenInfo::getUser)
        .doesNotContain("intruder");
  }

  @Test
  void aTokenThatDoesNotSayHowItWasMintedIsRefused() throws Exception {
    // As a token minted over plaintext before minting was recorded is stored: no mark.
    BearerToken old = BearerToken.generate();
    StoredToken unmarked =
        StoredToken.newBuilder()
            .setInfo(
                io.tern.api.v1.TokenInfo.newBuilder()
                    .setId(old.id())
                    .setUser("old-admin")
                    .addRoles(Role.ROLE_ADMIN)
                    .setCreatedBy("unknown"))
            .setSha256(old.hash())
            .build();
    try (CuratorFramework operator = secure.operatorClient()) {
      operator.create().forPath("/tern/auth/tokens/" + old.id(), unmarked.toByteArray());
    }

    assertStatus(
        () -> admin(old).whoAmI(WhoAmIRequest.getDefaultInstance()),
        Status.Code.UNAUTHENTICATED,
        "does not record how it was minted");
    // A token an admin minted over TLS says so, and works.
    BearerToken fresh = secure.token("newcomer", List.of("vision"));
    assertThat(admin(fresh).whoAmI(WhoAmIRequest.getDefaultInstance()).getName())
        .isEqualTo("newcomer");
  }

  @Test
  void nodesShowOnlyTheCallersOwnTeamsJobIds() throws Exception {
    BearerToken vision = secure.token("vera", List.of("vision"));
    BearerToken nlp = secure.token("ned", List.of("nlp"));
    try (FakeAgent agent =
        new FakeAgent(
            secure.agentChannel("node-ids"),
            "node-ids",
            8,
            CapacityType.CAPACITY_TYPE_ON_DEMAND,
            "p/ids",
            1)) {
      agent.connect();
      String id =
          jobs(vision)
              .submitJob(
                  SubmitJobRequest.newBuilder()
                      .setSpec(
                          spec("vision").toBuilder()
                              .setCapacity(io.tern.api.v1.CapacityPreference.CAPACITY_ON_DEMAND))
                      .build())
              .getJob()
              .getId();
      // Polled gently: the test clock stands still, so the rate limit's bucket does not refill.
      await()
          .atMost(ReplicaCluster.WAIT)
          .pollInterval(Duration.ofMillis(400))
          .untilAsserted(() -> assertThat(jobIdsOn("node-ids", vision)).contains(id));

      assertThat(jobIdsOn("node-ids", nlp)).doesNotContain(id);
      assertThat(jobIdsOn("node-ids", secure.admin)).contains(id);
    }
  }

  private List<String> jobIdsOn(String nodeId, BearerToken token) throws Exception {
    return ClusterServiceGrpc.newBlockingStub(secure.userChannel())
        .withCallCredentials(as(token))
        .withDeadlineAfter(10, TimeUnit.SECONDS)
        .listNodes(ListNodesRequest.getDefaultInstance())
        .getNodesList()
        .stream()
        .filter(n -> n.getId().equals(nodeId))
        .findFirst()
        .orElseThrow()
        .getJobIdsList();
  }

  @Test
  void anAgentMaySpeakOnlyForTheNodeItsCertificateNames() throws Exception {
    try (FakeAgent honest =
            new FakeAgent(
                secure.agentChannel("node-a"),
                "node-a",
                2,
                CapacityType.CAPACITY_TYPE_ON_DEMAND,
                "p/a",
                1);
        FakeAgent impostor =
            new FakeAgent(
                secure.agentChannel("node-b"),
                "node-c",
                2,
                CapacityType.CAPACITY_TYPE_ON_DEMAND,
                "p/a",
                1)) {
      honest.connect();
      impostor.connect();

      await().atMost(ReplicaCluster.WAIT).until(() -> impostor.closedWith() != null);
      assertThat(impostor.closedWith().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
      assertThat(impostor.closedWith().getDescription()).contains("may not register node 'node-c'");
      // Refused on the message it sent, after the call started: audited all the same.
      assertThat(Files.readAllLines(secure.auditLog))
          .anySatisfy(
              line ->
                  assertThat(line)
                      .contains("\"rpc\":\"tern.v1.AgentService/Connect\"")
                      .contains("\"who\":\"node-b\"")
                      .contains("\"kind\":\"agent\"")
                      .containsPattern("\"from\":\"[^\"]*127.0.0.1:[0-9]+\"")
                      .contains("\"node_id\":\"node-c\"")
                      .contains("\"result\":\"PERMISSION_DENIED\"")
                      .contains("\"detail\":\"agent node-b may not register node 'node-c'"));
      await()
          .atMost(ReplicaCluster.WAIT)
          .untilAsserted(
              () ->
                  assertThat(
                          ClusterServiceGrpc.newBlockingStub(secure.userChannel())
                              .withCallCredentials(as(secure.admin))
                              .listNodes(ListNodesRequest.getDefaultInstance())
                              .getNodesList())
                      .extracting(io.tern.api.v1.Node::getId)
                      .contains("node-a")
                      .doesNotContain("node-c", "node-b"));
    }
  }

  @Test
  void usersCannotSpeakAsAgentsNorAgentsAsUsers() throws Exception {
    BearerToken user = secure.token("mallory", List.of("vision"));
    AgentStream stream =
        new AgentStream(
            AgentServiceGrpc.newStub(secure.userChannel()).withCallCredentials(as(user)));
    stream.send(
        AgentMessage.newBuilder().setRegister(Register.newBuilder().setNodeId("node-x")).build());

    Status status = stream.awaitClosed(ReplicaCluster.WAIT);
    assertThat(status.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(status.getDescription()).contains("for node agents");
    assertStatus(
        () ->
            JobServiceGrpc.newBlockingStub(secure.agentChannel("node-y"))
                .listJobs(ListJobsRequest.getDefaultInstance()),
        Status.Code.PERMISSION_DENIED,
        "it is for users");
  }

  @Test
  void usersOverTheRateLimitAreToldToSlowDown() throws Exception {
    BearerToken token = secure.token("hammer", List.of("vision"));
    AdminServiceGrpc.AdminServiceBlockingStub stub = admin(token);
    // The token was made by the admin, so all of this user's bucket is left: twice the rate.
    for (int i = 0; i < 2 * RATE; i++) {
      stub.whoAmI(WhoAmIRequest.getDefaultInstance());
    }
    assertStatus(
        () -> stub.whoAmI(WhoAmIRequest.getDefaultInstance()),
        Status.Code.RESOURCE_EXHAUSTED,
        "rate limit: hammer");

    secure.clock.advance(Duration.ofSeconds(1));

    assertThat(stub.whoAmI(WhoAmIRequest.getDefaultInstance()).getName()).isEqualTo("hammer");
  }

  @Test
  void everyMutatingCallIsAudited() throws Exception {
    BearerToken alice = secure.token("alice", List.of("vision"));
    BearerToken bob = secure.token("bob", List.of("nlp"));
    String id =
        jobs(alice)
            .submitJob(SubmitJobRequest.newBuilder().setSpec(spec("vision")).build())
            .getJob()
            .getId();
    assertThatThrownBy(
        () -> jobs(bob).cancelJob(CancelJobRequest.newBuilder().setJobId(id).build()));

    List<String> lines = Files.readAllLines(secure.auditLog);
    assertThat(lines)
        .anySatisfy(
            line ->
                assertThat(line)
                    .contains("\"rpc\":\"tern.v1.JobService/SubmitJob\"")
                    .contains("\"who\":\"alice\"")
                    .contains("\"result\":\"OK\"")
                    .contains("\"id\":\"" + id + "\""))
        .anySatisfy(
            line ->
                assertThat(line)
                    .contains("\"rpc\":\"tern.v1.JobService/CancelJob\"")
                    .contains("\"who\":\"bob\"")
                    .contains("\"job_id\":\"" + id + "\"")
                    .contains("\"result\":\"NOT_FOUND\""))
        .noneSatisfy(line -> assertThat(line).contains("tern_"));
    // Refused before it started (the role is missing): audited all the same.
    assertThatThrownBy(
        () ->
            admin(bob)
                .createToken(
                    CreateTokenRequest.newBuilder().setUser("bob2").addTeams("nlp").build()));
    assertThat(Files.readAllLines(secure.auditLog))
        .anySatisfy(
            line ->
                assertThat(line)
                    .contains("\"rpc\":\"tern.v1.AdminService/CreateToken\"")
                    .contains("\"who\":\"bob\"")
                    .contains("\"result\":\"PERMISSION_DENIED\""));
  }

  @Test
  void zooKeeperRefusesClientsWithoutTernsDigest() throws Exception {
    try (CuratorFramework stranger =
            CuratorFrameworkFactory.newClient(secure.cluster.zkConnect(), new RetryOneTime(100));
        CuratorFramework operator = secure.operatorClient()) {
      stranger.start();
      assertThatThrownBy(() -> stranger.getChildren().forPath("/tern/auth/tokens"))
          .isInstanceOf(KeeperException.NoAuthException.class);
      assertThatThrownBy(() -> stranger.setData().forPath("/tern/epoch", "999".getBytes()))
          .isInstanceOf(KeeperException.NoAuthException.class);
      assertThat(operator.getChildren().forPath("/tern/auth/tokens")).isNotEmpty();
    }
  }
}
