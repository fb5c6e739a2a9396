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
    return client.unary(method, request(method, fieldsAndValues), 10_000);
  }

  /**
   * {@code method}'s request with the fields named set: an enum by its value's name (or a value
   * descriptor), a repeated field to the one value given.
   */
  private static DynamicMessage request(MethodDescriptor method, Object... fieldsAndValues) {
    DynamicMessage.Builder request = ForeignClient.request(method);
    Descriptor type = method.getInputType();
    for (int i = 0; i < fieldsAndValues.length; i += 2) {
      var f = type.findFieldByName((String) fieldsAndValues[i]);
      Object value = fieldsAndValues[i + 1];
      if (value instanceof String name
          && f.getType() == com.google.protobuf.Descriptors.FieldDescriptor.Type.ENUM) {
        value = f.getEnumType().findValueByName(name);
      }
      if (f.isRepeated()) {
        request.addRepeatedField(f, value);
      } else {
        request.setField(f, value);
      }
    }
    return request.build();
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

  /** The status {@code request} is refused with. */
  private Status refusal(MethodDescriptor method, DynamicMessage request) {
    return catchThrowableOfType(
            StatusRuntimeException.class, () -> client.unary(method, request, 10_000))
        .getStatus();
  }

  /** A google.protobuf.Duration or Timestamp for {@code field} of {@code method}'s request. */
  private static DynamicMessage time(
      MethodDescriptor method, String field, long seconds, int nanos) {
    Descriptor type = method.getInputType().findFieldByName(field).getMessageType();
    return DynamicMessage.newBuilder(type)
        .setField(type.findFieldByName("seconds"), seconds)
        .setField(type.findFieldByName("nanos"), nanos)
        .build();
  }

  @Test
  void enumNumbersTimesAndTeamsThatCannotBeAreRefusedNamingTheField() throws Exception {
    ServiceDescriptor jobs = client.service("tern.v1.JobService");
    String id = submit(jobs);
    MethodDescriptor update = jobs.findMethodByName("UpdateJob");
    var priority = update.getInputType().findFieldByName("priority");
    MethodDescriptor list = jobs.findMethodByName("ListJobs");
    MethodDescriptor createToken =
        client.service("tern.v1.AdminService").findMethodByName("CreateToken");
    MethodDescriptor costs =
        client.service("tern.v1.FinOpsService").findMethodByName("GetCostReport");
    MethodDescriptor submit = jobs.findMethodByName("SubmitJob");
    DynamicMessage spec = ForeignClient.jobSpec(submit.getInputType(), "forever");
    var maxRuntime = spec.getDescriptorForType().findFieldByName("max_runtime");

    Status unknownPriority =
        refusal(
            update,
            request(
                update,
                "job_id",
                id,
                "priority",
                priority.getEnumType().findValueByNumberCreatingIfUnknown(55)));
    Status negativeNanos =
        refusal(
            list,
            request(list, "submitted_after", time(list, "submitted_after", 1_700_000_000L, -3)));
    Status mixedSigns =
        refusal(
            createToken,
            request(
                createToken,
                "user",
                "bob",
                "teams",
                "vision",
                "ttl",
                time(createToken, "ttl", 5, -5)));
    Status noSuchTeam = refusal(costs, request(costs, "team", "NO SUCH"));
    MethodDescriptor queue = client.service("tern.v1.ClusterService").findMethodByName("GetQueue");
    MethodDescriptor history = jobs.findMethodByName("ExportHistory");
    List<Status> teamFilters =
        List.of(
            refusal(list, request(list, "team", "NO SUCH")),
            refusal(queue, request(queue, "team", "NO SUCH")),
            refusal(
                history,
                request(
                    history,
                    "since",
                    time(history, "since", 1_700_000_000L, 0),
                    "team",
                    "NO SUCH")));
    assertThat(teamFilters)
        .extracting(status -> status.getCode() + " " + status.getDescription())
        .as("a filter on a team no job can have is a typo, as for the cost report")
        .containsOnly(
            "INVALID_ARGUMENT team: may contain only lower-case letters, digits, '_' and '-' (and"
                + " start with one), got \"NO SUCH\"");
    DynamicMessage forever =
        spec.toBuilder()
            .setField(
                maxRuntime,
                DynamicMessage.newBuilder(maxRuntime.getMessageType())
                    .setField(
                        maxRuntime.getMessageType().findFieldByName("seconds"), 1_000_000_000_000L)
                    .build())
            .build();
    Status tooLong = refusal(submit, request(submit, "spec", forever));

    assertThat(List.of(unknownPriority, negativeNanos, mixedSigns, noSuchTeam, tooLong))
        .extracting(status -> status.getCode() + " " + status.getDescription())
        .containsExactly(
            "INVALID_ARGUMENT priority: 55 is not a Priority; use one of PRIORITY_HIGH,"
                + " PRIORITY_NORMAL, PRIORITY_LOW",
            "INVALID_ARGUMENT submitted_after: is not a valid time (seconds 1700000000, nanos -3):"
                + " nanos must lie between 0 and 999999999",
            "INVALID_ARGUMENT ttl: is not a valid duration (seconds 5, nanos -5): nanos must lie"
                + " within one second, with the sign of seconds",
            "INVALID_ARGUMENT team: may contain only lower-case letters, digits, '_' and '-' (and"
                + " start with one), got \"NO SUCH\"",
            "INVALID_ARGUMENT spec.maxRuntime: must be at most 366 days (8784h), got"
                + " 1000000000000s");
  }

  @Test
  void aUserNameThatCannotBeOneIsRefusedNamingTheHeader() throws Exception {
    MethodDescriptor list =
        client(leader).service("tern.v1.JobService").findMethodByName("ListJobs");
    for (String name : List.of("../../root", "a b<script>", "x".repeat(65))) {
      Metadata headers = new Metadata();
      headers.put(Metadata.Key.of("tern-user", Metadata.ASCII_STRING_MARSHALLER), name);
      ForeignClient stranger =
          cluster.track(
              new ForeignClient(
                  Grpc.newChannelBuilder(
                          "127.0.0.1:" + leader.port(), InsecureChannelCredentials.create())
                      .build(),
                  headers));
      StatusRuntimeException e =
          catchThrowableOfType(
              StatusRuntimeException.class, () -> stranger.unary(list, request(list), 10_000));
      assertThat(e.getStatus().getCode()).as(name).isEqualTo(Status.Code.INVALID_ARGUMENT);
      assertThat(e.getStatus().getDescription()).startsWith("tern-user: ");
    }
  }

  @Test
  void aLongValueIsCutWhereAnErrorRepeatsIt() throws Exception {
    // Repeated whole, 20,000 characters made the error too large for the client's trailer limit:
    // the client then saw a broken stream (INTERNAL, RST_STREAM) instead of the refusal.
    String longId = "x".repeat(20_000);
    ServiceDescriptor jobs = client.service("tern.v1.JobService");
    MethodDescriptor get = jobs.findMethodByName("GetJob");
    MethodDescriptor list = jobs.findMethodByName("ListJobs");
    MethodDescriptor drain = client.service("tern.v1.ClusterService").findMethodByName("DrainNode");

    List<Status> refusals =
        List.of(
            refusal(get, request(get, "job_id", longId)),
            refusal(list, request(list, "array_id", longId)),
            refusal(drain, request(drain, "node_id", longId)));

    assertThat(refusals)
        .extracting(Status::getCode)
        .containsExactly(
            Status.Code.INVALID_ARGUMENT, Status.Code.INVALID_ARGUMENT, Status.Code.NOT_FOUND);
    assertThat(refusals.get(0).getDescription())
        .startsWith("job_id: expected an id like job-000042, got \"xxx")
        .endsWith("...\"")
        .hasSizeLessThan(300);
    assertThat(refusals.get(1).getDescription()).startsWith("array_id: ").hasSizeLessThan(300);
    assertThat(refusals.get(2).getDescription()).startsWith("no node xxx").hasSizeLessThan(300);
  }

  @Test
  void codeIsUploadedInChunksOnceAndAWrongDigestIsRefused() throws Exception {
    ServiceDescriptor workdirs = client.service("tern.v1.WorkdirService");
    MethodDescriptor has = workdirs.findMethodByName("HasWorkdir");
    MethodDescriptor upload = workdirs.findMethodByName("UploadWorkdir");
    byte[] bytes = zip("train.py", "print('an archive a job can run')");
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
    Path archive = store.resolve(WorkdirStore.key(digest));
    java.time.Instant longAgo = java.time.Instant.parse("2020-01-01T00:00:00Z");
    Files.setLastModifiedTime(archive, java.nio.file.attribute.FileTime.from(longAgo));
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
    assertThat(Files.getLastModifiedTime(archive).toInstant())
        .as("a submit about to name it marks it used: no prune of unused code deletes it now")
        .isAfter(longAgo);
    assertThat(Files.readAllBytes(archive)).isEqualTo(bytes);
    assertThat(wrong.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(wrong.getStatus().getDescription())
        .startsWith("digest: the bytes received hash to " + digest);
    assertThat(leader.workdirsStored()).isEqualTo(1);

    // Bytes that hash right but are no archive a job can run are refused, not stored.
    byte[] notZip = "an archive, as far as the client cares".getBytes(StandardCharsets.UTF_8);
    String notZipDigest =
        HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(notZip));
    StatusRuntimeException unrunnable =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () ->
                client.clientStream(
                    upload,
                    List.of(
                        DynamicMessage.newBuilder(chunk)
                            .setField(chunk.findFieldByName("digest"), notZipDigest)
                            .setField(chunk.findFieldByName("size"), (long) notZip.length)
                            .setField(chunk.findFieldByName("chunk"), ByteString.copyFrom(notZip))
                            .build()),
                    10_000));
    assertThat(unrunnable.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(unrunnable.getStatus().getDescription())
        .startsWith("chunk: not code a job can run: not a readable ZIP archive");
    assertThat(field(call(client, has, "digest", notZipDigest), "present")).isEqualTo(false);
    // A digest is the first message's only.
    StatusRuntimeException twice =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () ->
                client.clientStream(
                    upload,
                    List.of(
                        messages.get(0),
                        messages.get(1).toBuilder()
                            .setField(chunk.findFieldByName("digest"), "0".repeat(64))
                            .build()),
                    10_000));
    assertThat(twice.getStatus().getDescription())
        .isEqualTo("digest: only in the upload's first message");
    assertThat(leader.workdirsStored()).isEqualTo(1);
  }

  /** A ZIP archive holding one file. */
  private static byte[] zip(String name, String content) throws java.io.IOException {
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    try (java.util.zip.ZipOutputStream zip = new java.util.zip.ZipOutputStream(bytes)) {
      zip.putNextEntry(new java.util.zip.ZipEntry(name));
      zip.write(content.getBytes(StandardCharsets.UTF_8));
      zip.closeEntry();
    }
    return bytes.toByteArray();
  }

  @Test
  void aSpecNamingCodeTheStoreLacksIsRefusedAtTheSubmit() throws Exception {
    MethodDescriptor submit = client.service("tern.v1.JobService").findMethodByName("SubmitJob");
    byte[] bytes = zip("train.py", "print('code shipped later')");
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
