/**
 * Where a job goes: the per-plan {@code ClusterIndex} (nodes bucketed by capacity type, GPU model
 * and free GPU count), the {@code PlacementFilter} / {@code GpuFilter} hard rules, the weighted
 * {@code PlacementScorer}s, the bounded {@code CandidateSearch}, head-of-line reservations and
 * shape-level explanations.
 */
package io.tern.scheduler.core.placement;
