package io.tern.scheduler.server.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import com.google.protobuf.DynamicMessage;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tern.checkpoint.workdir.FsWorkdirStore;
import io.tern.checkpoint.workdir.WorkdirStore;
import io.tern.scheduler.server.SchedulerServer;
import io.tern.scheduler.server.testing.ForeignClient;
import io.tern.scheduler.server.testing.ReplicaCluster;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job and node verbs and the code upload as a client from outside Tern calls them: grpc-java,
 * server reflection and DynamicMessage only ({@link ForeignClient}), against a real replica on a
 * real ZooKeeper. No agent runs, so a submitted job stays queued.
 */
class ForeignClientVerbsTest {
  @TempDir Path store;
  private ReplicaCluster cluster;
  private SchedulerServer leader;
  private ForeignClient client;

  @BeforeEach
  void start() throws Exception {
    cluster = new ReplicaCluster();
    leader =
        cluster.track(
            new SchedulerServer(cluster.config(Duration.ofSeconds(30)), Clock.systemUTC())
                .withWorkdirs(new FsWorkdirStore(store))
                .start());
    ReplicaCluster.awaitLeading(leader);
    client = client(leader);
  }

  @AfterEach
  void stop() throws Exception {
    cluster.close();
  }

  private ForeignClient client(SchedulerServer replica) {
    Metadata headers = new Metadata();
    headers.put(Metadata.Key.of("tern-user", Metadata.ASCII_STRING_MARSHALLER), "alice");
    return cluster.track(
        new ForeignClient(
            Grpc.newChannelBuilder(
                    "127.0.0.1:" + replica.port(), InsecureChannelCredentials.create())
                .build(),
            headers));
  }

  private static Object field(DynamicMessage message, String name) {
    return message.getField(message.getDescriptorForType().findFieldByName(name));
  }

  private static DynamicMessage call(
      ForeignClient client, MethodDescriptor method, Object... fieldsAndValues) {
    DynamicMessage.Builder request = ForeignClient.request(method);
    Descriptor type = method.getInputType();
    for (int i = 0; i < fieldsAndValues.length; i += 2) {
      var f = type.findFieldByName((String) fieldsAndValues[i]);
      Object value = fieldsAndValues[i + 1];
      boolean isEnum = f.getType() == com.google.protobuf.Descriptors.FieldDescriptor.Type.ENUM;
      request.setField(f, isEnum ? f.getEnumType().findValueByName((String) value) : value);
    }
    return client.unary(method, request.build(), 10_000);
  }

  private String submit(ServiceDescriptor jobs) {
    MethodDescriptor submit = jobs.findMethodByName("SubmitJob");
    DynamicMessage job = ForeignClient.jobSpec(submit.getInputType(), "verbs");
    DynamicMessage submitted = call(client, submit, "spec", job, "allow_unfit", true);
    return (String) field((DynamicMessage) field(submitted, "job"), "id");
  }

