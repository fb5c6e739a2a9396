package io.tern.scheduler.server.cloud;

import java.time.Instant;

/**
 * A registered node that runs nothing.
 *
 * @param nodeId the node (= instance id)
 * @param poolId its pool
 * @param idleSince since when it has run nothing
 */
public record IdleNode(String nodeId, String poolId, Instant idleSince) {}
