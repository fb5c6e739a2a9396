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
  private final Shape shape;

  /**
   * @param job the job
   * @param tiers capacity types to try, most preferred first; a tier with both types has no
   *     preference between them
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
    this.shape = new Shape(job.resources(), allowedTypes, job.shareable(), maxJobPricePerHourUsd);
  }

  /**
   * The shape a request for these arguments would have, without building the request: the cheap
   * memo probe for the many queued jobs whose shape already failed in this plan.
   */
  public static Shape shapeOf(
      Job job, List<Set<CapacityType>> tiers, double maxJobPricePerHourUsd) {
    return new Shape(
        job.resources(), CapacityTiers.mask(tiers), job.shareable(), maxJobPricePerHourUsd);
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

  /** The key under which feasibility is memoised: everything filters look at but the job id. */
  public Shape shape() {
    return shape;
  }

  @Override
  public String toString() {
    return "PlacementRequest[" + job.id() + ", tiers=" + tiers + "]";
  }

  /**
   * What makes two requests equally placeable: two jobs with the same shape fit the same nodes, so
   * when one failed in a plan call the other fails too (capacity only shrinks within a call). Its
   * hash is computed once, since every queued job's shape is looked up in every plan.
   */
  public static final class Shape {
    private final Resources resources;
    private final int capacityTypes;
    private final boolean shareable;
    private final double maxJobPricePerHourUsd;
    private final int hash;

    /**
     * @param resources resources asked
     * @param capacityTypes allowed capacity types as a bit set of ordinals
     * @param shareable whether it may share GPUs
     * @param maxJobPricePerHourUsd cost-cap bound
     */
    public Shape(
        Resources resources, int capacityTypes, boolean shareable, double maxJobPricePerHourUsd) {
      this.resources = resources;
      this.capacityTypes = capacityTypes;
      this.shareable = shareable;
      this.maxJobPricePerHourUsd = maxJobPricePerHourUsd;
      int h = resources.hashCode();
      h = 31 * h + capacityTypes;
      h = 31 * h + (shareable ? 1 : 0);
      this.hash = 31 * h + Double.hashCode(maxJobPricePerHourUsd);
    }

    public Resources resources() {
      return resources;
    }

    @Override
    public int hashCode() {
      return hash;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Shape s
          && hash == s.hash
          && capacityTypes == s.capacityTypes
          && shareable == s.shareable
          && Double.compare(maxJobPricePerHourUsd, s.maxJobPricePerHourUsd) == 0
          && resources.equals(s.resources);
    }

    @Override
    public String toString() {
      return "Shape[" + resources + ", types=" + capacityTypes + ", shareable=" + shareable + "]";
    }
  }
}
