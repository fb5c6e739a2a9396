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
 * @param startTimeout how long a placed attempt may take to report it started before it is requeued
 */
public record SchedulerSettings(
    Duration nodeLease,
    Duration telemetryInterval,
    Duration planDelay,
    Duration tick,
    Duration startTimeout) {

  public static SchedulerSettings defaults() {
    return new SchedulerSettings(
        Duration.ofSeconds(15),
        Duration.ofSeconds(1),
        Duration.ofMillis(20),
        Duration.ofSeconds(1),
        Duration.ofMinutes(2));
  }

  public SchedulerSettings withNodeLease(Duration lease) {
    return new SchedulerSettings(lease, telemetryInterval, planDelay, tick, startTimeout);
  }

  /** Faster planning and ticks, for tests on a real clock. */
  public SchedulerSettings withPacing(Duration newPlanDelay, Duration newTick) {
    return new SchedulerSettings(nodeLease, telemetryInterval, newPlanDelay, newTick, startTimeout);
  }
}
