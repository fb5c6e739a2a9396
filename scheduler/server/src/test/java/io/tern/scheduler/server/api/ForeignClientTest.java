package io.tern.scheduler.server.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import com.google.protobuf.DynamicMessage;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tern.scheduler.server.SchedulerServer;
import io.tern.scheduler.server.loop.SchedulerLoop;
import io.tern.scheduler.server.testing.ForeignClient;
import io.tern.scheduler.server.testing.ReplicaCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The API as a client from outside Tern sees it: {@link ForeignClient} (grpc-java, protobuf and
 * server reflection only) against each replica of a real two-replica cluster on a real ZooKeeper,
 * the leader and the standby alike, with no leader redirect to follow.
 */
class ForeignClientTest {
  private ReplicaCluster cluster;
  private SchedulerServer leader;
  private SchedulerServer standby;

  @BeforeEach
  void startTwoReplicas() throws Exception {
    cluster = new ReplicaCluster();
    leader = cluster.leader();
    standby = cluster.replica(Duration.ofSeconds(30));
    await()
        .atMost(ReplicaCluster.WAIT)
        .until(() -> standby.loop().role().get() == SchedulerLoop.Role.FOLLOWER);
  }

  @AfterEach
  void stop() throws Exception {
    cluster.close();
  }

  private ForeignClient client(SchedulerServer replica, Metadata headers) {
    return cluster.track(
        new ForeignClient(
            Grpc.newChannelBuilder(
                    "127.0.0.1:" + replica.port(), InsecureChannelCredentials.create())
                .build(),
            headers));
  }

  private static Metadata user(String name) {
    Metadata headers = new Metadata();
    headers.put(Metadata.Key.of("tern-user", Metadata.ASCII_STRING_MARSHALLER), name);
    return headers;
  }

  private static DynamicMessage spec(Descriptor submitRequest, String name) {
    return ForeignClient.jobSpec(submitRequest, name);
  }

  private static Object field(DynamicMessage message, String name) {
    return message.getField(message.getDescriptorForType().findFieldByName(name));
  }

  @Test
  void everyReplicaServesEveryCallOfAClientThatKnowsOnlyReflection() throws Exception {
    for (SchedulerServer replica : List.of(leader, standby)) {
      ForeignClient client = client(replica, user("alice"));
      assertThat(client.services()).contains("tern.v1.JobService", "tern.v1.ClusterService");
      ServiceDescriptor jobs = client.service("tern.v1.JobService");
      MethodDescriptor submit = jobs.findMethodByName("SubmitJob");
      MethodDescriptor get = jobs.findMethodByName("GetJob");
      MethodDescriptor watch = jobs.findMethodByName("WatchJob");
      MethodDescriptor cancel = jobs.findMethodByName("CancelJob");
      String name = replica == leader ? "via-leader" : "via-standby";

      DynamicMessage submitted =
          client.unary(
              submit,
              ForeignClient.request(submit)
                  .setField(
                      submit.getInputType().findFieldByName("spec"),
                      spec(submit.getInputType(), name))
                  .build(),
              10_000);
      DynamicMessage job = (DynamicMessage) field(submitted, "job");
      String id = (String) field(job, "id");
      // The caller's metadata reached the leader: it names the job's owner.
      assertThat(field(job, "owner")).isEqualTo("alice");

      DynamicMessage byId =
          ForeignClient.request(get)
              .setField(get.getInputType().findFieldByName("job_id"), id)
              .build();
      DynamicMessage got = client.unary(get, byId, 10_000);
      assertThat(field((DynamicMessage) field(got, "spec"), "name")).isEqualTo(name);

      // A stream relayed both ways: the watch sees the job now, then its cancellation, then ends.
      Iterator<DynamicMessage> watched =
          client.stream(
              watch,
              ForeignClient.request(watch)
                  .setField(watch.getInputType().findFieldByName("job_id"), id)
                  .build(),
              10_000);
      assertThat(field(watched.next(), "state").toString()).isEqualTo("JOB_STATE_PENDING");
      client.unary(
          cancel,
          ForeignClient.request(cancel)
              .setField(cancel.getInputType().findFieldByName("job_id"), id)
              .build(),
          10_000);
      List<String> states = new ArrayList<>();
      watched.forEachRemaining(update -> states.add(field(update, "state").toString()));
      assertThat(states).last().isEqualTo("JOB_STATE_CANCELLED");
    }
  }

