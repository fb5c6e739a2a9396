package io.tern.scheduler.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.tern.api.v1.AgentMessage;
import io.tern.api.v1.CapacityType;
import io.tern.api.v1.CheckpointCommitFailed;
import io.tern.api.v1.CheckpointCommitted;
import io.tern.api.v1.CheckpointRef;
import io.tern.api.v1.JobStatus;
import io.tern.api.v1.RestoreReport;
import io.tern.api.v1.SchedulerMessage;
import io.tern.api.v1.SpotNotice;
import io.tern.api.v1.StartJob;
import io.tern.api.v1.SubmitJobRequest;
import io.tern.scheduler.server.SchedulerServer;
import io.tern.scheduler.server.metrics.PrometheusText.Family;
import io.tern.scheduler.server.metrics.PrometheusText.Sample;
import io.tern.scheduler.server.testing.Clients;
import io.tern.scheduler.server.testing.FakeAgent;
import io.tern.scheduler.server.testing.ReplicaCluster;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Scrapes a real leader's {@code /metrics} over HTTP after a job ran, checkpointed and got a spot
 * notice, and parses it strictly: every series the operator guide lists is there, typed, with the
 * labels it promises and the counts of what happened.
 */
class SchedulerMetricsTest {
  /** Every family the operator guide lists, with its type. */
  static final Map<String, String> LISTED =
      Map.ofEntries(
          Map.entry("tern_jobs", "gauge"),
          Map.entry("tern_queue_depth", "gauge"),
          Map.entry("tern_nodes", "gauge"),
          Map.entry("tern_plan_seconds", "histogram"),
          Map.entry("tern_placement_wait_seconds", "histogram"),
          Map.entry("tern_zk_commit_seconds", "histogram"),
          Map.entry("tern_zk_commit_failures_total", "counter"),
          Map.entry("tern_spot_notices_total", "counter"),
          Map.entry("tern_spot_reclaims_total", "counter"),
          Map.entry("tern_checkpoint_save_seconds", "histogram"),
          Map.entry("tern_checkpoint_restores_total", "counter"),
          Map.entry("tern_checkpoint_verification_failures_total", "counter"),
          Map.entry("tern_checkpoint_commit_failures_total", "counter"),
          Map.entry("tern_cost_usd", "gauge"),
          Map.entry("tern_grpc_server_handled_total", "counter"),
          Map.entry("tern_grpc_server_handling_seconds", "histogram"),
          Map.entry("tern_submits_total", "counter"),
          Map.entry("tern_leader", "gauge"),
          Map.entry("tern_agent_message_seconds", "summary"),
          Map.entry("jvm_memory_used_bytes", "gauge"),
          Map.entry("jvm_memory_max_bytes", "gauge"),
          Map.entry("jvm_threads_current", "gauge"),
          Map.entry("jvm_gc_collection_seconds_total", "counter"),
          Map.entry("process_cpu_seconds_total", "counter"),
          Map.entry("process_open_fds", "gauge"),
          Map.entry("process_start_time_seconds", "gauge"),
          Map.entry("process_resident_memory_bytes", "gauge"));

  private static String scrape(int port) throws Exception {
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                    .header("Accept", "text/plain; version=0.0.4")
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    return response.body();
  }

  private static double value(Family family, String series, Map<String, String> labels) {
    return family.samples().stream()
        .filter(
            s -> s.name().equals(series) && s.labels().entrySet().containsAll(labels.entrySet()))
        .mapToDouble(Sample::value)
        .sum();
  }

