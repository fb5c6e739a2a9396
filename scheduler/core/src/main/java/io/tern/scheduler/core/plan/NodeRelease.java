package io.tern.scheduler.core.plan;

import java.time.Duration;

/**
 * Give back an idle cloud node.
 *
 * @param nodeId the node
 * @param poolId its pool
 * @param idleFor how long it has been idle
 */
public record NodeRelease(String nodeId, String poolId, Duration idleFor) {}
