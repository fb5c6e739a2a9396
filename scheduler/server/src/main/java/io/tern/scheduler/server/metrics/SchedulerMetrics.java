package io.tern.scheduler.server.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.core.metrics.Summary;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tern.scheduler.server.loop.ClusterFigures;
import io.tern.scheduler.server.loop.LoopEvents;
import io.tern.scheduler.server.loop.SpotCounters;
import java.io.IOException;
import java.time.Duration;
import java.util.Locale;
import java.util.function.DoubleSupplier;

/**
 * The scheduler's Prometheus metrics, served at {@code http://HOST:PORT/metrics}. Each replica has
 * its own registry, so several replicas can live in one JVM (tests). The list of series, with what
 * each means, is in deploy/README.md; {@code SchedulerMetricsTest} scrapes and parses every one.
 *
 * <p>Counters and histograms count what this replica saw; the state gauges ({@code tern_jobs},
 * {@code tern_queue_depth}, {@code tern_nodes}, {@code tern_cost_usd}) are counted at scrape time
 * on the leader and are absent on a standby, so that summing over replicas counts each job once.
 */
public final class SchedulerMetrics implements LoopEvents, AutoCloseable {
  private static final double[] LATENCY_BUCKETS = {
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10
  };
  private static final double[] WAIT_BUCKETS = {
    0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600, 4 * 3600, 12 * 3600, 24 * 3600
  };
  private static final double[] SAVE_BUCKETS = {0.1, 0.5, 1, 5, 10, 30, 60, 120, 300, 900};

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final Counter submits;
  private final Summary agentMessages;
  private final Counter budgetStatusChanges;
  private final Counter checkpointCommitFailures;
  private final Histogram planSeconds;
  private final Histogram placementWait;
  private final Histogram zkCommitSeconds;
  private final Counter zkCommitFailures;
  private final Counter spotNotices;
  private final Counter spotReclaims;
  private final Histogram checkpointSave;
  private final Counter checkpointRestores;
  private final Counter checkpointVerificationFailures;
  private final Counter retiredJobs;
  private final Counter retiredCheckpoints;
  private final Counter deletedCodeArchives;
  private final GrpcMetrics grpc;
  private HTTPServer server;

  public SchedulerMetrics(DoubleSupplier isLeader, DoubleSupplier lastPlanSeconds) {
    agentMessages =
        Summary.builder()
            .name("tern_agent_message_seconds")
            .help("From an agent message's arrival to its handling on the scheduler loop")
            .quantile(0.5, 0.01)
            .quantile(0.99, 0.001)
            .register(registry);
    GaugeWithCallback.builder()
        .name("tern_heap_used_bytes")
        .help("Java heap in use (also jvm_memory_used_bytes{area=\"heap\"})")
        .callback(
            cb ->
                cb.call(
                    java.lang.management.ManagementFactory.getMemoryMXBean()
                        .getHeapMemoryUsage()
                        .getUsed()))
        .register(registry);
    submits =
        Counter.builder()
            .name("tern_submits_total")
            .help(
                "SubmitJob calls that passed validation and the team check and went to the"
                    + " scheduler loop (which may still refuse them, e.g. on a standby); accepted"
                    + " submits are tern_grpc_server_handled_total{method=\"tern.v1.JobService/"
                    + "SubmitJob\",code=\"OK\"}")
            .register(registry);
    budgetStatusChanges =
        Counter.builder()
            .name("tern_budget_status_changes_total")
            .help("Times a team's budget status changed, by the status it changed to")
            .labelNames("status")
            .register(registry);
    checkpointCommitFailures =
        Counter.builder()
            .name("tern_checkpoint_commit_failures_total")
            .help(
                "Failed checkpoint commits reported by agents, by kind: full (the store is out of"
                    + " space or quota), fenced (a replaced attempt), other")
            .labelNames("kind")
            .register(registry);
    GaugeWithCallback.builder()
        .name("tern_leader")
        .help("1 while this replica leads")
        .callback(cb -> cb.call(isLeader.getAsDouble()))
        .register(registry);
    GaugeWithCallback.builder()
        .name("tern_last_plan_seconds")
        .help("How long the last scheduling plan took")
        .callback(cb -> cb.call(lastPlanSeconds.getAsDouble()))
        .register(registry);
    planSeconds =
        Histogram.builder()
            .name("tern_plan_seconds")
            .help("How long the core took to compute each scheduling plan")
            .classicUpperBounds(LATENCY_BUCKETS)
            .register(registry);
    placementWait =
        Histogram.builder()
            .name("tern_placement_wait_seconds")
            .help(
                "From a job joining the queue (submitted, or its last attempt ended) to its"
                    + " placement")
            .classicUpperBounds(WAIT_BUCKETS)
            .register(registry);
    zkCommitSeconds =
        Histogram.builder()
            .name("tern_zk_commit_seconds")
            .help("From sending a batch of state writes to ZooKeeper to its answer")
            .classicUpperBounds(LATENCY_BUCKETS)
            .register(registry);
    zkCommitFailures =
        Counter.builder()
            .name("tern_zk_commit_failures_total")
            .help("Batches of state writes ZooKeeper refused or never answered")
            .register(registry);
    spotNotices =
        Counter.builder()
            .name("tern_spot_notices_total")
            .help("Spot notices agents reported, by kind: instance_action or rebalance")
            .labelNames("kind")
            .register(registry);
    spotReclaims =
        Counter.builder()
            .name("tern_spot_reclaims_total")
            .help("Spot nodes the cloud announced it will reclaim (instance-action notices)")
            .register(registry);
    checkpointSave =
        Histogram.builder()
            .name("tern_checkpoint_save_seconds")
            .help(
                "How long jobs took to write each committed checkpoint (signal or previous"
                    + " checkpoint to .done), as agents report; store commit and restore times"
                    + " are on each agent's /metrics")
            .classicUpperBounds(SAVE_BUCKETS)
            .register(registry);
    checkpointRestores =
        Counter.builder()
            .name("tern_checkpoint_restores_total")
            .help(
                "Attempts started, by what their agent restored: restored (a checkpoint) or fresh")
            .labelNames("result")
            .register(registry);
    checkpointVerificationFailures =
        Counter.builder()
            .name("tern_checkpoint_verification_failures_total")
            .help("Checkpoints passed over at a restore because they failed verification")
            .register(registry);
    retiredJobs =
        Counter.builder()
            .name("tern_checkpoint_retired_jobs_total")
            .help(
                "Finished jobs whose checkpoints the leader deleted from the store"
                    + " (tern scheduler --keep-checkpoints)")
            .register(registry);
    retiredCheckpoints =
        Counter.builder()
            .name("tern_checkpoint_retired_checkpoints_total")
            .help("Checkpoints of finished jobs the leader deleted from the store")
            .register(registry);
    deletedCodeArchives =
        Counter.builder()
            .name("tern_code_archives_deleted_total")
            .help(
                "Shipped code archives (workdirs) the leader deleted from the store, unused for"
                    + " --keep-checkpoints")
            .register(registry);
    grpc = new GrpcMetrics(registry);
    JvmMetrics.register(registry);
  }

