package io.tern.scheduler.core.placement;

import io.tern.scheduler.core.model.CapacityType;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The capacity tier lists policy hands out, built once. A {@link PlacementRequest} given one of
 * these skips normalising its tiers, which matters when every queued job gets a request per plan.
 */
public final class CapacityTiers {
  public static final List<Set<CapacityType>> SPOT_ONLY = List.of(of(CapacityType.SPOT));
  public static final List<Set<CapacityType>> ON_DEMAND_ONLY = List.of(of(CapacityType.ON_DEMAND));
  public static final List<Set<CapacityType>> SPOT_FIRST =
      List.of(of(CapacityType.SPOT), of(CapacityType.ON_DEMAND));
  public static final List<Set<CapacityType>> EITHER =
      List.of(of(CapacityType.SPOT, CapacityType.ON_DEMAND));

  private CapacityTiers() {}

  private static final int SPOT = 1 << CapacityType.SPOT.ordinal();
  private static final int ON_DEMAND = 1 << CapacityType.ON_DEMAND.ordinal();

  static boolean isCanonical(List<Set<CapacityType>> tiers) {
    return tiers == SPOT_ONLY || tiers == ON_DEMAND_ONLY || tiers == SPOT_FIRST || tiers == EITHER;
  }

  /** Allowed capacity types as a bit set of ordinals; constant time for the canonical lists. */
  public static int mask(List<Set<CapacityType>> tiers) {
    if (tiers == SPOT_ONLY) {
      return SPOT;
    }
    if (tiers == ON_DEMAND_ONLY) {
      return ON_DEMAND;
    }
    if (tiers == SPOT_FIRST || tiers == EITHER) {
      return SPOT | ON_DEMAND;
    }
    int types = 0;
    for (Set<CapacityType> tier : tiers) {
      for (CapacityType t : tier) {
        types |= 1 << t.ordinal();
      }
    }
    return types;
  }

  private static Set<CapacityType> of(CapacityType first, CapacityType... rest) {
    return Collections.unmodifiableSet(EnumSet.of(first, rest));
  }
}
