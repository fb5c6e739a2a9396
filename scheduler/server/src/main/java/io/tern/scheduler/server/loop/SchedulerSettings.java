package io.tern.scheduler.server.loop;

import java.time.Duration;

/**
 * Timing of the live scheduler.
 *
 * @param nodeLease how long a node may go without a heartbeat before it is marked lost and its jobs
 *     resume elsewhere
 * @param telemetryInterval how often agents send telemetry (their heartbeat)
 * @param planDelay how long a change waits for others before a plan runs (coalescing)
 * @param tick how often leases and time-based rules are checked
 */
public record SchedulerSettings(
    Duration nodeLease, Duration telemetryInterval, Duration planDelay, Duration tick) {

  public static SchedulerSettings defaults() {
    return new SchedulerSettings(
        Duration.ofSeconds(15),
        Duration.ofSeconds(1),
        Duration.ofMillis(20),
        Duration.ofSeconds(1));
  }
}