  /** Counts every gRPC call by method and status code; add it to the server. */
  public GrpcMetrics grpc() {
    return grpc;
  }

  /** One agent message handled, {@code nanos} after it arrived. */
  public void agentMessageHandled(long nanos) {
    agentMessages.observe(nanos / 1e9);
  }

  public void submitted() {
    submits.inc();
  }

  /** A team's budget status changed to {@code status} (ok, soft or hard). */
  public void budgetStatusChanged(String status) {
    budgetStatusChanges.labelValues(status).inc();
  }

  /**
   * Registers the spot and deadline policy's figures: {@code tern_jobs_waiting_for_spot} and {@code
   * tern_jobs_deadline_on_demand} (queued jobs, as of the last plan), {@code
   * tern_spot_returns_total} (attempts moved back to spot) and {@code
   * tern_deadline_migrations_total} (attempts moved to on-demand for their deadline).
   */
  public void spot(SpotCounters spot) {
    GaugeWithCallback.builder()
        .name("tern_jobs_waiting_for_spot")
        .help("Queued jobs waiting for spot capacity by choice (deadline slack, spot wait)")
        .callback(cb -> cb.call(spot.waitingForSpot()))
        .register(registry);
    GaugeWithCallback.builder()
        .name("tern_jobs_deadline_on_demand")
        .help("Queued jobs sent to on-demand because their deadline slack was gone")
        .callback(cb -> cb.call(spot.deadlineOnDemand()))
        .register(registry);
    CounterWithCallback.builder()
        .name("tern_spot_returns")
        .help("Running on-demand attempts checkpointed to move back to spot")
        .callback(cb -> cb.call(spot.returnsToSpot()))
        .register(registry);
    CounterWithCallback.builder()
        .name("tern_deadline_migrations")
        .help("Running spot attempts checkpointed to move to on-demand for their deadline")
        .callback(cb -> cb.call(spot.deadlineMigrations()))
        .register(registry);
  }