  @Test
  void aFollowerOfAJobNotStartedWaitsThroughTheStandbyUntilItsDeadline() throws Exception {
    ForeignClient client = client(standby, new Metadata());
    MethodDescriptor logs = client.service("tern.v1.JobService").findMethodByName("StreamLogs");
    MethodDescriptor submit = client.service("tern.v1.JobService").findMethodByName("SubmitJob");
    DynamicMessage job =
        (DynamicMessage)
            field(
                client.unary(
                    submit,
                    ForeignClient.request(submit)
                        .setField(
                            submit.getInputType().findFieldByName("spec"),
                            spec(submit.getInputType(), "waits"))
                        .build(),
                    10_000),
                "job");
    Descriptor request = logs.getInputType();
    Iterator<DynamicMessage> following =
        client.stream(
            logs,
            DynamicMessage.newBuilder(request)
                .setField(request.findFieldByName("job_id"), field(job, "id"))
                .setField(request.findFieldByName("follow"), true)
                .build(),
            1_500);

    long start = System.nanoTime();
    StatusRuntimeException e =
        catchThrowableOfType(StatusRuntimeException.class, following::hasNext);

    // No node runs the job, so the follow waits until the client's deadline ends it.
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(8));
  }

  /** A "gzip" compressor that sends the bytes as they are. */
  private static final io.grpc.CompressorRegistry FALSE_GZIP = falseGzip();

  private static io.grpc.CompressorRegistry falseGzip() {
    io.grpc.CompressorRegistry registry = io.grpc.CompressorRegistry.newEmptyInstance();
    registry.register(
        new io.grpc.Compressor() {
          @Override
          public String getMessageEncoding() {
            return "gzip";
          }

          @Override
          public java.io.OutputStream compress(java.io.OutputStream os) {
            return os;
          }
        });
    return registry;
  }

  @Test
  void malformedRequestsAreInvalidArgumentOnEveryReplicaWithoutASevereLog() throws Exception {
    List<LogRecord> severe = new ArrayList<>();
    Handler capture =
        new Handler() {
          @Override
          public void publish(LogRecord record) {
            if (record.getLevel().intValue() >= Level.SEVERE.intValue()) {
              synchronized (severe) {
                severe.add(record);
              }
            }
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    Logger root = Logger.getLogger("");
    root.addHandler(capture);
    try {
      for (SchedulerServer replica : List.of(leader, standby)) {
        ForeignClient client = client(replica, new Metadata());
        // SubmitJobRequest{spec{name: 0xff}}: a string field that is not UTF-8.
        byte[] badUtf8 = {0x0a, 0x03, 0x0a, 0x01, (byte) 0xff};
        // SubmitJobRequest{spec: 5 bytes promised, 1 given}.
        byte[] truncated = {0x0a, 0x05, 0x0a};
        for (byte[] bytes : List.of(badUtf8, truncated)) {
          StatusRuntimeException e =
              catchThrowableOfType(
                  StatusRuntimeException.class,
                  () -> client.unaryBytes("tern.v1.JobService/SubmitJob", bytes, 10_000));
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
          assertThat(e.getStatus().getDescription())
              .startsWith("request: not a valid tern.v1.SubmitJobRequest message");
        }
        StatusRuntimeException utf8 =
            catchThrowableOfType(
                StatusRuntimeException.class,
                () -> client.unaryBytes("tern.v1.JobService/SubmitJob", badUtf8, 10_000));
        assertThat(utf8.getStatus().getDescription()).contains("UTF-8");

        // GetJobRequest{field 15: 5 MiB of zeros}, gzipped to a few KiB: over the 4 MiB limit
        // once decompressed, as it would be sent plain.
        int size = 5 << 20;
        java.io.ByteArrayOutputStream big = new java.io.ByteArrayOutputStream();
        big.write(0x7a);
        for (int v = size; ; v >>>= 7) {
          if ((v & ~0x7f) == 0) {
            big.write(v);
            break;
          }
          big.write((v & 0x7f) | 0x80);
        }
        big.write(new byte[size]);
        StatusRuntimeException bomb =
            catchThrowableOfType(
                StatusRuntimeException.class,
                () ->
                    client.unaryBytes(
                        "tern.v1.JobService/GetJob", big.toByteArray(), 10_000, "gzip"));
        assertThat(bomb.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);

        // A frame marked gzip whose bytes are not gzip.
        ForeignClient notGzip =
            cluster.track(
                new ForeignClient(
                    Grpc.newChannelBuilder(
                            "127.0.0.1:" + replica.port(), InsecureChannelCredentials.create())
                        .compressorRegistry(FALSE_GZIP)
                        .build(),
                    new Metadata()));
        StatusRuntimeException garbled =
            catchThrowableOfType(
                StatusRuntimeException.class,
                () -> notGzip.unaryBytes("tern.v1.JobService/GetJob", badUtf8, 10_000, "gzip"));
        assertThat(garbled.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(garbled.getStatus().getDescription()).startsWith("request: cannot be read (");
      }
    } finally {
      root.removeHandler(capture);
    }
    synchronized (severe) {
      assertThat(severe).extracting(LogRecord::getMessage).isEmpty();
    }
  }
}
