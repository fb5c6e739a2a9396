/**
 * The scheduling model as immutable records: jobs and their resources, nodes with GPU telemetry,
 * running allocations, and the cluster and queue snapshots handed to {@code PlacementEngine.plan}.
 * Collections inside records are copied and sorted on construction, so equal inputs compare equal
 * and iterate alike however the caller built them.
 */
package io.tern.scheduler.core.model;