  /**
   * Registers the leader's state gauges, counted at scrape time by {@code figures}: {@code
   * tern_jobs{state}}, {@code tern_queue_depth{team,priority}}, {@code tern_nodes{state}} and
   * {@code tern_cost_usd{team,capacity}}. One count serves the four gauges of a scrape.
   */
  public void state(StateScrape figures) {
    GaugeWithCallback.builder()
        .name("tern_jobs")
        .help("Jobs the leader knows, by state")
        .labelNames("state")
        .callback(
            cb ->
                figures
                    .now()
                    .ifPresent(
                        f ->
                            f.jobs()
                                .forEach(
                                    (state, n) -> cb.call(n, label(state.name(), "JOB_STATE_")))))
        .register(registry);
    GaugeWithCallback.builder()
        .name("tern_queue_depth")
        .help("Queued jobs (pending or held), by team and priority")
        .labelNames("team", "priority")
        .callback(
            cb ->
                figures
                    .now()
                    .ifPresent(
                        f -> f.queue().forEach((key, n) -> cb.call(n, key.get(0), key.get(1)))))
        .register(registry);
    GaugeWithCallback.builder()
        .name("tern_nodes")
        .help("Registered nodes, by state")
        .labelNames("state")
        .callback(
            cb ->
                figures
                    .now()
                    .ifPresent(
                        f ->
                            f.nodes()
                                .forEach(
                                    (state, n) -> cb.call(n, label(state.name(), "NODE_STATE_")))))
        .register(registry);
    GaugeWithCallback.builder()
        .name("tern_cost_usd")
        .help(
            "Cost in the ledger (attempts of the retention window), by team and capacity type"
                + " (spot or on_demand)")
        .labelNames("team", "capacity")
        .callback(
            cb ->
                figures
                    .now()
                    .ifPresent(
                        f ->
                            f.costUsd()
                                .forEach((key, usd) -> cb.call(usd, key.get(0), key.get(1)))))
        .register(registry);
  }

  private static String label(String enumName, String prefix) {
    return enumName.substring(prefix.length()).toLowerCase(Locale.ROOT);
  }

  /** An agent reported a failed checkpoint commit of {@code kind} (full, fenced or other). */
  public void checkpointCommitFailed(String kind) {
    checkpointCommitFailures.labelValues(kind).inc();
  }

  @Override
  public void planned(long nanos) {
    planSeconds.observe(nanos / 1e9);
  }

  @Override
  public void placed(Duration waited) {
    placementWait.observe(Math.max(0, waited.toNanos() / 1e9));
  }

  @Override
  public void zkCommitted(long nanos, boolean ok) {
    zkCommitSeconds.observe(nanos / 1e9);
    if (!ok) {
      zkCommitFailures.inc();
    }
  }

  @Override
  public void spotNotice(String kind) {
    spotNotices.labelValues(kind).inc();
    if (kind.equals("instance_action")) {
      spotReclaims.inc();
    }
  }

  @Override
  public void checkpointCommitted(long saveMillis) {
    checkpointSave.observe(Math.max(0, saveMillis) / 1e3);
  }

  @Override
  public void restoreReported(boolean restored, int failedVerification) {
    checkpointRestores.labelValues(restored ? "restored" : "fresh").inc();
    if (failedVerification > 0) {
      checkpointVerificationFailures.inc(failedVerification);
    }
  }

  @Override
  public void checkpointsRetired(int jobs, int checkpoints) {
    retiredJobs.inc(jobs);
    retiredCheckpoints.inc(checkpoints);
  }

  @Override
  public void codeArchivesDeleted(int archives) {
    deletedCodeArchives.inc(archives);
  }

  /** Serves {@code /metrics} on {@code port} (0 picks a free port); returns the port. */
  public int serve(String host, int port) throws IOException {
    server = HTTPServer.builder().hostname(host).port(port).registry(registry).buildAndStart();
    return server.getPort();
  }

  @Override
  public void close() {
    if (server != null) {
      server.close();
    }
  }

  /** The leader's figures for one scrape, or empty (a standby, or the loop did not answer). */
  @FunctionalInterface
  public interface StateScrape {
    java.util.Optional<ClusterFigures> now();

    /**
     * Asks {@code ask} at most once a second (the four gauges of one scrape share an answer), and
     * waits up to 2 s for the loop; a standby's refusal or a busy loop reads as empty.
     */
    static StateScrape cached(
        java.util.function.Supplier<java.util.concurrent.CompletableFuture<ClusterFigures>> ask) {
      return new StateScrape() {
        private long askedAt;
        private boolean asked;
        private java.util.Optional<ClusterFigures> last = java.util.Optional.empty();

        @Override
        public synchronized java.util.Optional<ClusterFigures> now() {
          long t = System.nanoTime();
          if (!asked || t - askedAt > 1_000_000_000L) {
            asked = true;
            askedAt = t;
            try {
              last = java.util.Optional.of(ask.get().get(2, java.util.concurrent.TimeUnit.SECONDS));
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              last = java.util.Optional.empty();
            } catch (Exception e) {
              last = java.util.Optional.empty();
            }
          }
          return last;
        }
      };
    }
  }
}
