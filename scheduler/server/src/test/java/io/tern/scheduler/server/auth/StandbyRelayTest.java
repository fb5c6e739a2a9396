package io.tern.scheduler.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.DynamicMessage;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.tern.scheduler.server.SchedulerServer;
import io.tern.scheduler.server.loop.SchedulerLoop;
import io.tern.scheduler.server.testing.ForeignClient;
import io.tern.scheduler.server.testing.ReplicaCluster;
import io.tern.security.token.BearerToken;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A standby of a TLS cluster relays a foreign client's calls to the leader over the cluster's
 * trust, with the client's bearer token: the leader authenticates and authorizes them.
 */
class StandbyRelayTest {
  private SecureCluster secure;
  private SchedulerServer standby;

  @BeforeEach
  void start(@TempDir Path dir) throws Exception {
    secure = new SecureCluster(dir, 0);
    standby = secure.replica();
    await()
        .atMost(ReplicaCluster.WAIT)
        .until(() -> standby.loop().role().get() == SchedulerLoop.Role.FOLLOWER);
  }

  @AfterEach
  void stop() throws Exception {
    secure.close();
  }

  /** A TLS client of the standby that trusts the cluster's CA, built from grpc-java alone. */
  private ForeignClient client(Metadata headers) throws Exception {
    return secure.cluster.track(
        new ForeignClient(
            Grpc.newChannelBuilder(
                    "localhost:" + standby.port(),
                    TlsChannelCredentials.newBuilder()
                        .trustManager(secure.layout.caCertificate().toFile())
                        .build())
                .build(),
            headers));
  }

  private static Metadata bearer(BearerToken token) {
    Metadata headers = new Metadata();
    headers.put(
        Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER),
        "Bearer " + token.value());
    return headers;
  }

  private static DynamicMessage submitRequest(MethodDescriptor submit, String team) {
    Descriptor spec = submit.getInputType().findFieldByName("spec").getMessageType();
    Descriptor resources = spec.findFieldByName("resources").getMessageType();
    return ForeignClient.request(submit)
        .setField(
            submit.getInputType().findFieldByName("spec"),
            DynamicMessage.newBuilder(spec)
                .setField(spec.findFieldByName("name"), "relayed")
                .setField(spec.findFieldByName("team"), team)
                .addRepeatedField(spec.findFieldByName("command"), "train")
                .setField(
                    spec.findFieldByName("resources"),
                    DynamicMessage.newBuilder(resources)
                        .setField(resources.findFieldByName("nodes"), 1)
                        .build())
                .build())
        .build();
  }

  @Test
  void aStandbyRelaysTheCallersTokenToTheTlsLeader() throws Exception {
    BearerToken alice = secure.token("alice", List.of("vision"));
    ForeignClient client = client(bearer(alice));
    MethodDescriptor submit = client.service("tern.v1.JobService").findMethodByName("SubmitJob");

    DynamicMessage job =
        (DynamicMessage)
            client
                .unary(submit, submitRequest(submit, "vision"), 10_000)
                .getField(submit.getOutputType().findFieldByName("job"));

    assertThat(job.getField(job.getDescriptorForType().findFieldByName("owner")))
        .isEqualTo("alice");
  }

  @Test
  void theLeaderRefusesWhatARelayedCallerMayNotDo() throws Exception {
    BearerToken alice = secure.token("alice", List.of("vision"));
    ForeignClient anonymous = client(new Metadata());
    MethodDescriptor submit = anonymous.service("tern.v1.JobService").findMethodByName("SubmitJob");
    ForeignClient asAlice = client(bearer(alice));

    StatusRuntimeException noToken =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () -> anonymous.unary(submit, submitRequest(submit, "vision"), 10_000));
    StatusRuntimeException otherTeam =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () -> asAlice.unary(submit, submitRequest(submit, "speech"), 10_000));

    assertThat(noToken.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(otherTeam.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
  }

  @Test
  void anAgentCallingAClientRpcIsRefusedAlikeByTheStandbyAndTheLeader() throws Exception {
    Status fromLeader = listJobsAsAgent(secure.agentChannel("node-x"));
    Status fromStandby =
        listJobsAsAgent(secure.agentChannel("node-x", "localhost:" + standby.port()));

    assertThat(fromLeader.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(fromStandby.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(fromStandby.getDescription()).isEqualTo(fromLeader.getDescription());
  }

  private static Status listJobsAsAgent(io.grpc.ManagedChannel channel) {
    return catchThrowableOfType(
            StatusRuntimeException.class,
            () ->
                io.tern.api.v1.JobServiceGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(10, java.util.concurrent.TimeUnit.SECONDS)
                    .listJobs(io.tern.api.v1.ListJobsRequest.getDefaultInstance()))
        .getStatus();
  }
}
