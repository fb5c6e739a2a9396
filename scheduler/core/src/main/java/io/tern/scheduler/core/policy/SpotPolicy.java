package io.tern.scheduler.core.policy;

import io.tern.scheduler.core.explain.PendingReason;
import io.tern.scheduler.core.explain.ReasonKind;
import io.tern.scheduler.core.model.CapacityPreference;
import io.tern.scheduler.core.model.Job;
import java.time.Instant;
import java.util.Locale;

/**
 * Decides, per job and plan, between holding it and which capacity it may use:
 *
 * <ol>
 *   <li>hard budget exceeded: hold (no new starts);
 *   <li>deadline slack gone (see {@link DeadlineRule}): on-demand now, unless the job is spot-only;
 *   <li>deferrable (or any job of a team past its soft budget) while no window is open: hold until
 *       the next window, if waiting still leaves deadline slack;
 *   <li>spot-ok: spot first inside an off-peak window, either type (cheapest wins) outside one;
 *       past the soft budget spot-ok becomes spot-only.
 * </ol>
 *
 * Immutable and thread-safe.
 */
public final class SpotPolicy {
  private final DeadlineRule deadlines;

  public SpotPolicy(DeadlineRule deadlines) {
    this.deadlines = deadlines;
  }

  public CapacityDecision decide(Job job, TeamPolicy team, OffPeakStatus offPeak, Instant now) {
    Budget.Status budget = team.budget().status();
    if (budget == Budget.Status.HARD_EXCEEDED) {
      return CapacityDecision.held(
          PendingReason.of(
              ReasonKind.BUDGET_HARD,
              String.format(
                  Locale.ROOT,
                  "budget: team %s spent $%.2f of its $%.2f hard limit",
                  team.team(),
                  team.budget().spentUsd(),
                  team.budget().hardLimitUsd())),
          null);
    }
    CapacityPreference pref = job.capacity();
    if (pref != CapacityPreference.SPOT_ONLY && deadlines.requiresOnDemand(job, now)) {
      return CapacityDecision.DEADLINE_ON_DEMAND;
    }
    boolean soft = budget == Budget.Status.SOFT_EXCEEDED;
    boolean wantsWindow = job.deferrable() || (soft && job.deadline() == null);
    if (wantsWindow
        && !offPeak.open()
        && offPeak.nextOpensAt() != null
        && deadlines.canWaitUntil(job, offPeak.nextOpensAt())) {
      String why = soft && !job.deferrable() ? " (team past its soft budget)" : "";
      return CapacityDecision.held(
          PendingReason.of(
              ReasonKind.HELD_OFF_PEAK,
              "held for off-peak: next window opens at " + offPeak.nextOpensAt() + why),
          offPeak.nextOpensAt());
    }
    if (soft && pref == CapacityPreference.SPOT_OK) {
      pref = CapacityPreference.SPOT_ONLY;
    }
    return switch (pref) {
      case SPOT_ONLY -> CapacityDecision.SPOT_ONLY;
      case ON_DEMAND -> CapacityDecision.ON_DEMAND_ONLY;
      case SPOT_OK -> offPeak.open() ? CapacityDecision.SPOT_FIRST : CapacityDecision.EITHER;
    };
  }
}
