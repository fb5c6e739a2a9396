/**
 * The pure scheduling core. One call, {@code PlacementEngine.plan(cluster, queue, policy, now)},
 * turns immutable snapshots into a {@code Plan}. No I/O, no wall clock, no infrastructure imports.
 */
package io.tern.scheduler.core;
