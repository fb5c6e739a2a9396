package io.tern.scheduler.server.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.util.function.DoubleSupplier;

/**
 * The scheduler's Prometheus metrics, served at {@code http://HOST:PORT/metrics}. Each replica has
 * its own registry, so several replicas can live in one JVM (tests).
 */
public final class SchedulerMetrics implements AutoCloseable {
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final Counter submits;
  private final io.prometheus.metrics.core.metrics.Summary agentMessages;
  private final Counter budgetStatusChanges;
  private final Counter checkpointCommitFailures;
  private HTTPServer server;

  public SchedulerMetrics(DoubleSupplier isLeader, DoubleSupplier lastPlanSeconds) {
    agentMessages =
        io.prometheus.metrics.core.metrics.Summary.builder()
            .name("tern_agent_message_seconds")
            .help("From an agent message's arrival to its handling on the scheduler loop")
            .quantile(0.5, 0.01)
            .quantile(0.99, 0.001)
            .register(registry);
    GaugeWithCallback.builder()
        .name("tern_heap_used_bytes")
        .help("Java heap in use")
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
            .help("SubmitJob calls received")
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
  public void spot(io.tern.scheduler.server.loop.SpotCounters spot) {
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
    io.prometheus.metrics.core.metrics.CounterWithCallback.builder()
        .name("tern_spot_returns")
        .help("Running on-demand attempts checkpointed to move back to spot")
        .callback(cb -> cb.call(spot.returnsToSpot()))
        .register(registry);
    io.prometheus.metrics.core.metrics.CounterWithCallback.builder()
        .name("tern_deadline_migrations")
        .help("Running spot attempts checkpointed to move to on-demand for their deadline")
        .callback(cb -> cb.call(spot.deadlineMigrations()))
        .register(registry);
  }

  /** An agent reported a failed checkpoint commit of {@code kind} (full, fenced or other). */
  public void checkpointCommitFailed(String kind) {
    checkpointCommitFailures.labelValues(kind).inc();
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
}
