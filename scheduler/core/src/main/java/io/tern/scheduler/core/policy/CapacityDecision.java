package io.tern.scheduler.core.policy;

import io.tern.scheduler.core.explain.PendingReason;
import io.tern.scheduler.core.model.CapacityType;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * What the spot policy decided for one job in one plan: hold it, or which capacity to try.
 *
 * @param tiers capacity types to try, most preferred first (empty when held)
 * @param hold the reason it is held, or null
 * @param holdUntil when the hold is expected to lift, or null
 * @param deadlineForced true when the deadline rule forced on-demand
 * @param spotWait when the job chose to wait for spot (tiers are spot only): the reason it gives
 *     while no spot capacity fits, else null; {@code holdUntil} then says when it stops waiting
 */
public record CapacityDecision(
    List<Set<CapacityType>> tiers,
    PendingReason hold,
    Instant holdUntil,
    boolean deadlineForced,
    PendingReason spotWait) {

  public CapacityDecision {
    tiers = List.copyOf(tiers);
  }

  public CapacityDecision(
      List<Set<CapacityType>> tiers,
      PendingReason hold,
      Instant holdUntil,
      boolean deadlineForced) {
    this(tiers, hold, holdUntil, deadlineForced, null);
  }

  /** Spot only, waiting for it until {@code until} with this reason while none fits. */
  public static CapacityDecision waitForSpot(PendingReason reason, Instant until) {
    return new CapacityDecision(
        io.tern.scheduler.core.placement.CapacityTiers.SPOT_ONLY, null, until, false, reason);
  }

  /** True when the job waits for spot by choice (tiers spot only, no on-demand yet). */
  public boolean waitsForSpot() {
    return spotWait != null;
  }

  /** Shared instances for the common outcomes, so deciding allocates nothing. */
  static final CapacityDecision SPOT_ONLY =
      new CapacityDecision(
          io.tern.scheduler.core.placement.CapacityTiers.SPOT_ONLY, null, null, false);

  static final CapacityDecision ON_DEMAND_ONLY =
      new CapacityDecision(
          io.tern.scheduler.core.placement.CapacityTiers.ON_DEMAND_ONLY, null, null, false);
  static final CapacityDecision SPOT_FIRST =
      new CapacityDecision(
          io.tern.scheduler.core.placement.CapacityTiers.SPOT_FIRST, null, null, false);
  static final CapacityDecision EITHER =
      new CapacityDecision(
          io.tern.scheduler.core.placement.CapacityTiers.EITHER, null, null, false);
  static final CapacityDecision DEADLINE_ON_DEMAND =
      new CapacityDecision(
          io.tern.scheduler.core.placement.CapacityTiers.ON_DEMAND_ONLY, null, null, true);

  public static CapacityDecision held(PendingReason reason, Instant until) {
    return new CapacityDecision(List.of(), reason, until, false, null);
  }

  public boolean isHeld() {
    return hold != null;
  }
}