  @Test
  void everyListedSeriesIsScrapedAndParses() throws Exception {
    try (ReplicaCluster cluster = new ReplicaCluster()) {
      SchedulerServer leader =
          cluster.track(
              new SchedulerServer(
                      cluster.config(Duration.ofSeconds(30)).withMetricsPort(0), Clock.systemUTC())
                  .start());
      ReplicaCluster.awaitLeading(leader);
      FakeAgent spot =
          cluster.track(
              new FakeAgent(
                  leader.address(), "spot-1", 2, CapacityType.CAPACITY_TYPE_SPOT, "p4d/a", 10));
      spot.connect();
      Clients clients = cluster.track(new Clients(leader.address()));
      String running =
          clients
              .jobs
              .submitJob(SubmitJobRequest.newBuilder().setSpec(Clients.spec("a", 2)).build())
              .getJob()
              .getId();
      clients
          .jobsNow()
          .submitJob(SubmitJobRequest.newBuilder().setSpec(Clients.spec("b", 2)).build());

      StartJob start = spot.next(SchedulerMessage.KindCase.START_JOB, 15).getStartJob();
      assertThat(start.getJobId()).isEqualTo(running);
      spot.send(
          AgentMessage.newBuilder()
              .setJobStatus(
                  JobStatus.newBuilder()
                      .setJobId(running)
                      .setAttempt(start.getAttempt())
                      .setPhase(JobStatus.Phase.PHASE_STARTED)
                      .setRestore(RestoreReport.getDefaultInstance()))
              .build());
      spot.send(
          AgentMessage.newBuilder()
              .setCheckpointCommitted(
                  CheckpointCommitted.newBuilder()
                      .setJobId(running)
                      .setCheckpoint(
                          CheckpointRef.newBuilder()
                              .setName("step-1")
                              .setAttempt(start.getAttempt())
                              .setCommittedAt(
                                  com.google.protobuf.util.Timestamps.fromMillis(
                                      System.currentTimeMillis()))
                              .setManifestSha256("ab".repeat(32)))
                      .setSaveMillis(1500))
              .build());
      spot.send(
          AgentMessage.newBuilder()
              .setCheckpointCommitFailed(
                  CheckpointCommitFailed.newBuilder()
                      .setJobId(running)
                      .setAttempt(start.getAttempt())
                      .setCheckpoint("step-2")
                      .setError("No space left on device")
                      .setFailures(1))
              .build());
      spot.send(
          AgentMessage.newBuilder()
              .setSpotNotice(SpotNotice.newBuilder().setKind(SpotNotice.Kind.KIND_INSTANCE_ACTION))
              .build());

      await()
          .atMost(ReplicaCluster.WAIT)
          .pollInterval(Duration.ofMillis(300))
          .untilAsserted(
              () -> {
                Map<String, Family> families = PrometheusText.parse(scrape(leader.metricsPort()));
                LISTED.forEach(
                    (name, type) -> {
                      assertThat(families.keySet()).as(name).contains(name);
                      assertThat(families.get(name).type()).as(name).isEqualTo(type);
                      assertThat(families.get(name).help()).as(name).isNotBlank();
                      assertThat(families.get(name).samples()).as(name).isNotEmpty();
                    });
                assertThat(
                        value(families.get("tern_jobs"), "tern_jobs", Map.of("state", "running")))
                    .isEqualTo(1);
                assertThat(
                        value(
                            families.get("tern_queue_depth"),
                            "tern_queue_depth",
                            Map.of("team", "vision", "priority", "normal")))
                    .isEqualTo(1);
                assertThat(
                        value(
                            families.get("tern_nodes"), "tern_nodes", Map.of("state", "draining")))
                    .isEqualTo(1);
                assertThat(
                        value(
                            families.get("tern_spot_notices_total"),
                            "tern_spot_notices_total",
                            Map.of("kind", "instance_action")))
                    .isEqualTo(1);
                assertThat(
                        value(
                            families.get("tern_spot_reclaims_total"),
                            "tern_spot_reclaims_total",
                            Map.of()))
                    .isEqualTo(1);
                assertThat(
                        value(
                            families.get("tern_checkpoint_save_seconds"),
                            "tern_checkpoint_save_seconds_sum",
                            Map.of()))
                    .isEqualTo(1.5);
                assertThat(
                        value(
                            families.get("tern_checkpoint_restores_total"),
                            "tern_checkpoint_restores_total",
                            Map.of("result", "fresh")))
                    .isEqualTo(1);
                assertThat(
                        value(
                            families.get("tern_grpc_server_handled_total"),
                            "tern_grpc_server_handled_total",
                            Map.of("method", "tern.v1.JobService/SubmitJob", "code", "OK")))
                    .isEqualTo(2);
                assertThat(
                        value(
                            families.get("tern_placement_wait_seconds"),
                            "tern_placement_wait_seconds_count",
                            Map.of()))
                    .isGreaterThanOrEqualTo(1);
                assertThat(
                        value(
                            families.get("tern_zk_commit_seconds"),
                            "tern_zk_commit_seconds_count",
                            Map.of()))
                    .isPositive();
                assertThat(
                        value(
                            families.get("tern_plan_seconds"), "tern_plan_seconds_count", Map.of()))
                    .isPositive();
                assertThat(
                        value(
                            families.get("tern_cost_usd"),
                            "tern_cost_usd",
                            Map.of("team", "vision", "capacity", "spot")))
                    .isPositive();
                assertThat(
                        value(
                            families.get("tern_checkpoint_commit_failures_total"),
                            "tern_checkpoint_commit_failures_total",
                            Map.of("kind", "full")))
                    .isEqualTo(1);
                assertThat(families.get("tern_grpc_server_handled_total").samples())
                    .extracting(sample -> sample.labels().get("code"))
                    .containsOnly("OK");
                assertThat(families.get("jvm_memory_used_bytes").samples())
                    .extracting(s -> s.labels().get("area"))
                    .contains("heap", "nonheap");
              });
    }
  }

  @Test
  void aStandbyReportsNoStateGaugesSoSumsCountEachJobOnce() throws Exception {
    try (ReplicaCluster cluster = new ReplicaCluster()) {
      ReplicaCluster.awaitLeading(
          cluster.track(
              new SchedulerServer(cluster.config(Duration.ofSeconds(30)), Clock.systemUTC())
                  .start()));
      SchedulerServer standby =
          cluster.track(
              new SchedulerServer(
                      cluster.config(Duration.ofSeconds(30)).withMetricsPort(0), Clock.systemUTC())
                  .start());

      Map<String, Family> families = PrometheusText.parse(scrape(standby.metricsPort()));

      assertThat(families.get("tern_leader").samples())
          .extracting(Sample::value)
          .containsExactly(0.0);
      // A family without samples is left out of the exposition altogether.
      assertThat(families.keySet())
          .contains("tern_plan_seconds", "jvm_memory_used_bytes")
          .doesNotContain("tern_jobs", "tern_queue_depth", "tern_nodes", "tern_cost_usd");
    }
  }

  @Test
  void theParserRefusesWhatIsNotTheTextFormat() {
    assertThatThrownBy(() -> PrometheusText.parse("tern_x 1\n"))
        .hasMessageContaining("no TYPE declared for tern_x");
    assertThatThrownBy(() -> PrometheusText.parse("# TYPE tern_x gauge\ntern_x{a=b} 1\n"))
        .hasMessageContaining("malformed labels");
    assertThatThrownBy(() -> PrometheusText.parse("# TYPE tern_x counter\ntern_x_bucket 1\n"))
        .hasMessageContaining("no TYPE declared for tern_x_bucket");
    assertThatThrownBy(() -> PrometheusText.parse("# TYPE tern_x gauge\ntern_x one\n"))
        .hasMessageContaining("not a value");
    assertThat(PrometheusText.parse("# HELP tern_x it\n# TYPE tern_x gauge\ntern_x{a=\"b\"} 1\n"))
        .containsKey("tern_x");
  }
}
