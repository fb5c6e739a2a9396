package io.tern.scheduler.core.placement;

import io.tern.scheduler.core.model.CapacityType;
import io.tern.scheduler.core.model.Job;
import io.tern.scheduler.core.model.Resources;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * One job's request for this plan: its resources plus what policy decided (which capacity types, in
 * which order of preference, and what its cost cap allows). Immutable.
 */
public final class PlacementRequest {
  private final Job job;
  private final List<Set<CapacityType>> tiers;
  private final double maxJobPricePerHourUsd;
  private final int allowedTypes;

  /**
   * @param job the job
   * @param tiers capacity types to try, most preferred first; a tier with both types has no
   *     preference between them: the cheapest free capacity wins
   * @param maxJobPricePerHourUsd most the job may pay per hour on one node (its GPUs' share of the
   *     node's price) to stay under its cost cap ({@link Double#POSITIVE_INFINITY} when uncapped)
   */
  public PlacementRequest(Job job, List<Set<CapacityType>> tiers, double maxJobPricePerHourUsd) {
    this.job = Objects.requireNonNull(job, "job");
    if (tiers.isEmpty()) {
      throw new IllegalArgumentException("a request needs at least one capacity tier");
    }
    // EnumSets iterate in declaration order, whatever set the caller passed.
    this.tiers =
        CapacityTiers.isCanonical(tiers)
            ? tiers
            : tiers.stream()
                .map(t -> Collections.unmodifiableSet(EnumSet.copyOf(t)))
                .collect(Collectors.toUnmodifiableList());
    this.maxJobPricePerHourUsd = maxJobPricePerHourUsd;
    this.allowedTypes = CapacityTiers.mask(this.tiers);
  }

  /** A request with no capacity preference and no cost cap, for tests and tools. */
  public static PlacementRequest anyCapacity(Job job) {
    return new PlacementRequest(job, CapacityTiers.EITHER, Double.POSITIVE_INFINITY);
  }

  public Job job() {
    return job;
  }

  public List<Set<CapacityType>> tiers() {
    return tiers;
  }

  public double maxJobPricePerHourUsd() {
    return maxJobPricePerHourUsd;
  }

  public Resources resources() {
    return job.resources();
  }

  public int gpusPerNode() {
    return job.resources().gpusPerNode();
  }

  public int nodes() {
    return job.resources().nodes();
  }

  public boolean shareable() {
    return job.shareable();
  }

  /** True when any tier allows {@code type}. */
  public boolean allows(CapacityType type) {
    return (allowedTypes & (1 << type.ordinal())) != 0;
  }

  @Override
  public String toString() {
    return "PlacementRequest[" + job.id() + ", tiers=" + tiers + "]";
  }
}
