package io.tern.agent.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tern.agent.NodeAgent;
import io.tern.api.v1.Gpu;
import io.tern.checkpoint.CheckpointStore;
import java.io.IOException;
import java.util.List;

/**
 * A node agent's own Prometheus metrics, at {@code http://HOST:PORT/metrics} ({@code tern agent
 * --metrics-port}): each GPU's utilization and memory as last sampled, the job processes it runs,
 * whether a leader has accepted it, and how long checkpoint commits and restores take on this node,
 * with their failures. Labels: {@code node}, and {@code gpu} (index) with {@code uuid} and {@code
 * model} for the GPU series.
 */
public final class AgentMetrics implements AutoCloseable {
  private static final double[] STORE_BUCKETS = {0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120};

  private static final double MIB = 1024.0 * 1024.0;

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final Histogram commitSeconds;
  private final Counter commitFailures;
  private final Histogram restoreSeconds;
  private final Counter restoreFailures;
  private HTTPServer server;

  public AgentMetrics() {
    commitSeconds =
        Histogram.builder()
            .name("tern_agent_checkpoint_commit_seconds")
            .help("How long committing a checkpoint to the store took (copy, manifest, publish)")
            .classicUpperBounds(STORE_BUCKETS)
            .register(registry);
    commitFailures =
        Counter.builder()
            .name("tern_agent_checkpoint_commit_failures_total")
            .help("Checkpoint commits the store refused or that failed")
            .register(registry);
    restoreSeconds =
        Histogram.builder()
            .name("tern_agent_checkpoint_restore_seconds")
            .help("How long beginning a resumed attempt took: restore and verification")
            .classicUpperBounds(STORE_BUCKETS)
            .register(registry);
    restoreFailures =
        Counter.builder()
            .name("tern_agent_checkpoint_restore_failures_total")
            .help("Restores that failed (the store unreadable, or a newer attempt began)")
            .register(registry);
  }

  /** Registers the live figures of {@code agent}, read at scrape time. */
  public AgentMetrics watch(String nodeId, NodeAgent agent) {
    gpuGauge(
        "tern_agent_gpu_utilization_ratio",
        "GPU utilization as last sampled, 0..1",
        nodeId,
        agent,
        gpu -> gpu.getUtilizationPercent() / 100.0);
    gpuGauge(
        "tern_agent_gpu_memory_used_bytes",
        "GPU memory in use as last sampled",
        nodeId,
        agent,
        gpu -> gpu.getMemoryUsedMib() * MIB);
    gpuGauge(
        "tern_agent_gpu_memory_total_bytes",
        "GPU memory in all",
        nodeId,
        agent,
        gpu -> gpu.getMemoryTotalMib() * MIB);
    GaugeWithCallback.builder()
        .name("tern_agent_job_processes")
        .help("Job attempts this agent runs now (each its own process group)")
        .labelNames("node")
        .callback(cb -> cb.call(agent.running().size(), nodeId))
        .register(registry);
    GaugeWithCallback.builder()
        .name("tern_agent_connected")
        .help("1 while a leader scheduler has accepted this agent")
        .labelNames("node")
        .callback(cb -> cb.call(agent.connected() ? 1 : 0, nodeId))
        .register(registry);
    return this;
  }

  private void gpuGauge(
      String name,
      String help,
      String nodeId,
      NodeAgent agent,
      java.util.function.ToDoubleFunction<Gpu> value) {
    GaugeWithCallback.builder()
        .name(name)
        .help(help)
        .labelNames("node", "gpu", "uuid", "model")
        .callback(
            cb -> {
              for (Gpu gpu : agent.gpus()) {
                cb.call(value.applyAsDouble(gpu), labels(nodeId, gpu));
              }
            })
        .register(registry);
  }

  private static String[] labels(String nodeId, Gpu gpu) {
    return new String[] {nodeId, Integer.toString(gpu.getIndex()), gpu.getUuid(), gpu.getModel()};
  }

  /** {@code store}, with its commits and restores timed and their failures counted. */
  public CheckpointStore timed(CheckpointStore store) {
    return new TimedCheckpointStore(store, this);
  }

  void commitTook(long nanos, boolean ok) {
    commitSeconds.observe(nanos / 1e9);
    if (!ok) {
      commitFailures.inc();
    }
  }

  void restoreTook(long nanos, boolean ok) {
    restoreSeconds.observe(nanos / 1e9);
    if (!ok) {
      restoreFailures.inc();
    }
  }

  /** Serves {@code /metrics} on {@code host:port} (0 picks a free port); returns the port. */
  public int serve(String host, int port) throws IOException {
    server = HTTPServer.builder().hostname(host).port(port).registry(registry).buildAndStart();
    return server.getPort();
  }

  /** The families as exposed (counters with their {@code _total}), as the operator guide lists. */
  public static List<String> families() {
    return List.of(
        "tern_agent_gpu_utilization_ratio",
        "tern_agent_gpu_memory_used_bytes",
        "tern_agent_gpu_memory_total_bytes",
        "tern_agent_job_processes",
        "tern_agent_connected",
        "tern_agent_checkpoint_commit_seconds",
        "tern_agent_checkpoint_commit_failures_total",
        "tern_agent_checkpoint_restore_seconds",
        "tern_agent_checkpoint_restore_failures_total");
  }

  @Override
  public void close() {
    if (server != null) {
      server.close();
    }
  }
}
