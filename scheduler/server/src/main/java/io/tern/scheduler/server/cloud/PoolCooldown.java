package io.tern.scheduler.server.cloud;

import java.time.Instant;

/**
 * A pool left out of plans and launches until a time, after a failed launch.
 *
 * @param poolId the pool
 * @param reason why its launch failed
 * @param until when it may be tried again
 */
public record PoolCooldown(String poolId, LaunchFailure.Reason reason, Instant until) {}
