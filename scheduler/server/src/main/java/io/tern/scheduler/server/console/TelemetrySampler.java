package io.tern.scheduler.server.console;

import io.tern.api.v1.ListNodesRequest;
import io.tern.scheduler.server.loop.ClusterRequests;
import java.time.Clock;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Samples every GPU into {@link GpuHistory} once a {@link GpuHistory#STEP}, from the leader's own
 * node view (no user's identity needed); on a standby the loop answers nothing and the history
 * fills from the node lists its pages fetch through the leader.
 */
final class TelemetrySampler implements AutoCloseable {
  private final ClusterRequests cluster;
  private final GpuHistory history;
  private final Clock clock;
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "console-telemetry");
            t.setDaemon(true);
            return t;
          });

  TelemetrySampler(ClusterRequests cluster, GpuHistory history, Clock clock) {
    this.cluster = cluster;
    this.history = history;
    this.clock = clock;
  }

  void start() {
    long step = GpuHistory.STEP.toMillis();
    timer.scheduleAtFixedRate(this::sample, 0, step, TimeUnit.MILLISECONDS);
  }

  void sample() {
    if (cluster == null) {
      return;
    }
    try {
      history.record(
          cluster
              .nodes(ListNodesRequest.getDefaultInstance(), team -> false)
              .get(5, TimeUnit.SECONDS)
              .getNodesList(),
          clock.instant());
    } catch (Exception e) {
      // Not leading (or closing): nothing to sample here now.
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