  @Test
  void holdReleaseUpdateRequeueAndUndrainAnswerAsTheProtoSays() throws Exception {
    ServiceDescriptor jobs = client.service("tern.v1.JobService");
    ServiceDescriptor nodes = client.service("tern.v1.ClusterService");
    String id = submit(jobs);

    DynamicMessage held =
        call(client, jobs.findMethodByName("HoldJob"), "job_id", id, "reason", "data not ready");
    DynamicMessage released = call(client, jobs.findMethodByName("ReleaseJob"), "job_id", id);
    DynamicMessage updated =
        call(
            client,
            jobs.findMethodByName("UpdateJob"),
            "job_id",
            id,
            "priority",
            "PRIORITY_HIGH",
            "retries",
            2);
    StatusRuntimeException requeue =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () -> call(client, jobs.findMethodByName("RequeueJob"), "job_id", id));
    StatusRuntimeException undrain =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () -> call(client, nodes.findMethodByName("UndrainNode"), "node_id", "gpu-9"));

    assertThat(field(held, "state").toString()).isEqualTo("JOB_STATE_HELD");
    assertThat(field(released, "state").toString()).isEqualTo("JOB_STATE_PENDING");
    DynamicMessage spec = (DynamicMessage) field(updated, "spec");
    assertThat(field(spec, "priority").toString()).isEqualTo("PRIORITY_HIGH");
    assertThat(field(spec, "retries")).isEqualTo(2);
    assertThat(requeue.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(undrain.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
  }

  @Test
  void codeIsUploadedInChunksOnceAndAWrongDigestIsRefused() throws Exception {
    ServiceDescriptor workdirs = client.service("tern.v1.WorkdirService");
    MethodDescriptor has = workdirs.findMethodByName("HasWorkdir");
    MethodDescriptor upload = workdirs.findMethodByName("UploadWorkdir");
    byte[] bytes = "an archive, as far as the server cares".getBytes(StandardCharsets.UTF_8);
    String digest = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    Descriptor chunk = upload.getInputType();
    List<DynamicMessage> messages =
        List.of(
            DynamicMessage.newBuilder(chunk)
                .setField(chunk.findFieldByName("digest"), digest)
                .setField(chunk.findFieldByName("size"), (long) bytes.length)
                .setField(chunk.findFieldByName("chunk"), ByteString.copyFrom(bytes, 0, 10))
                .build(),
            DynamicMessage.newBuilder(chunk)
                .setField(
                    chunk.findFieldByName("chunk"),
                    ByteString.copyFrom(bytes, 10, bytes.length - 10))
                .build());

    DynamicMessage before = call(client, has, "digest", digest);
    DynamicMessage first = client.clientStream(upload, messages, 10_000);
    DynamicMessage second = client.clientStream(upload, messages, 10_000);
    DynamicMessage after = call(client, has, "digest", digest);
    StatusRuntimeException wrong =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () ->
                client.clientStream(
                    upload,
                    List.of(
                        messages.get(0).toBuilder()
                            .setField(chunk.findFieldByName("digest"), "0".repeat(64))
                            .build(),
                        messages.get(1)),
                    10_000));

    assertThat(field(before, "present")).isEqualTo(false);
    assertThat(field(first, "stored")).isEqualTo(true);
    assertThat(field(second, "stored")).as("the store held it already").isEqualTo(false);
    assertThat(field(after, "present")).isEqualTo(true);
    assertThat(Files.readAllBytes(store.resolve(WorkdirStore.key(digest)))).isEqualTo(bytes);
    assertThat(wrong.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(wrong.getStatus().getDescription())
        .startsWith("digest: the bytes received hash to " + digest);
    assertThat(leader.workdirsStored()).isEqualTo(1);
  }

  @Test
  void aSpecNamingCodeTheStoreLacksIsRefusedAtTheSubmit() throws Exception {
    MethodDescriptor submit = client.service("tern.v1.JobService").findMethodByName("SubmitJob");
    byte[] bytes = "code shipped later".getBytes(StandardCharsets.UTF_8);
    String digest = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    DynamicMessage spec = ForeignClient.jobSpec(submit.getInputType(), "shipped");
    DynamicMessage withCode =
        spec.toBuilder()
            .setField(spec.getDescriptorForType().findFieldByName("workdir_digest"), digest)
            .build();

    StatusRuntimeException missing =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () -> call(client, submit, "spec", withCode, "allow_unfit", true));
    MethodDescriptor upload =
        client.service("tern.v1.WorkdirService").findMethodByName("UploadWorkdir");
    Descriptor chunk = upload.getInputType();
    client.clientStream(
        upload,
        List.of(
            DynamicMessage.newBuilder(chunk)
                .setField(chunk.findFieldByName("digest"), digest)
                .setField(chunk.findFieldByName("size"), (long) bytes.length)
                .setField(chunk.findFieldByName("chunk"), ByteString.copyFrom(bytes))
                .build()),
        10_000);
    DynamicMessage accepted = call(client, submit, "spec", withCode, "allow_unfit", true);

    assertThat(missing.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(missing.getStatus().getDescription())
        .startsWith("spec.workdirDigest: the checkpoint store holds no code sha256-" + digest);
    DynamicMessage job = (DynamicMessage) field(accepted, "job");
    assertThat(field((DynamicMessage) field(job, "spec"), "workdir_digest")).isEqualTo(digest);
  }

  @Test
  void aReplicaWithoutAStoreRefusesASpecNamingCode() throws Exception {
    ReplicaCluster bare = new ReplicaCluster();
    try (bare) {
      SchedulerServer alone =
          bare.track(
              new SchedulerServer(bare.config(Duration.ofSeconds(30)), Clock.systemUTC()).start());
      ReplicaCluster.awaitLeading(alone);
      ForeignClient other = client(alone);
      MethodDescriptor submit = other.service("tern.v1.JobService").findMethodByName("SubmitJob");
      DynamicMessage spec = ForeignClient.jobSpec(submit.getInputType(), "shipped");
      DynamicMessage withCode =
          spec.toBuilder()
              .setField(
                  spec.getDescriptorForType().findFieldByName("workdir_digest"), "a".repeat(64))
              .build();

      StatusRuntimeException e =
          catchThrowableOfType(
              StatusRuntimeException.class,
              () -> call(other, submit, "spec", withCode, "allow_unfit", true));

      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
      assertThat(e.getStatus().getDescription())
          .startsWith("spec.workdirDigest: this scheduler keeps no code");
    }
  }

  @Test
  void aReplicaWithoutAStoreRefusesCodeSayingWhy() throws Exception {
    SchedulerServer bare = cluster.replica(Duration.ofSeconds(30));
    ForeignClient other = client(bare);
    MethodDescriptor has = other.service("tern.v1.WorkdirService").findMethodByName("HasWorkdir");

    StatusRuntimeException e =
        catchThrowableOfType(StatusRuntimeException.class, () -> call(other, has, "digest", ""));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
    assertThat(e.getStatus().getDescription()).contains("--checkpoint-store");
  }
}
